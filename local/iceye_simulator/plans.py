"""What a test asks the simulator to play: a task's timeline and its derivatives, and the files they serve."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# The imaging modes ICEYE computes derivatives for (others get INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES).
DERIVATIVE_IMAGING_MODES: frozenset[str] = frozenset(
    {"SPOTLIGHT", "SPOTLIGHT_FINE", "SPOTLIGHT_FINE_1L", "SPOTLIGHT_EXTENDED_DWELL", "SPOTLIGHT_EXTENDED_DWELL_FINE"}
)
KNOWN_PRODUCT_TYPES: tuple[str, ...] = ("DC_AIRCRAFT", "DC_VESSELS", "DC_VEHICLES")
UNSUCCESSFUL_END_STATUSES: frozenset[str] = frozenset({"REJECTED", "FAILED", "CANCELED"})
# Statuses that mean the GRD product exists, so derivative processing can start.
IMAGERY_STATUSES: frozenset[str] = frozenset({"FULFILLED", "DONE"})


def default_status_timeline() -> list[tuple[timedelta, str]]:
    """RECEIVED at creation, ACTIVE after 10 minutes, FULFILLED after 2 hours, DONE after 3 hours."""
    return [
        (timedelta(0), "RECEIVED"),
        (timedelta(minutes=10), "ACTIVE"),
        (timedelta(hours=2), "FULFILLED"),
        (timedelta(hours=3), "DONE"),
    ]


@dataclass
class DerivativePlan:
    """One requested derivative: when its files appear (after task creation; None = never) and what they weigh."""

    product_type: str
    ready_after: timedelta | None = timedelta(hours=4)
    file_size: int = 20_000
    files: int = 1


@dataclass
class TaskPlan:
    """A task as the simulator will play it on the sim clock."""

    derivatives: list[DerivativePlan] = field(default_factory=list)
    imaging_mode: str = "SPOTLIGHT"
    product_types: list[str] = field(default_factory=lambda: ["GRD"])
    contract_id: str | None = None
    task_id: str | None = None
    created_at: datetime | None = None
    status_timeline: list[tuple[timedelta, str]] = field(default_factory=default_status_timeline)
    end_status: tuple[timedelta, str] | None = None
    url_lifetime: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class SimFile:
    """One file a task serves, with the SHA-256 (hex) of the exact bytes the download endpoint sends."""

    task_id: str
    product_type: str
    derivative_id: str
    file_name: str
    size: int
    sha256: str
