"""Times on the wire: ISO-8601 in UTC with a `Z`, as the Tasking API writes them."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_z(when: datetime) -> str:
    """`2026-11-24T08:00:00.000Z`."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """An ISO-8601 time as tz-aware UTC (a time without offset is taken as UTC); ValueError when unreadable."""
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
