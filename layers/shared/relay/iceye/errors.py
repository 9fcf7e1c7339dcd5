"""Typed errors of the ICEYE client: every failure the rest of the relay can meet, each a plain sentence."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from relay.iceye.signed_urls import redact_text


class Problem(BaseModel):
    """An RFC 7807 problem+json body as ICEYE sends it (`details`, or the RFC's `detail`)."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = None
    code: str | None = None
    details: str | None = None
    reference: str | None = None
    type: str | None = None
    status: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_rfc_detail(cls, data: Any) -> Any:
        if isinstance(data, dict) and "details" not in data and "detail" in data:
            return {**data, "details": data["detail"]}
        return data

    @classmethod
    def parse(cls, body: Any) -> Problem | None:
        """The problem in a decoded JSON body, or None when it is not one."""
        if not isinstance(body, dict):
            return None
        try:
            problem = cls.model_validate(body)
        except ValidationError:
            return None
        return problem if (problem.title or problem.code or problem.details) else None

    def describe(self) -> str:
        """A one-line summary, with any URL query string redacted."""
        parts = [part for part in (self.code, self.title, self.details) if part]
        text = ": ".join(parts)
        if self.reference:
            text += f" (reference {self.reference})"
        return redact_text(text)


class IceyeError(Exception):
    """Anything that went wrong talking to ICEYE."""

    def __init__(self, message: str, *, status: int | None = None, problem: Problem | None = None) -> None:
        detail = f" ICEYE said: {problem.describe()}" if problem else ""
        super().__init__(redact_text(message + detail))
        self.status = status
        self.problem = problem


class IceyeAuthenticationError(IceyeError):
    """401: the token was refused even after fetching a new one, or the credentials were refused."""


class IceyePermissionError(IceyeError):
    """403: these credentials may not read this task (another contract's)."""


class IceyeNotFound(IceyeError):
    """404 where it means "no such thing" (get_task)."""


class IceyeThrottled(IceyeError):
    """429: slow down; `retry_after` seconds when ICEYE said."""

    def __init__(self, message: str, *, retry_after: float | None, problem: Problem | None = None) -> None:
        super().__init__(message, status=429, problem=problem)
        self.retry_after = retry_after


class IceyeServerError(IceyeError):
    """5xx that did not go away after the bounded retries."""


class IceyeUnavailable(IceyeError):
    """ICEYE could not be reached (connection refused, reset, timed out) after the bounded retries."""


class IceyeBadResponse(IceyeError):
    """A body that is not JSON, not the documented shape, or disagrees with its status code."""


class IceyeRequestRejected(IceyeError):
    """400: ICEYE refused the request."""


class IncompatibleImagingModeError(IceyeRequestRejected):
    """Derivatives requested for an imaging mode that cannot have them, or without GRD."""

    code = "INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES"


class IceyeConfigurationError(IceyeError):
    """The relay's own configuration is wrong (the credentials secret's shape, a setting)."""


class FileDownloadError(IceyeError):
    """A signed file URL could not be downloaded."""


class FileUrlExpired(FileDownloadError):
    """403 from the file host after the URL's `Expires`: ask for a fresh URL."""


class FileAccessDenied(FileDownloadError):
    """403 from the file host before expiry (a bad signature): a fresh URL may still help once."""


class FileUrlRefused(FileDownloadError):
    """A file URL the relay will not fetch (not https)."""
