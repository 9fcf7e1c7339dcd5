"""One run of the schedule: poll every due task, record what changed, enqueue what is newly ready."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from relay.domain.copy_job import CopyJob
from relay.domain.notifications import announce_task_end, settle
from relay.domain.ports import CopyQueue, Notifier, TaskTable
from relay.domain.records import (
    DerivativeTypeRecord,
    FileRecord,
    FileState,
    ResultTransition,
    TaskView,
    TypeState,
    WatchStatus,
)
from relay.domain.registration import Registration, RegistrationRejected, TaskLookup, register_task
from relay.iceye.errors import (
    IceyeAuthenticationError,
    IceyeError,
    IceyePermissionError,
    IceyeThrottled,
)
from relay.iceye.models import Asset, Availability, Derivative, DerivativesResult, Task
from relay.observability import logger
from relay.settings import PollSettings

DEFAULT_THROTTLE_BACKOFF = timedelta(seconds=60)
STALE_ENQUEUE = timedelta(minutes=30)  # a job not picked up by then is sent again (the fan-out is idempotent)
TASK_CHECK_AFTER = timedelta(hours=1)  # a 404 this old is checked against the task itself
TASK_CHECK_EVERY_POLLS = 12


class PollTable(TaskTable, Protocol):
    """The task table, with the writes only the poll makes."""

    def due_task_ids(self, now: datetime, limit: int | None = None) -> Iterator[str]: ...

    def record_poll(
        self,
        task_id: str,
        *,
        now: datetime,
        next_poll_at: datetime,
        counters: dict[str, int],
        transition: ResultTransition | None = None,
    ) -> bool: ...

    def mark_type_available(self, task_id: str, record: DerivativeTypeRecord) -> bool: ...

    def requeue_file(
        self, task_id: str, product_type: str, file_name: str, *, seen_enqueued_at: datetime, now: datetime
    ) -> bool: ...

    def contract_checkpoint(self, contract_id: str) -> datetime | None: ...

    def advance_contract_checkpoint(self, contract_id: str, checkpoint: datetime) -> bool: ...


class DerivativesApi(TaskLookup, Protocol):
    """What the poll needs of the ICEYE client."""

    def get_derivatives(self, task_id: str) -> DerivativesResult: ...

    def list_tasks(
        self, *, contract_id: str | None = None, created_after: datetime | None = None, limit: int = 100
    ) -> Iterator[Task]: ...


@dataclass(frozen=True)
class PollDependencies:
    """Everything a poll run talks to."""

    client: DerivativesApi
    table: PollTable
    queue: CopyQueue
    notifier: Notifier
    settings: PollSettings
    contract_id: str | None = None  # when set, each run also discovers the contract's new tasks


@dataclass
class PollSummary:
    """What a run did (the handler turns it into metrics and its return value)."""

    due: int = 0
    polled: int = 0
    files_enqueued: int = 0
    discovered: int = 0
    stopped_early: str | None = None
    outcomes: Counter[str] = field(default_factory=Counter)  # "200", "206", "404", "403", "429", "error", ...
    finished: Counter[str] = field(default_factory=Counter)  # by WatchStatus

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        return {
            "due": self.due,
            "polled": self.polled,
            "filesEnqueued": self.files_enqueued,
            "discovered": self.discovered,
            "stoppedEarly": self.stopped_early,
            "outcomes": dict(self.outcomes),
            "finished": dict(self.finished),
        }


class _RunState:
    """Shared by the worker threads of one run: the summary and the reason to stop taking tasks."""

    def __init__(self) -> None:
        self.summary = PollSummary()
        self.lock = threading.Lock()
        self.stop_reason: str | None = None

    def stop(self, reason: str) -> None:
        with self.lock:
            self.stop_reason = self.stop_reason or reason

    def count(self, outcome: str, files: int = 0, finished: WatchStatus | None = None) -> None:
        with self.lock:
            self.summary.polled += 1
            self.summary.outcomes[outcome] += 1
            self.summary.files_enqueued += files
            if finished is not None:
                self.summary.finished[finished.value] += 1


def poll_due_tasks(deps: PollDependencies, *, now: datetime, seconds_left: Callable[[], float]) -> PollSummary:
    """Poll every due task, a bounded number at a time, until done or the deadline (or ICEYE) says stop.

    Tasks not reached stay due: the next run picks them up.
    """
    run = _RunState()
    if deps.contract_id:
        try:
            run.summary.discovered = discover_contract_tasks(deps, deps.contract_id, now=now)
        except IceyeThrottled:
            run.summary.stopped_early = "throttled"
            return run.summary
        except IceyeError as error:
            logger.warning("Contract discovery failed; polling the known tasks", extra={"error": str(error)})
    due = list(deps.table.due_task_ids(now))
    run.summary.due = len(due)
    margin = deps.settings.deadline_margin_seconds
    with ThreadPoolExecutor(max_workers=deps.settings.concurrency, thread_name_prefix="poll") as pool:
        in_flight: set[Future[None]] = set()
        for task_id in due:
            if run.stop_reason is None and seconds_left() < margin:
                run.stop("deadline")
            if run.stop_reason is not None:
                break
            in_flight.add(pool.submit(_poll_task, deps, run, task_id, now))
            if len(in_flight) >= deps.settings.concurrency:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                _raise_unexpected(done)
        done, _ = wait(in_flight)
        _raise_unexpected(done)
    run.summary.stopped_early = run.stop_reason
    logger.info("Poll run finished", extra=run.summary.as_dict())
    return run.summary


def discover_contract_tasks(deps: PollDependencies, contract_id: str, *, now: datetime) -> int:
    """Watch the contract's tasks created since the last look that requested derivatives; returns how many."""
    since = deps.table.contract_checkpoint(contract_id)
    watched = 0
    newest = since
    for task in deps.client.list_tasks(contract_id=contract_id, created_after=since):
        if task.created_at is not None and (newest is None or task.created_at > newest):
            newest = task.created_at
        if not task.derivative_product_types:
            continue
        try:
            outcome = register_task(
                Registration(task_id=task.id),
                client=deps.client,
                table=deps.table,
                now=now,
                source="contract_discovery",
                known_task=task,
            )
        except (RegistrationRejected, ValueError) as error:
            logger.info("Discovered task not watched", extra={"task_id": task.id, "reason": str(error)})
            continue
        watched += 0 if outcome.already_registered else 1
    if newest is not None:
        deps.table.advance_contract_checkpoint(contract_id, newest)
    return watched


