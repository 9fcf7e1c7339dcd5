"""Pydantic models of ICEYE Tasking API v2 bodies. (Owned by the client work: extend freely, keep these names.)"""

from __future__ import annotations

from enum import StrEnum


class Availability(StrEnum):
    """What the derivatives endpoint said overall. The only place that knows 206 means "partial result"."""

    NOT_AVAILABLE = "NOT_AVAILABLE"  # 404: unknown task, nothing requested, or nothing ready yet
    PARTIAL = "PARTIAL"  # 206: some requested derivatives have files
    COMPLETE = "COMPLETE"  # 200: every requested derivative has files

    @classmethod
    def from_status(cls, status: int) -> Availability:
        """The availability an HTTP status code of the derivatives endpoint stands for."""
        return {404: cls.NOT_AVAILABLE, 206: cls.PARTIAL, 200: cls.COMPLETE}[status]

    @property
    def http_status(self) -> int:
        """The status code ICEYE answered with (404, 206 or 200)."""
        return {"NOT_AVAILABLE": 404, "PARTIAL": 206, "COMPLETE": 200}[self.value]

    @property
    def rank(self) -> int:
        """Order of progress: results only ever move to a higher rank."""
        return {404: 0, 206: 1, 200: 2}[self.http_status]


class DerivativeProductType(StrEnum):
    """The derivative product types ICEYE documents today (ICEYE may add more: unknown ones are kept as strings)."""

    DC_AIRCRAFT = "DC_AIRCRAFT"
    DC_VESSELS = "DC_VESSELS"
    DC_VEHICLES = "DC_VEHICLES"


KNOWN_PRODUCT_TYPES: frozenset[str] = frozenset(member.value for member in DerivativeProductType)

DERIVATIVE_IMAGING_MODES: frozenset[str] = frozenset(
    {
        "SPOTLIGHT",
        "SPOTLIGHT_FINE",
        "SPOTLIGHT_FINE_1L",
        "SPOTLIGHT_EXTENDED_DWELL",
        "SPOTLIGHT_EXTENDED_DWELL_FINE",
    }
)


class TaskStatus(StrEnum):
    """A task's lifecycle: RECEIVED -> ACTIVE -> FULFILLED -> DONE, or one of the other terminal states."""

    RECEIVED = "RECEIVED"
    ACTIVE = "ACTIVE"
    FULFILLED = "FULFILLED"
    DONE = "DONE"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"

    @property
    def is_unsuccessful_end(self) -> bool:
        """Terminal without imagery: derivatives will never come."""
        return self in (TaskStatus.REJECTED, TaskStatus.FAILED, TaskStatus.CANCELED)
