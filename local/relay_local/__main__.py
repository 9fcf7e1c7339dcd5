"""`python -m relay_local` (make demo): the pipeline on this machine, or watching a deployed stack."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path

from relay_local.demo import DemoOptions, render_summary, run_demo


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?B?)", text.strip().upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200KB, 5MB)")
    factor = {"": 1, "B": 1, "K": 1000, "KB": 1000, "M": 10**6, "MB": 10**6, "G": 10**9, "GB": 10**9}[match.group(2)]
    return int(float(match.group(1)) * factor)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print the summary; exit 1 when an invariant did not hold."""
    parser = argparse.ArgumentParser(prog="make demo ARGS=...", description=__doc__)
    parser.add_argument("--tasks", type=int, default=4, help="sample tasks (the four scenarios, repeated)")
    parser.add_argument("--speed", type=float, default=1.0, help="time compression (2 = twice as fast)")
    parser.add_argument("--file-size", type=_size, default=_size("200KB"), help="size of each GeoJSON, e.g. 5MB")
    parser.add_argument("--faults", action="store_true", help="inject 429, 500, a reset and a truncated download")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    parser.add_argument("--report-json", metavar="PATH", help="also write the report as JSON (the e2e tests read it)")
    parser.add_argument("--against-aws", metavar="STACK", help="watch a deployed stack instead (see --task-id)")
    parser.add_argument("--task-id", action="append", default=[], help="with --against-aws: a task to register")
    args = parser.parse_args(argv)
    if args.against_aws:
        from relay_local.against_aws import watch_deployed

        return watch_deployed(args.against_aws, args.task_id)
    if args.tasks < 1 or args.speed <= 0:
        parser.error("--tasks must be >= 1 and --speed > 0")
    report = run_demo(
        DemoOptions(tasks=args.tasks, speed=args.speed, file_size=args.file_size, faults=args.faults, quiet=args.quiet)
    )
    print(render_summary(report))
    if args.report_json:
        Path(args.report_json).write_text(json.dumps(asdict(report), default=str, indent=1))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