def next_poll_time(view: TaskView, result: Availability, now: datetime, interval: timedelta) -> datetime:
    """The adaptive curve: at the schedule's pace while anything is ready or the task is young; a task that has
    shown nothing for 6 h is polled every 15 min, after 24 h every 30 min, after 48 h hourly."""
    if result is not Availability.NOT_AVAILABLE:
        return now + interval
    quiet = now - (view.task.last_change_at or view.task.registered_at)
    for after, gap in (
        (timedelta(hours=48), timedelta(minutes=60)),
        (timedelta(hours=24), timedelta(minutes=30)),
        (timedelta(hours=6), timedelta(minutes=15)),
    ):
        if quiet >= after:
            return now + max(gap, interval)
    return now + interval


def _raise_unexpected(done: set[Future[None]]) -> None:
    for future in done:
        future.result()  # a bug (not an ICEYE error) must fail the run loudly


def _poll_task(deps: PollDependencies, run: _RunState, task_id: str, now: datetime) -> None:
    with logger.append_context_keys(task_id=task_id):
        view = deps.table.get(task_id)
        if view is None or view.task.watch is not WatchStatus.WATCHING:
            return
        settings = deps.settings
        if now - view.task.registered_at >= timedelta(hours=settings.give_up_after_hours):
            _end(deps, view, WatchStatus.GAVE_UP, f"not complete within {settings.give_up_after_hours:g} hours", now)
            run.count("gave_up", finished=WatchStatus.GAVE_UP)
            return
        interval = timedelta(seconds=settings.poll_interval_seconds)
        try:
            result = deps.client.get_derivatives(task_id)
        except IceyeThrottled as error:
            backoff = timedelta(seconds=error.retry_after) if error.retry_after else DEFAULT_THROTTLE_BACKOFF
            deps.table.record_poll(task_id, now=now, next_poll_at=now + backoff, counters={"throttled": 1})
            logger.warning("ICEYE is throttling; ending this run early", extra={"backoff_s": backoff.total_seconds()})
            run.stop("throttled")
            run.count("429")
            return
        except IceyeAuthenticationError:
            logger.error("ICEYE refused our credentials even with a fresh token; ending this run")
            run.stop("auth_failed")
            run.count("401")
            return
        except IceyePermissionError as error:
            _end(deps, view, WatchStatus.FORBIDDEN, f"ICEYE denied access (403): {error}", now)
            run.count("403", finished=WatchStatus.FORBIDDEN)
            return
        except IceyeError as error:
            logger.warning("Polling failed; retrying next run", extra={"error": str(error)})
            deps.table.record_poll(task_id, now=now, next_poll_at=now + interval, counters={"errors": 1})
            run.count("error")
            return
        enqueued = _record(deps, view, result, now)
        run.count(str(result.availability.http_status), files=enqueued)
        if result.availability is Availability.NOT_AVAILABLE and _explained_by_task(deps, view, now):
            run.summary.finished[WatchStatus.TASK_ENDED.value] += 1


