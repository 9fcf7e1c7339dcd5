"""Tasks as the simulator plays them: a plan placed on the sim clock, and the thread-safe book that holds them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from iceye_simulator.detections import DetectionFile
from iceye_simulator.plans import IMAGERY_STATUSES, UNSUCCESSFUL_END_STATUSES, DerivativePlan, TaskPlan
from iceye_simulator.timestamps import iso_z

# Fixed, so derivative ids and image references are the same on every run.
_NAMESPACE = uuid.UUID("6f1d8c1e-58a3-4f53-9d57-3c0a4e1c2b7d")


@dataclass(eq=False)
class SimTask:
    """One task: its plan resolved (id, contract, creation time) and what it looks like at any sim time."""

    plan: TaskPlan
    task_id: str
    contract_id: str
    created_at: datetime
    point_of_interest: dict[str, float]
    acquisition_window: dict[str, str]
    _extras: dict[str, DerivativePlan] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def image_reference(self) -> str:
        """The UUID of the task's (simulated) source image."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.task_id}/image"))

    @property
    def image_id(self) -> str:
        """The alternative string identifier of the source image."""
        digest = hashlib.sha256(self.task_id.encode()).hexdigest()[:6].upper()
        return f"ICEYE_GRD_SLED_{self.created_at:%Y%m%dT%H%M%S}_{digest}"

    def derivative_id(self, product_type: str) -> str:
        """Stable per (task, product type)."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.task_id}/{product_type}"))

    def timeline(self) -> list[tuple[timedelta, str]]:
        """The statuses in order, `end_status` replacing whatever the plan had from its moment on."""
        steps = sorted(self.plan.status_timeline, key=lambda step: step[0])
        if self.plan.end_status is None:
            return steps
        end_offset, _ = self.plan.end_status
        return [step for step in steps if step[0] < end_offset] + [self.plan.end_status]

    def status_at(self, now: datetime) -> str:
        """The task's status at sim time `now` (its first status before creation)."""
        steps = self.timeline()
        elapsed = now - self.created_at
        current = steps[0][1] if steps else "RECEIVED"
        for offset, status in steps:
            if offset <= elapsed:
                current = status
        return current

    @property
    def can_have_derivatives(self) -> bool:
        """False when the task ends unsuccessfully before its GRD product exists: derivatives never come."""
        for _, status in self.timeline():
            if status in IMAGERY_STATUSES:
                return True
            if status in UNSUCCESSFUL_END_STATUSES:
                return False
        return True

    def is_ready(self, derivative: DerivativePlan, now: datetime) -> bool:
        """Whether `derivative` has files at sim time `now`."""
        return (
            self.can_have_derivatives
            and derivative.ready_after is not None
            and now >= self.created_at + derivative.ready_after
        )

    def add_extra(self, product_type: str) -> DerivativePlan:
        """An unrequested derivative served on top of the plan (remembered, so its URLs keep working)."""
        with self._lock:
            return self._extras.setdefault(product_type, DerivativePlan(product_type, ready_after=timedelta(0)))

    def all_derivatives(self) -> list[DerivativePlan]:
        """The planned derivatives, then any extra ones served so far."""
        with self._lock:
            extras = list(self._extras.values())
        return [*self.plan.derivatives, *extras]

    def files_of(self, derivative: DerivativePlan) -> list[DetectionFile]:
        """The files `derivative` serves, in order."""
        derivative_id = self.derivative_id(derivative.product_type)
        return [
            DetectionFile(self.task_id, derivative_id, derivative.product_type, index, derivative.file_size)
            for index in range(1, derivative.files + 1)
        ]

    def find_file(self, derivative_id: str, name: str) -> DetectionFile | None:
        """The file at /files/<task>/<derivative_id>/<name>, or None."""
        for derivative in self.all_derivatives():
            if self.derivative_id(derivative.product_type) == derivative_id:
                for file in self.files_of(derivative):
                    if file.name == name:
                        return file
        return None

    def to_json(self, now: datetime) -> dict[str, object]:
        """The task as the Tasking API returns it, at sim time `now`."""
        return {
            "id": self.task_id,
            "contractID": self.contract_id,
            "status": self.status_at(now),
            "imagingMode": self.plan.imaging_mode,
            "productTypes": list(self.plan.product_types),
            "derivativeProductTypes": [derivative.product_type for derivative in self.plan.derivatives],
            "pointOfInterest": dict(self.point_of_interest),
            "acquisitionWindow": dict(self.acquisition_window),
            "createdAt": iso_z(self.created_at),
        }


def place(plan: TaskPlan, contract_id: str, now: datetime) -> SimTask:
    """A task for `plan`: missing id, contract and creation time filled in, a plausible place and window invented."""
    task_id = plan.task_id or str(uuid.uuid4())
    created_at = plan.created_at or now
    if created_at.tzinfo is None:
        raise ValueError("TaskPlan.created_at must be tz-aware")
    created_at = created_at.astimezone(UTC)  # one zone, so creation times sort as text in cursors
    seed = hashlib.sha256(task_id.encode()).digest()
    return SimTask(
        plan=plan,
        task_id=task_id,
        contract_id=plan.contract_id or contract_id,
        created_at=created_at,
        # Inside UTM zone 33N, the projection the detection files use.
        point_of_interest={"lat": round(38 + seed[0] / 255 * 14, 6), "lon": round(12 + seed[1] / 255 * 6, 6)},
        acquisition_window={
            "start": iso_z(created_at + timedelta(minutes=10)),
            "end": iso_z(created_at + timedelta(hours=2)),
        },
    )


class InvalidCursorError(ValueError):
    """A list cursor this simulator did not issue."""


class TaskBook:
    """Every task of the simulator, by id, listed in creation order; thread-safe."""

    def __init__(self) -> None:
        """An empty book."""
        self._lock = threading.Lock()
        self._tasks: dict[str, SimTask] = {}

    def add(self, task: SimTask) -> None:
        """Add a task (ValueError if its id is taken)."""
        with self._lock:
            if task.task_id in self._tasks:
                raise ValueError(f"task {task.task_id} already exists")
            self._tasks[task.task_id] = task

    def get(self, task_id: str) -> SimTask | None:
        """The task, or None."""
        with self._lock:
            return self._tasks.get(task_id)

    def all(self) -> list[SimTask]:
        """Every task, oldest first."""
        with self._lock:
            tasks = list(self._tasks.values())
        return sorted(tasks, key=_order)

    def page(
        self, *, contract_id: str, created_after: datetime | None, limit: int, cursor: str | None
    ) -> tuple[list[SimTask], str | None]:
        """One page of a contract's tasks, oldest first, and the cursor of the next page (None on the last)."""
        after = _decode_cursor(cursor) if cursor else None
        matching = [
            task
            for task in self.all()
            if task.contract_id == contract_id
            and (created_after is None or task.created_at > created_after)
            and (after is None or _order(task) > after)
        ]
        page = matching[:limit]
        next_cursor = _encode_cursor(page[-1]) if len(matching) > limit else None
        return page, next_cursor


def _order(task: SimTask) -> tuple[str, str]:
    return (task.created_at.isoformat(timespec="microseconds"), task.task_id)


def _encode_cursor(task: SimTask) -> str:
    return base64.urlsafe_b64encode(json.dumps(_order(task)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        created, task_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise InvalidCursorError(cursor) from error
    if not isinstance(created, str) or not isinstance(task_id, str):
        raise InvalidCursorError(cursor)
    return created, task_id
