"""The ICEYE Tasking API v2 client: the only code that knows its paths, status codes and bodies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from pydantic import BaseModel, ValidationError

from relay.iceye import signed_urls
from relay.iceye.auth import TokenProvider, credentials_from_secrets_manager
from relay.iceye.errors import (
    FileAccessDenied,
    FileDownloadError,
    FileUrlExpired,
    FileUrlRefused,
    IceyeAuthenticationError,
    IceyeBadResponse,
    IceyeError,
    IceyeNotFound,
    IceyePermissionError,
    IceyeRequestRejected,
    IceyeServerError,
    IceyeThrottled,
    IceyeUnavailable,
    IncompatibleImagingModeError,
    Problem,
)
from relay.iceye.http import RetryPolicy, shared_session
from relay.iceye.models import Availability, DerivativesBody, DerivativesResult, NewTask, Task, TaskPage
from relay.observability import logger
from relay.settings import IceyeSettings

TASKS_PATH = "/api/tasking/v2/tasks"


class IceyeClient:
    """Typed calls to ICEYE with one token provider and one pooled session shared by every thread."""

    def __init__(self, settings: IceyeSettings, tokens: TokenProvider, session: requests.Session) -> None:
        self._base_url = str(settings.api_base_url).rstrip("/")
        self._tokens = tokens
        self._session = session
        self._verify: bool | str = settings.ca_bundle or True
        self._timeout = (settings.connect_timeout_seconds, settings.read_timeout_seconds)

    @classmethod
    def from_settings(cls, settings: IceyeSettings, retry: RetryPolicy | None = None) -> IceyeClient:
        """A client whose credentials come from the Secrets Manager secret the settings name."""
        session = shared_session(settings.max_connections, retry)
        tokens = TokenProvider(
            str(settings.token_url),
            credentials_from_secrets_manager(settings.credentials_secret_id),
            session,
            verify=settings.ca_bundle or True,
            timeout=(settings.connect_timeout_seconds, settings.read_timeout_seconds),
        )
        return cls(settings, tokens, session)

    # ------------------------------------------------------------------------------- the API
    def get_derivatives(self, task_id: str) -> DerivativesResult:
        """What is ready for a task: COMPLETE (200), PARTIAL (206) or NOT_AVAILABLE (404), with its derivatives."""
        response = self._request("GET", f"{TASKS_PATH}/{_segment(task_id)}/derivatives")
        if response.status_code == 404:
            return DerivativesResult(
                task_id=task_id, availability=Availability.NOT_AVAILABLE, problem=_problem_of(response)
            )
        if response.status_code not in (200, 206):
            raise self._error_for(response)
        availability = Availability.from_status(response.status_code)
        body = _parse(response, DerivativesBody, "derivatives")
        ready = [derivative.is_ready for derivative in body.data]
        if availability is Availability.COMPLETE and not all(ready):
            raise IceyeBadResponse(
                "ICEYE answered 200 (all derivatives ready) but some derivatives have no files.", status=200
            )
        if availability is Availability.PARTIAL and (all(ready) or not any(ready)):
            state = "every" if ready and all(ready) else "no"
            raise IceyeBadResponse(
                f"ICEYE answered 206 (some derivatives ready) but {state} derivative has files.", status=206
            )
        result = DerivativesResult(task_id=task_id, availability=availability, derivatives=body.data)
        if result.unknown_product_types:
            logger.warning(
                "ICEYE reported derivative product types this relay does not know; kept, not copied",
                extra={"task_id": task_id, "unknown_product_types": result.unknown_product_types},
            )
        return result

    def get_task(self, task_id: str) -> Task:
        """The task as ICEYE reports it now."""
        response = self._request("GET", f"{TASKS_PATH}/{_segment(task_id)}")
        if response.status_code != 200:
            raise self._error_for(response)
        return _parse(response, Task, "task")

    def list_tasks(
        self, *, contract_id: str | None = None, created_after: datetime | None = None, limit: int = 100
    ) -> Iterator[Task]:
        """Every task matching the filters, following `cursor` pages until the last (which has none)."""
        params: dict[str, str] = {"limit": str(limit)}
        if contract_id:
            params["contractID"] = contract_id
        if created_after:
            params["createdAfter"] = created_after.astimezone(UTC).isoformat().replace("+00:00", "Z")
        while True:
            response = self._request("GET", TASKS_PATH, params=params)
            if response.status_code != 200:
                raise self._error_for(response)
            page = _parse(response, TaskPage, "task list")
            yield from page.data
            if not page.cursor:
                return
            params = {**params, "cursor": page.cursor}

    def create_task(self, task: NewTask) -> Task:
        """Create a task (201). Derivatives for a non-spotlight mode or without GRD are refused before sending."""
        reason = task.derivatives_incompatibility()
        if reason:
            raise IncompatibleImagingModeError(f"{IncompatibleImagingModeError.code}: {reason}", status=None)
        response = self._request("POST", TASKS_PATH, json=task.model_dump(mode="json", by_alias=True))
        if response.status_code not in (200, 201):
            raise self._error_for(response)
        return _parse(response, Task, "created task")

    def open_file(self, href: str) -> requests.Response:
        """A streaming GET of a signed file URL (no bearer token: the file host is CloudFront). Close it after use."""
        redacted = signed_urls.redact_url(href)
        if urlsplit(href).scheme != "https":
            raise FileUrlRefused(f"Refusing to download {redacted}: only https URLs are fetched.")
        try:
            response = self._session.get(
                href, stream=True, timeout=self._timeout, verify=self._verify, headers={"Accept": "*/*"}
            )
        except requests.RequestException as error:
            raise IceyeUnavailable(f"Could not download {redacted} ({type(error).__name__}).") from None
        if response.status_code == 200:
            return response
        response.close()
        if response.status_code == 403:
            expiry = signed_urls.expires_at(href)
            if expiry is not None and expiry <= datetime.now(UTC):
                raise FileUrlExpired(f"The signed URL {redacted} has expired (403).", status=403)
            raise FileAccessDenied(f"The file host refused {redacted} (403: signature refused).", status=403)
        raise FileDownloadError(
            f"Downloading {redacted} failed with HTTP {response.status_code}.", status=response.status_code
        )

    # ------------------------------------------------------------------------------- plumbing
    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One API call with a bearer token; on 401, one new token and one more try."""
        for attempt in (1, 2):
            token = self._tokens.token()
            response = self._send(method, path, token, **kwargs)
            if response.status_code != 401:
                return response
            self._tokens.invalidate(token)
            if attempt == 1:
                logger.info("ICEYE refused the access token; fetching a new one", extra={"path": path})
        raise IceyeAuthenticationError(
            "ICEYE refused the access token twice, a fresh one included.", status=401, problem=_problem_of(response)
        )

    def _send(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self._session.request(
                method,
                self._base_url + path,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self._timeout,
                verify=self._verify,
                **kwargs,
            )
        except requests.RequestException as error:
            raise IceyeUnavailable(
                f"ICEYE could not be reached for {method} {path} ({type(error).__name__})."
            ) from None
        logger.debug(
            "ICEYE call",
            extra={
                "method": method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    def _error_for(self, response: requests.Response) -> IceyeError:
        status = response.status_code
        problem = _problem_of(response)
        path = urlsplit(response.url).path
        if status == 400:
            if problem and problem.code == IncompatibleImagingModeError.code:
                return IncompatibleImagingModeError(
                    f"ICEYE refused the request to {path}.", status=400, problem=problem
                )
            return IceyeRequestRejected(f"ICEYE refused the request to {path} (400).", status=400, problem=problem)
        if status == 403:
            return IceyePermissionError(f"ICEYE denied access to {path} (403).", status=403, problem=problem)
        if status == 404:
            return IceyeNotFound(f"ICEYE found nothing at {path} (404).", status=404, problem=problem)
        if status == 429:
            return IceyeThrottled(
                f"ICEYE is rate limiting requests to {path} (429).",
                retry_after=_retry_after(response.headers.get("Retry-After")),
                problem=problem,
            )
        if status >= 500:
            return IceyeServerError(f"ICEYE failed on {path} (HTTP {status}).", status=status, problem=problem)
        return IceyeBadResponse(f"ICEYE answered {path} with unexpected HTTP {status}.", status=status, problem=problem)


def _segment(value: str) -> str:
    """A path segment, escaped so an id can never change the path."""
    return quote(value, safe="")


def _problem_of(response: requests.Response) -> Problem | None:
    try:
        return Problem.parse(response.json())
    except (ValueError, json.JSONDecodeError):
        return None


def _parse[Body: BaseModel](response: requests.Response, model: type[Body], what: str) -> Body:
    """The body as `model`, or an IceyeBadResponse naming what was wrong (never echoing the body itself)."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or 'body'}: {issue['msg']}"
            for issue in error.errors(include_url=False, include_input=False)[:5]
        )
        kind = (
            "not JSON"
            if any(issue["type"] == "json_invalid" for issue in error.errors())
            else "not the documented shape"
        )
        raise IceyeBadResponse(
            f"ICEYE's {what} answer (HTTP {response.status_code}) is {kind}: {problems}", status=response.status_code
        ) from None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait, from a Retry-After header in seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
