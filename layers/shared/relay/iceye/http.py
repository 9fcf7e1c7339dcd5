"""The one HTTP session per process: pooled connections, bounded retries with backoff and jitter, our User-Agent."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from relay import USER_AGENT

ACCEPT = "application/json, application/problem+json"
RETRIED_STATUSES = frozenset({500, 502, 503, 504})


class _RetryServerErrors(Retry):
    """urllib3's Retry, minus its habit of sleeping out a 429's Retry-After: the poller backs off across runs."""

    RETRY_AFTER_STATUS_CODES = frozenset({503})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry 5xx answers and connection errors (429 is never retried here)."""

    attempts: int = 3
    backoff_factor: float = 0.5
    backoff_jitter: float = 0.5
    backoff_max: float = 10.0

    def to_urllib3(self) -> Retry:
        """urllib3's Retry: exponential backoff with jitter, GET/HEAD only for read errors (never a duplicate POST)."""
        return _RetryServerErrors(
            total=self.attempts,
            connect=self.attempts,
            read=self.attempts,
            status=self.attempts,
            other=0,
            allowed_methods=frozenset({"GET", "HEAD"}),
            status_forcelist=RETRIED_STATUSES,
            backoff_factor=self.backoff_factor,
            backoff_jitter=self.backoff_jitter,
            backoff_max=self.backoff_max,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last 5xx answer reaches the client, which raises a typed error
        )


_sessions: dict[tuple[int, RetryPolicy], requests.Session] = {}
_lock = threading.Lock()


def new_session(max_connections: int, retry: RetryPolicy) -> requests.Session:
    """A session whose pool holds `max_connections` per host, retrying per `retry`.

    `trust_env` is off: a `REQUESTS_CA_BUNDLE` or proxy in the environment must not silently replace the
    configured trust store; the client passes `verify` on every request.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max_connections, max_retries=retry.to_urllib3())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": ACCEPT})
    return session


def shared_session(max_connections: int, retry: RetryPolicy | None = None) -> requests.Session:
    """The process-wide session for these settings (reused across warm Lambda invocations)."""
    key = (max_connections, retry or RetryPolicy())
    with _lock:
        if key not in _sessions:
            _sessions[key] = new_session(*key)
        return _sessions[key]