def _record(deps: PollDependencies, view: TaskView, result: DerivativesResult, now: datetime) -> int:
    """Write what changed and enqueue newly ready files; returns how many jobs were sent."""
    task = view.task
    transition = None
    if task.result is None or result.availability.rank > task.result.rank:
        transition = ResultTransition(at=now, previous=task.result, result=result.availability)
    jobs: list[CopyJob] = []
    for derivative in result.derivatives:
        if not derivative.is_ready:
            continue
        if derivative.product_type not in task.expected_types:
            logger.info("Ignoring a derivative type this task does not expect", extra={"type": derivative.product_type})
            continue
        record = view.types.get(derivative.product_type)
        if record is None or record.state is TypeState.PENDING:
            jobs += _claim_new_files(deps, task.task_id, derivative, now)
        elif record.state is TypeState.AVAILABLE:
            jobs += _reclaim_stale_files(deps, record, derivative, now)
    if jobs:
        deps.queue.send(jobs)
    interval = timedelta(seconds=deps.settings.poll_interval_seconds)
    next_poll = next_poll_time(view, result.availability, now, interval)
    deps.table.record_poll(task.task_id, now=now, next_poll_at=next_poll, counters={"polls": 1}, transition=transition)
    if transition is not None:
        logger.info("ICEYE result changed", extra={"previous": str(task.result), "result": result.availability.value})
    if result.availability is Availability.COMPLETE:
        fresh = deps.table.get(task.task_id)
        if fresh is not None:
            settle(fresh, table=deps.table, notifier=deps.notifier, bucket_name=deps.settings.bucket_name, now=now)
    return len(jobs)


def _claim_new_files(deps: PollDependencies, task_id: str, derivative: Derivative, now: datetime) -> list[CopyJob]:
    files = {
        asset.file_name: FileRecord(
            file_name=asset.file_name, derivative_id=derivative.id, asset_type=asset.type, enqueued_at=now
        )
        for asset in derivative.assets
    }
    record = DerivativeTypeRecord(
        task_id=task_id,
        product_type=derivative.product_type,
        state=TypeState.AVAILABLE,
        derivative_id=derivative.id,
        image_reference=derivative.image_reference,
        image_id=derivative.image_id,
        first_seen_ready_at=now,
        files=files,
    )
    if not deps.table.mark_type_available(task_id, record):
        return []  # another poll got there first and enqueued these files
    return [
        _job(task_id, derivative, asset, now, deps.settings.url_safety_margin_seconds) for asset in derivative.assets
    ]


def _reclaim_stale_files(
    deps: PollDependencies, record: DerivativeTypeRecord, derivative: Derivative, now: datetime
) -> list[CopyJob]:
    jobs = []
    for asset in derivative.assets:
        file = record.files.get(asset.file_name)
        if file is None or file.state is not FileState.ENQUEUED or file.enqueued_at is None:
            continue
        if now - file.enqueued_at < STALE_ENQUEUE:
            continue
        if deps.table.requeue_file(
            record.task_id, record.product_type, asset.file_name, seen_enqueued_at=file.enqueued_at, now=now
        ):
            logger.warning("Re-sending a copy job that was never picked up", extra={"file": asset.file_name})
            jobs.append(_job(record.task_id, derivative, asset, now, deps.settings.url_safety_margin_seconds))
    return jobs


def _job(task_id: str, derivative: Derivative, asset: Asset, now: datetime, margin_seconds: float) -> CopyJob:
    """A copy job; without the URL when it would expire before the fan-out could use it."""
    expires = asset.expires_at
    fresh_enough = expires is None or expires - now > timedelta(seconds=margin_seconds)
    return CopyJob(
        task_id=task_id,
        derivative_id=derivative.id,
        product_type=derivative.product_type,
        image_reference=derivative.image_reference,
        image_id=derivative.image_id,
        file_name=asset.file_name,
        asset_type=asset.type,
        href=asset.href if fresh_enough else None,
        href_expires_at=expires if fresh_enough else None,
        enqueued_at=now,
    )


def _explained_by_task(deps: PollDependencies, view: TaskView, now: datetime) -> bool:
    """Now and then, ask the task itself why it is still 404; stop watching when it never will have derivatives."""
    task = view.task
    polls = task.counters.get("polls", 0)
    if now - task.registered_at < TASK_CHECK_AFTER or polls % TASK_CHECK_EVERY_POLLS != 0:
        return False
    try:
        current = deps.client.get_task(task.task_id)
    except IceyeError as error:
        logger.info("Could not check the task itself", extra={"error": str(error)})
        return False
    status = current.known_status
    if status is not None and status.is_unsuccessful_end:
        reason = f"the task is {status.value}"
    elif not current.derivative_product_types:
        reason = "the task requested no derivatives"
    else:
        return False
    fresh = deps.table.get(task.task_id) or view
    _end(deps, fresh, WatchStatus.TASK_ENDED, reason, now)
    return True


def _end(deps: PollDependencies, view: TaskView, watch: WatchStatus, reason: str, now: datetime) -> None:
    logger.info("Task no longer watched", extra={"watch": watch.value, "reason": reason})
    announce_task_end(
        view,
        watch=watch,
        reason=reason,
        table=deps.table,
        notifier=deps.notifier,
        bucket_name=deps.settings.bucket_name,
        now=now,
    )
