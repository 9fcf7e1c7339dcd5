"""`python -m iceye_simulator`: run the simulator with a few tasks at different stages until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import timedelta
from types import FrameType

from iceye_simulator.clock import SimClock
from iceye_simulator.plans import DerivativePlan, TaskPlan
from iceye_simulator.server import Simulator

# How long ago each demo task was created, cycling: all derivatives ready, some ready, none ready yet.
_AGES = (timedelta(hours=7), timedelta(hours=4, minutes=30), timedelta(hours=1))


def demo_plan(index: int, clock: SimClock) -> TaskPlan:
    """Task number `index` of the demo: vessels at 4 h, aircraft at 5 h, vehicles at 6 h after creation."""
    return TaskPlan(
        derivatives=[
            DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=4)),
            DerivativePlan("DC_AIRCRAFT", ready_after=timedelta(hours=5)),
            DerivativePlan("DC_VEHICLES", ready_after=timedelta(hours=6), files=2),
        ],
        created_at=clock.now() - _AGES[index % len(_AGES)],
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start, print how to connect, and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m iceye_simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    parser.add_argument("--tasks", type=int, default=3, help="demo tasks to create")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--no-tls", action="store_true", help="plain http")
    args = parser.parse_args(argv)

    clock = SimClock(speed=args.speed)
    simulator = Simulator(clock=clock, tls=not args.no_tls, host=args.host, port=args.port)
    task_ids = [simulator.add_task(demo_plan(index, clock)) for index in range(args.tasks)]
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with simulator:
        print(f"base_url: {simulator.base_url}")
        print(f"token_url: {simulator.token_url}")
        print(f"ca_bundle: {simulator.ca_bundle or '-'}")
        print(f"client_id: {simulator.client_id}")
        print(f"client_secret: {simulator.client_secret}")
        print(f"contract_id: {simulator.contract_id}")
        for task_id in task_ids:
            print(f"task: {task_id}")
        print("Ctrl-C to stop", flush=True)
        stopped.wait()


if __name__ == "__main__":
    main()
