"""Watching a task: a registration is validated against ICEYE before anything is written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from relay.domain.records import DerivativeTypeRecord, TaskRecord, TaskView
from relay.iceye.errors import IceyeNotFound, IceyePermissionError
from relay.iceye.models import DERIVATIVE_IMAGING_MODES, KNOWN_PRODUCT_TYPES, NewTask, Task
from relay.observability import logger


class RegistrationTable(Protocol):
    """What registration needs of the task table."""

    def get(self, task_id: str) -> TaskView | None: ...

    def register(self, task: TaskRecord, types: list[DerivativeTypeRecord]) -> bool: ...


class TaskLookup(Protocol):
    """What registration needs of the ICEYE client."""

    def get_task(self, task_id: str) -> Task: ...

    def create_task(self, task: NewTask) -> Task: ...


class Registration(BaseModel):
    """A request to watch a task (the register function's event)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    task_id: str
    derivative_product_types: list[str] | None = None  # None: whatever the task requested
    label: str | None = Field(default=None, max_length=200)

    @field_validator("task_id")
    @classmethod
    def _task_id_is_a_uuid(cls, value: str) -> str:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError(f"taskId must be a UUID, got {value[:80]!r}") from None

    @field_validator("derivative_product_types")
    @classmethod
    def _known_types_only(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("derivativeProductTypes must name at least one type (or be left out)")
        unknown = sorted(set(value) - KNOWN_PRODUCT_TYPES)
        if unknown:
            raise ValueError(f"unknown derivative product types {unknown}; known: {sorted(KNOWN_PRODUCT_TYPES)}")
        return sorted(set(value))


class RegistrationRejected(Exception):
    """The task cannot be watched; `code` says why in one word, the message in a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class RegistrationOutcome:
    """The stored task, and whether it was there already."""

    task: TaskRecord
    already_registered: bool


def register_task(
    registration: Registration,
    *,
    client: TaskLookup,
    table: RegistrationTable,
    now: datetime,
    source: str = "registration",
    known_task: Task | None = None,
) -> RegistrationOutcome:
    """Look the task up at ICEYE, refuse what can never have derivatives, then write it (once) with PENDING types."""
    existing = table.get(registration.task_id)
    if existing is not None:
        return RegistrationOutcome(existing.task, already_registered=True)
    task = known_task or _look_up(client, registration.task_id)
    expected = _expected_types(registration, task)
    record = TaskRecord(
        task_id=registration.task_id,
        label=registration.label,
        source=source,
        expected_types=expected,
        registered_at=now,
        next_poll_at=now,
    )
    types = [DerivativeTypeRecord(task_id=registration.task_id, product_type=name) for name in expected]
    if not table.register(record, types):
        stored = table.get(registration.task_id)
        return RegistrationOutcome(stored.task if stored else record, already_registered=True)
    logger.info("Watching task", extra={"task_id": record.task_id, "expected_types": expected, "source": source})
    return RegistrationOutcome(record, already_registered=False)


def create_and_watch(
    new_task: NewTask, *, client: TaskLookup, table: RegistrationTable, now: datetime, label: str | None = None
) -> RegistrationOutcome:
    """Create a task at ICEYE and, once it exists, watch it for its derivatives."""
    task = client.create_task(new_task)
    registration = Registration(task_id=task.id, label=label)
    return register_task(registration, client=client, table=table, now=now, source="create_task", known_task=task)


def _look_up(client: TaskLookup, task_id: str) -> Task:
    try:
        return client.get_task(task_id)
    except IceyeNotFound:
        raise RegistrationRejected("TASK_NOT_FOUND", f"ICEYE knows no task {task_id}.") from None
    except IceyePermissionError:
        raise RegistrationRejected("FORBIDDEN", f"These ICEYE credentials may not read task {task_id}.") from None


def _expected_types(registration: Registration, task: Task) -> list[str]:
    status = task.known_status
    if status is not None and status.is_unsuccessful_end:
        raise RegistrationRejected("TASK_ENDED", f"Task {task.id} is {status.value}: it will never have derivatives.")
    if not task.derivative_product_types:
        raise RegistrationRejected("NO_DERIVATIVES_REQUESTED", f"Task {task.id} requested no derivative products.")
    if task.imaging_mode not in DERIVATIVE_IMAGING_MODES or "GRD" not in task.product_types:
        raise RegistrationRejected(
            "INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES",
            f"Task {task.id} ({task.imaging_mode}, products {task.product_types}) cannot have derivatives: "
            "they need a spotlight imaging mode and GRD.",
        )
    requested = set(task.derivative_product_types)
    if registration.derivative_product_types is None:
        known = sorted(requested & KNOWN_PRODUCT_TYPES)
        if not known:
            raise RegistrationRejected("NO_KNOWN_DERIVATIVES", f"Task {task.id} requested only {sorted(requested)}.")
        return known
    missing = sorted(set(registration.derivative_product_types) - requested)
    if missing:
        raise RegistrationRejected(
            "TYPES_NOT_REQUESTED", f"Task {task.id} did not request {missing}; it requested {sorted(requested)}."
        )
    return registration.derivative_product_types
