"""2,000 watched tasks: the run stops before the Lambda deadline, and the next run picks up exactly the rest."""

from __future__ import annotations

from iceye_simulator import Simulator
from relay.adapters.task_table import DynamoTaskTable
from relay.domain.polling import PollDependencies, poll_due_tasks
from relay.domain.records import DerivativeTypeRecord, TaskRecord


class ShrinkingDeadline:
    """A Lambda's remaining time that drops by `step` seconds each time it is asked (counts calls, not the clock)."""

    def __init__(self, start: float, step: float) -> None:
        self.remaining = start
        self.step = step

    def __call__(self) -> float:
        self.remaining -= self.step
        return self.remaining


def test_a_long_watch_list_stops_before_the_deadline_and_the_rest_stays_due(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable
) -> None:
    now = sim.clock.now()
    task_ids = [f"00000000-0000-4000-8000-{index:012d}" for index in range(2000)]
    for task_id in task_ids:  # watched directly: registering 2,000 through ICEYE is not what is under test
        table.register(
            TaskRecord(task_id=task_id, expected_types=["DC_VESSELS"], registered_at=now, next_poll_at=now),
            [DerivativeTypeRecord(task_id=task_id, product_type="DC_VESSELS")],
        )
    settings = deps.settings.model_copy(update={"poll_interval_seconds": 300, "deadline_margin_seconds": 20})
    patient = PollDependencies(deps.client, deps.table, deps.queue, deps.notifier, settings)

    first = poll_due_tasks(patient, now=now, seconds_left=ShrinkingDeadline(start=60, step=0.5))

    assert first.due == 2000
    assert first.stopped_early == "deadline"
    assert 0 < first.polled < 100
    rest = set(table.due_task_ids(now))
    assert len(rest) == 2000 - first.polled
    polled_first = set(task_ids) - rest

    second = poll_due_tasks(patient, now=now, seconds_left=ShrinkingDeadline(start=60, step=0.5))
    assert second.due == len(rest)
    left_after_second = set(table.due_task_ids(now))
    polled_second = rest - left_after_second
    assert len(polled_second) == second.polled
    assert not polled_second & polled_first
