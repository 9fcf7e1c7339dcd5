"""Pydantic models of ICEYE Tasking API v2 bodies, tolerant of fields ICEYE adds later."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.alias_generators import to_camel

from relay.iceye import signed_urls


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


class _IceyeBody(BaseModel):
    """ICEYE bodies: camelCase on the wire, tolerant of fields added later."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, alias_generator=to_camel, frozen=True)


class Asset(_IceyeBody):
    """A downloadable file of a derivative. `href` is a credential for an hour: never shown in repr."""

    type: str
    href: SecretStr

    @field_validator("href", mode="before")
    @classmethod
    def _href_is_an_absolute_url(cls, value: Any) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(text, str) or not urlsplit(text).netloc:
            raise ValueError("href is not an absolute URL")
        return value

    @property
    def expires_at(self) -> datetime | None:
        """When the signed URL stops working (`Expires=`), or None when it does not say."""
        return signed_urls.expires_at(self.href.get_secret_value())

    @property
    def file_name(self) -> str:
        """The file's name, from the URL path, safe for an S3 key."""
        return signed_urls.file_name(self.href.get_secret_value())

    @property
    def url_without_query(self) -> str:
        """The URL without its signature: safe to log and to store."""
        return signed_urls.url_without_query(self.href.get_secret_value())


class Derivative(_IceyeBody):
    """One derivative processing request of a task, with its files once ready."""

    id: str = Field(min_length=1)
    image_reference: str | None = None
    image_id: str | None = None
    product_type: str = Field(alias="derivativeProductType", min_length=1)
    assets: list[Asset] = Field(default_factory=list)

    @property
    def is_ready(self) -> bool:
        """Files are available."""
        return bool(self.assets)

    @property
    def is_known_type(self) -> bool:
        """A product type this relay knows (ICEYE may add more)."""
        return self.product_type in KNOWN_PRODUCT_TYPES


class DerivativesBody(_IceyeBody):
    """The body of a 200/206 derivatives answer."""

    data: list[Derivative]


class DerivativesResult(BaseModel):
    """What the derivatives endpoint said about a task, with 206 already read as "partial"."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    availability: Availability
    derivatives: list[Derivative] = Field(default_factory=list)
    problem: Any = None  # the 404's problem details, when given

    @property
    def by_type(self) -> dict[str, list[Derivative]]:
        """Derivatives grouped by product type."""
        grouped: dict[str, list[Derivative]] = {}
        for derivative in self.derivatives:
            grouped.setdefault(derivative.product_type, []).append(derivative)
        return grouped

    @property
    def unknown_product_types(self) -> list[str]:
        """Product types in the answer that this relay does not know."""
        return sorted({d.product_type for d in self.derivatives if not d.is_known_type})


class PointOfInterest(_IceyeBody):
    """Where to image."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class AcquisitionWindow(_IceyeBody):
    """When to image."""

    start: datetime
    end: datetime


class Task(_IceyeBody):
    """A tasking request as ICEYE reports it."""

    id: str = Field(min_length=1)
    status: str
    imaging_mode: str | None = None
    product_types: list[str] = Field(default_factory=list)
    derivative_product_types: list[str] = Field(default_factory=list)
    contract_id: str | None = Field(default=None, alias="contractID")
    created_at: datetime | None = None

    @field_validator("product_types", "derivative_product_types", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def known_status(self) -> TaskStatus | None:
        """The status as an enum, or None for a status this relay does not know."""
        return TaskStatus(self.status) if self.status in TaskStatus.__members__ else None

    @property
    def can_have_derivatives(self) -> bool:
        """Derivatives were requested, for a spotlight mode, with GRD."""
        return (
            bool(self.derivative_product_types)
            and self.imaging_mode in DERIVATIVE_IMAGING_MODES
            and "GRD" in self.product_types
        )


class TaskPage(_IceyeBody):
    """One page of the task list; no cursor on the last page."""

    data: list[Task]
    cursor: str | None = None


class NewTask(_IceyeBody):
    """A task to create (POST /api/tasking/v2/tasks)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel, frozen=True)

    contract_id: str = Field(alias="contractID", min_length=1)
    point_of_interest: PointOfInterest
    acquisition_window: AcquisitionWindow
    imaging_mode: str
    product_types: list[str] = Field(min_length=1)
    derivative_product_types: list[str] = Field(default_factory=list)

    def derivatives_incompatibility(self) -> str | None:
        """Why ICEYE would refuse the derivatives of this task (INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES), or None."""
        if not self.derivative_product_types:
            return None
        if self.imaging_mode not in DERIVATIVE_IMAGING_MODES:
            modes = ", ".join(sorted(DERIVATIVE_IMAGING_MODES))
            return f"Derivatives cannot be requested for imaging mode {self.imaging_mode}; use one of {modes}."
        if "GRD" not in self.product_types:
            return "Derivatives need the GRD product: add GRD to productTypes."
        return None


class AccessToken(BaseModel):
    """The token endpoint's answer."""

    model_config = ConfigDict(extra="ignore")

    access_token: SecretStr
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: float = Field(default=3600, ge=0)
