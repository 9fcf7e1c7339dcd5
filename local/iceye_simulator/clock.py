"""The simulated clock every timeline, token and signed URL of the simulator is measured against."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """A thread-safe clock: frozen until advanced (manual mode), or running `speed` times faster than real time."""

    def __init__(self, start: datetime | None = None, *, speed: float | None = None) -> None:
        """Start at `start` (default: the real time now, to the second); `speed=None` means manual mode."""
        if speed is not None and speed < 0:
            raise ValueError("speed must be >= 0")
        self._lock = threading.Lock()
        self._speed = speed or 0.0
        self._anchor = _utc(start) if start is not None else datetime.now(UTC).replace(microsecond=0)
        self._anchored_at = time.monotonic()

    @property
    def speed(self) -> float | None:
        """Simulated seconds per real second, or None in manual mode."""
        return self._speed or None

    def now(self) -> datetime:
        """The simulated time, tz-aware UTC."""
        with self._lock:
            return self._now_locked()

    def advance(self, delta: timedelta) -> None:
        """Move simulated time forward (or back, with a negative delta)."""
        with self._lock:
            self._anchor = self._now_locked() + delta
            self._anchored_at = time.monotonic()

    def set(self, when: datetime) -> None:
        """Jump to `when` (tz-aware)."""
        with self._lock:
            self._anchor = _utc(when)
            self._anchored_at = time.monotonic()

    def _now_locked(self) -> datetime:
        if not self._speed:
            return self._anchor
        return self._anchor + timedelta(seconds=(time.monotonic() - self._anchored_at) * self._speed)


def _utc(when: datetime) -> datetime:
    # A naive datetime would silently mean local time: refuse it rather than guess.
    if when.tzinfo is None:
        raise ValueError("SimClock needs tz-aware datetimes")
    return when.astimezone(UTC)
