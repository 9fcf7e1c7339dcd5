"""The log of every request the simulator answered, for tests to assert on."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordedRequest:
    """One answered request: what was asked, what was answered, when (sim time), and by which client."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    at: datetime
    client_id: str | None


class RequestLog:
    """Append-only and thread-safe; readers get snapshots."""

    def __init__(self) -> None:
        """An empty log."""
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []

    def record(self, entry: RecordedRequest) -> None:
        """Append one request."""
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._entries)

    def matching(self, path_fragment: str, method: str | None = None) -> list[RecordedRequest]:
        """The requests whose path contains `path_fragment` (and whose method is `method`, when given)."""
        return [
            entry
            for entry in self.snapshot()
            if path_fragment in entry.path and (method is None or entry.method.upper() == method.upper())
        ]

    def clear(self) -> None:
        """Forget every request so far."""
        with self._lock:
            self._entries.clear()
