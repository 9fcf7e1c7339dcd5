"""Faults a test switches on: each affects the next `times` matching requests, consumed first in, first out per kind.

Unless `path_contains` says otherwise, request faults hit the Tasking API (`/api/`), download faults hit file
downloads (`/files/`): a test that throttles the API still gets its token and its files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

API_SCOPE = "/api/"
DOWNLOAD_SCOPE = "/files/"
DERIVATIVES_SCOPE = "/derivatives"


@dataclass(frozen=True)
class Throttle:
    """429 problem+json, with a `Retry-After` header when `retry_after` is set."""

    retry_after: int | None
    scope: ClassVar[str] = API_SCOPE


@dataclass(frozen=True)
class ServerError:
    """A 5xx problem+json."""

    status: int
    scope: ClassVar[str] = API_SCOPE


@dataclass(frozen=True)
class HtmlError:
    """An error page in text/html, as a load balancer in front of the API would send."""

    status: int
    scope: ClassVar[str] = API_SCOPE


@dataclass(frozen=True)
class Slow:
    """Sleep `seconds` of real time before answering."""

    seconds: float
    scope: ClassVar[str] = API_SCOPE


@dataclass(frozen=True)
class MalformedJson:
    """200 with a body that is not JSON."""

    scope: ClassVar[str] = API_SCOPE


@dataclass(frozen=True)
class WrongShape:
    """200 with valid JSON of the wrong shape."""

    scope: ClassVar[str] = API_SCOPE


@dataclass(frozen=True)
class ResetDownload:
    """Abort the TCP connection (RST) after `after_bytes` bytes of the file body."""

    after_bytes: int
    scope: ClassVar[str] = DOWNLOAD_SCOPE


@dataclass(frozen=True)
class TruncateDownload:
    """Announce the full Content-Length, send `after_bytes` bytes, close."""

    after_bytes: int
    scope: ClassVar[str] = DOWNLOAD_SCOPE


@dataclass(frozen=True)
class UnknownProductType:
    """An extra ready derivative of type `name` in derivatives responses."""

    name: str
    scope: ClassVar[str] = DERIVATIVES_SCOPE


@dataclass(frozen=True)
class StatusBodyMismatch:
    """200 although some derivative still has empty assets."""

    scope: ClassVar[str] = DERIVATIVES_SCOPE


type Fault = (
    Throttle
    | ServerError
    | HtmlError
    | Slow
    | MalformedJson
    | WrongShape
    | ResetDownload
    | TruncateDownload
    | UnknownProductType
    | StatusBodyMismatch
)


@dataclass
class _Armed:
    fault: Fault
    remaining: int | None  # None: until clear()
    path_contains: str | None

    def matches(self, path: str) -> bool:
        return (self.path_contains or self.fault.scope) in path


class FaultInjector:
    """The switchboard of faults; thread-safe. `times=None` keeps a fault on until `clear()`."""

    def __init__(self, expire_tokens: Callable[[], None]) -> None:
        """`expire_tokens` is what `expire_tokens()` runs: the simulator's own token reset."""
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._expire_tokens = expire_tokens

    def throttle(
        self, retry_after: int | None = 30, *, times: int | None = 1, path_contains: str | None = None
    ) -> None:
        """Answer 429 problem+json (with `Retry-After: <retry_after>` unless None)."""
        self._arm(Throttle(retry_after), times, path_contains)

    def server_error(self, status: int = 500, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Answer `status` (5xx) problem+json."""
        self._arm(ServerError(status), times, path_contains)

    def html_error(self, status: int = 502, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Answer `status` with an HTML page, not JSON."""
        self._arm(HtmlError(status), times, path_contains)

    def slow(self, seconds: float, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Sleep `seconds` of REAL time before answering."""
        self._arm(Slow(seconds), times, path_contains)

    def reset_download(self, after_bytes: int, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Abort the TCP connection (RST) after sending `after_bytes` bytes of a file."""
        self._arm(ResetDownload(after_bytes), times, path_contains)

    def truncate_download(self, after_bytes: int, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Send the full Content-Length but only `after_bytes` bytes of a file, then close the connection."""
        self._arm(TruncateDownload(after_bytes), times, path_contains)

    def malformed_json(self, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Answer 200 with a truncated, unparseable JSON body."""
        self._arm(MalformedJson(), times, path_contains)

    def wrong_shape(self, *, times: int | None = 1, path_contains: str | None = None) -> None:
        """Answer 200 with valid JSON of the wrong shape: `{"data": {"oops": 1}}`."""
        self._arm(WrongShape(), times, path_contains)

    def unknown_product_type(self, name: str = "DC_SOMETHING_NEW", *, times: int | None = None) -> None:
        """Add a ready derivative of type `name`, with a file, to derivatives responses of every task."""
        self._arm(UnknownProductType(name), times, None)

    def status_body_mismatch(self, *, times: int | None = 1) -> None:
        """Answer 200 on the derivatives endpoint although a requested derivative has empty assets."""
        self._arm(StatusBodyMismatch(), times, None)

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (sim clock); new ones are valid again."""
        self._expire_tokens()

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._armed.clear()

    def pending(self) -> int:
        """How many faults are still armed."""
        with self._lock:
            return len(self._armed)

    def take[F: Fault](self, kind: type[F], path: str) -> F | None:
        """The oldest armed fault of `kind` that applies to `path`, counting one use of it; None if there is none."""
        with self._lock:
            for armed in self._armed:
                if isinstance(armed.fault, kind) and armed.matches(path):
                    if armed.remaining is not None:
                        armed.remaining -= 1
                        if armed.remaining == 0:
                            self._armed.remove(armed)
                    return armed.fault
        return None

    def _arm(self, fault: Fault, times: int | None, path_contains: str | None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be >= 1, or None for always")
        with self._lock:
            self._armed.append(_Armed(fault, times, path_contains))
