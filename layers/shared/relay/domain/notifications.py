"""What subscribers are told, and the guarantee that each notification goes out once (claim, publish, confirm)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from relay.domain.ports import Notifier, TaskTable
from relay.domain.records import NotificationClaim, NotificationState, TaskView, TypeState, WatchStatus
from relay.iceye.models import Availability

EVENT_NAMESPACE = uuid.UUID("7a3c0d52-4f0e-4b8e-9b1e-3d2f6a1c9e70")  # fixed: event ids must be stable forever
RETAIN_FINISHED = timedelta(days=400)


class EventType(StrEnum):
    """What happened. Subscribers filter on it (the `eventType` message attribute)."""

    DERIVATIVE_AVAILABLE = "DERIVATIVE_AVAILABLE"
    DERIVATIVES_COMPLETE = "DERIVATIVES_COMPLETE"
    DERIVATIVES_FAILED = "DERIVATIVES_FAILED"
    TASK_GAVE_UP = "TASK_GAVE_UP"
    TASK_STOPPED = "TASK_STOPPED"


_ENDINGS = {
    WatchStatus.GAVE_UP: EventType.TASK_GAVE_UP,
    WatchStatus.FAILED: EventType.DERIVATIVES_FAILED,
    WatchStatus.FORBIDDEN: EventType.TASK_STOPPED,
    WatchStatus.TASK_ENDED: EventType.TASK_STOPPED,
}


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class NotifiedFile(_Camel):
    """A copied file, where it is and how to verify it."""

    s3_uri: str
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    feature_count: int | None = None
    crs: str | None = None
    content_problem: str | None = None


class NotifiedDerivative(_Camel):
    """One derivative product of the task."""

    product_type: str
    derivative_id: str | None = None
    image_reference: str | None = None
    state: TypeState
    files: list[NotifiedFile] = Field(default_factory=list)


class Notification(_Camel):
    """Version 1 of the JSON every non-email subscriber receives (schemas/notification-v1.schema.json)."""

    version: Literal["1"] = "1"
    event_type: EventType
    event_id: str
    task_id: str
    label: str | None = None
    previous_result: Availability | None = None
    result: Availability | None = None
    occurred_at: datetime
    reason: str | None = None
    derivatives: list[NotifiedDerivative] = Field(default_factory=list)


def event_id(task_id: str, event_type: EventType, product_type: str | None = None) -> str:
    """The stable id of an event: the same task and event always get the same id, so retries can be deduped."""
    return str(uuid.uuid5(EVENT_NAMESPACE, "/".join(filter(None, (task_id, event_type.value, product_type)))))


def settle(view: TaskView, *, table: TaskTable, notifier: Notifier, bucket_name: str, now: datetime) -> None:
    """Publish whatever is due and not yet out: DERIVATIVE_AVAILABLE per fully copied type, and DERIVATIVES_COMPLETE
    (then stop watching) once ICEYE said 200 and every file of every expected type is in S3."""
    if view.task.watch not in (WatchStatus.WATCHING, WatchStatus.COMPLETE):
        return
    expected = [view.types[name] for name in view.task.expected_types if name in view.types]
    for record in expected:
        if record.state is TypeState.COPIED:
            _publish_once(
                _build(view, EventType.DERIVATIVE_AVAILABLE, bucket_name, now, only=record.product_type),
                view,
                table,
                notifier,
                now,
            )
    complete = (
        view.task.result is Availability.COMPLETE
        and len(expected) == len(view.task.expected_types)
        and all(record.state is TypeState.COPIED for record in expected)
    )
    if complete:
        _publish_once(_build(view, EventType.DERIVATIVES_COMPLETE, bucket_name, now), view, table, notifier, now)
        table.finish_task(
            view.task.task_id, WatchStatus.COMPLETE, "complete", now=now, retain_until=now + RETAIN_FINISHED
        )


def announce_task_end(
    view: TaskView,
    *,
    watch: WatchStatus,
    reason: str,
    table: TaskTable,
    notifier: Notifier,
    bucket_name: str,
    now: datetime,
) -> None:
    """Tell subscribers why a task stopped (gave up, forbidden, ended, failed), once; then stop watching it."""
    event = _build(view, _ENDINGS[watch], bucket_name, now, reason=reason)
    _publish_once(event, view, table, notifier, now)
    table.finish_task(view.task.task_id, watch, reason, now=now, retain_until=now + RETAIN_FINISHED)


def _publish_once(event: Notification, view: TaskView, table: TaskTable, notifier: Notifier, now: datetime) -> bool:
    """Claim (conditional write), publish, confirm. A claim left PENDING by a crash is published again, same id."""
    known = view.task.notifications.get(event.event_id)
    if known is not None and known.state is NotificationState.PUBLISHED:
        return False
    claim = NotificationClaim(event_id=event.event_id, event_type=event.event_type.value, claimed_at=now)
    if table.claim_notification(view.task.task_id, claim) is NotificationState.PUBLISHED:
        return False
    notifier.publish(
        subject=subject_of(event, view),
        default_text=email_text(event),
        email_text=email_text(event),
        json_text=event.model_dump_json(by_alias=True),
        attributes={
            "eventType": event.event_type.value,
            "taskId": event.task_id,
            "productTypes": [derivative.product_type for derivative in event.derivatives] or ["NONE"],
        },
    )
    table.mark_notification_published(view.task.task_id, event.event_id, now=now)
    return True


def _build(
    view: TaskView,
    event_type: EventType,
    bucket_name: str,
    now: datetime,
    *,
    only: str | None = None,
    reason: str | None = None,
) -> Notification:
    task = view.task
    derivatives = []
    for product_type in task.expected_types:
        if only is not None and product_type != only:
            continue
        record = view.types.get(product_type)
        if record is None:
            continue
        files = [
            NotifiedFile(
                s3_uri=f"s3://{bucket_name}/{file.stored.object_key}",
                bytes=file.stored.size_bytes,
                sha256=file.stored.sha256,
                feature_count=file.stored.feature_count,
                crs=file.stored.crs,
                content_problem=file.stored.content_problem,
            )
            for file in sorted(record.files.values(), key=lambda f: f.file_name)
            if file.stored is not None
        ]
        derivatives.append(
            NotifiedDerivative(
                product_type=product_type,
                derivative_id=record.derivative_id,
                image_reference=record.image_reference,
                state=record.state,
                files=files,
            )
        )
    previous = task.history[-1].previous if task.history else None
    return Notification(
        event_type=event_type,
        event_id=event_id(task.task_id, event_type, only),
        task_id=task.task_id,
        label=task.label,
        previous_result=previous,
        result=task.result,
        occurred_at=now,
        reason=reason,
        derivatives=derivatives,
    )


_HEADLINES = {
    EventType.DERIVATIVE_AVAILABLE: "ICEYE derivative copied",
    EventType.DERIVATIVES_COMPLETE: "ICEYE derivatives complete",
    EventType.DERIVATIVES_FAILED: "ICEYE derivatives failed",
    EventType.TASK_GAVE_UP: "ICEYE task given up",
    EventType.TASK_STOPPED: "ICEYE task stopped",
}


def subject_of(event: Notification, view: TaskView) -> str:
    """An email subject under 100 characters."""
    subject = f"{_HEADLINES[event.event_type]}: {view.task.label or event.task_id}"
    return subject if len(subject) < 100 else subject[:96] + "..."


def email_text(event: Notification) -> str:
    """The readable text email subscribers get: what was detected, how much, where the files are."""
    lines = [f"{_HEADLINES[event.event_type]}.", "", f"Task: {event.task_id}"]
    if event.label:
        lines.append(f"Label: {event.label}")
    if event.result is not None:
        lines.append(f"ICEYE result: {event.result.value} (HTTP {event.result.http_status})")
    if event.reason:
        lines.append(f"Reason: {event.reason}")
    for derivative in event.derivatives:
        features = sum(file.feature_count or 0 for file in derivative.files)
        counts = f"{features} detections in {len(derivative.files)} file(s)"
        lines += ["", f"{derivative.product_type}: {derivative.state.value}, {counts}"]
        for file in derivative.files:
            size = f"{file.bytes:,} bytes"
            note = f" - WARNING: {file.content_problem}" if file.content_problem else ""
            crs = f", CRS {file.crs}" if file.crs else ""
            lines.append(f"  {file.s3_uri} ({size}{crs}){note}")
            lines.append(f"    sha256 {file.sha256}")
    lines += ["", f"Event {event.event_id} at {event.occurred_at.isoformat()}"]
    return "\n".join(lines)
