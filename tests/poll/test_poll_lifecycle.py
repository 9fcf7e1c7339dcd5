"""A watched task through its life: 404 -> 206 -> 200, copy jobs once per file, backoffs and endings."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay.adapters.task_table import DynamoTaskTable
from relay.domain.copy_job import CopyJob
from relay.domain.polling import PollDependencies, poll_due_tasks
from relay.domain.records import DerivativeTypeRecord, TaskRecord, TypeState, WatchStatus
from relay.domain.registration import Registration, register_task
from relay.iceye.models import Availability
from tests.aws_helpers import drain, notifications


def _plenty_of_time() -> float:
    return 900.0


def _watch(sim: Simulator, deps: PollDependencies, plan: TaskPlan) -> str:
    task_id = sim.add_task(plan)
    register_task(Registration(task_id=task_id), client=deps.client, table=deps.table, now=sim.clock.now())
    return task_id


def _two_types() -> TaskPlan:
    return TaskPlan(
        derivatives=[
            DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=4)),
            DerivativePlan("DC_AIRCRAFT", ready_after=timedelta(hours=6)),
        ]
    )


def _jobs(queue_url: str) -> list[CopyJob]:
    return [CopyJob.model_validate_json(message["Body"]) for message in drain(queue_url)]


def test_given_a_watched_task_when_polled_over_a_day_then_each_type_and_the_history_are_recorded(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable, copy_queue_url: str
) -> None:
    task_id = _watch(sim, deps, _two_types())

    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    assert _jobs(copy_queue_url) == []

    sim.clock.advance(timedelta(hours=5))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    (vessels_job,) = _jobs(copy_queue_url)
    assert vessels_job.product_type == "DC_VESSELS"
    assert vessels_job.href is not None
    assert vessels_job.href_expires_at == sim.clock.now() + timedelta(hours=1)

    sim.clock.advance(timedelta(hours=2))
    summary = poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    (aircraft_job,) = _jobs(copy_queue_url)
    assert aircraft_job.product_type == "DC_AIRCRAFT"
    assert summary.outcomes["200"] == 1

    view = table.get(task_id)
    assert view is not None
    assert [(t.previous, t.result) for t in view.task.history] == [
        (None, Availability.NOT_AVAILABLE),
        (Availability.NOT_AVAILABLE, Availability.PARTIAL),
        (Availability.PARTIAL, Availability.COMPLETE),
    ]
    assert {name: record.state for name, record in view.types.items()} == {
        "DC_VESSELS": TypeState.AVAILABLE,
        "DC_AIRCRAFT": TypeState.AVAILABLE,
    }
    vessels = view.types["DC_VESSELS"]
    assert vessels.derivative_id == vessels_job.derivative_id
    assert vessels.first_seen_ready_at == sim.clock.now() - timedelta(hours=2)
    assert list(vessels.files) == [vessels_job.file_name]
    assert view.task.counters["polls"] == 3


def test_an_unchanged_poll_writes_no_derivative_item(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable, copy_queue_url: str
) -> None:
    task_id = _watch(sim, deps, _two_types())
    sim.clock.advance(timedelta(hours=5))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    before = table.get(task_id)

    sim.clock.advance(timedelta(minutes=5))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    after = table.get(task_id)

    assert before is not None
    assert after is not None
    assert after.types == before.types
    assert after.task.history == before.task.history
    assert after.task.next_poll_at == sim.clock.now()
    assert after.task.counters["polls"] == before.task.counters["polls"] + 1
    assert len(_jobs(copy_queue_url)) == 1  # the first poll's job only


def test_two_concurrent_polls_enqueue_each_file_exactly_once(
    sim: Simulator, deps: PollDependencies, copy_queue_url: str
) -> None:
    for _ in range(5):
        _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1), files=2)]))
    sim.clock.advance(timedelta(hours=2))
    now = sim.clock.now()
    threads = [
        threading.Thread(target=poll_due_tasks, args=(deps,), kwargs={"now": now, "seconds_left": _plenty_of_time})
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [job.dedup_key for job in _jobs(copy_queue_url)]
    assert len(keys) == 10
    assert len(set(keys)) == 10


def test_throttling_ends_the_run_early_and_backs_the_task_off(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable
) -> None:
    task_ids = [_watch(sim, deps, _two_types()) for _ in range(6)]
    sim.faults.throttle(retry_after=120)
    summary = poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    assert summary.stopped_early == "throttled"
    assert summary.polled < len(task_ids)
    backed_off = [
        view.task for task_id in task_ids if (view := table.get(task_id)) and view.task.counters.get("throttled")
    ]
    (throttled,) = backed_off
    assert throttled.next_poll_at == sim.clock.now() + timedelta(seconds=120)


def test_a_forbidden_task_stops_being_polled_with_its_reason(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable, subscriber_url: str
) -> None:
    # Given a task watched earlier whose contract these credentials no longer cover
    sim.add_client("other", "other-secret", "CONTRACT-OTHER")
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")], contract_id="CONTRACT-OTHER"))
    now = sim.clock.now()
    record = TaskRecord(task_id=task_id, expected_types=["DC_VESSELS"], registered_at=now)
    assert table.register(record, [DerivativeTypeRecord(task_id=task_id, product_type="DC_VESSELS")])

    summary = poll_due_tasks(deps, now=now, seconds_left=_plenty_of_time)

    view = table.get(task_id)
    assert view is not None
    assert view.task.watch is WatchStatus.FORBIDDEN
    assert "403" in (view.task.stop_reason or "")
    assert summary.finished == {"FORBIDDEN": 1}
    assert list(table.due_task_ids(sim.clock.now() + timedelta(days=1))) == []
    (message,) = notifications(subscriber_url)
    assert message["eventType"] == "TASK_STOPPED"


def test_the_give_up_horizon_ends_a_task_with_one_notification(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable, subscriber_url: str
) -> None:
    task_id = _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=None)]))
    sim.clock.advance(timedelta(hours=73))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    sim.clock.advance(timedelta(hours=1))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)

    view = table.get(task_id)
    assert view is not None
    assert view.task.watch is WatchStatus.GAVE_UP
    assert view.task.next_poll_at is None
    (message,) = notifications(subscriber_url)
    assert message["eventType"] == "TASK_GAVE_UP"
    assert message["taskId"] == task_id
    assert "72" in message["reason"]


def test_a_url_about_to_expire_is_enqueued_without_it(
    sim: Simulator, deps: PollDependencies, copy_queue_url: str
) -> None:
    _watch(
        sim,
        deps,
        TaskPlan(
            derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))],
            url_lifetime=timedelta(minutes=5),
        ),
    )
    sim.clock.advance(timedelta(hours=2))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    (job,) = _jobs(copy_queue_url)
    assert job.href is None
    assert json.loads(job.to_message_body())["href"] is None


def test_credentials_refused_even_after_a_fresh_token_end_the_run_and_count_for_the_alarm(
    sim: Simulator, deps: PollDependencies, table: DynamoTaskTable
) -> None:
    task_ids = [_watch(sim, deps, _two_types()) for _ in range(3)]
    sim.token_lifetime = timedelta(seconds=0)  # every new token is dead on arrival: a revoked client, in effect
    sim.faults.expire_tokens()
    summary = poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_plenty_of_time)
    assert summary.stopped_early == "auth_failed"
    assert summary.outcomes["401"] >= 1
    assert summary.polled < len(task_ids) or summary.outcomes["401"] == len(task_ids)
    assert set(table.due_task_ids(sim.clock.now())) == set(task_ids)  # nothing lost: all still due
