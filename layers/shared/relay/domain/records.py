"""What the relay records about a watched task: the domain view of the task table (no attribute names here)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from relay.iceye.models import Availability


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WatchStatus(StrEnum):
    """Whether a task is still polled, and if not, why it stopped."""

    WATCHING = "WATCHING"
    COMPLETE = "COMPLETE"  # ICEYE said 200 and every file is in S3
    GAVE_UP = "GAVE_UP"  # not complete within GiveUpAfterHours
    FORBIDDEN = "FORBIDDEN"  # ICEYE answered 403: this contract may not read the task
    TASK_ENDED = "TASK_ENDED"  # REJECTED / FAILED / CANCELED, or no derivatives requested (explains a 404)
    FAILED = "FAILED"  # a requested derivative could not be copied


class TypeState(StrEnum):
    """Progress of one derivative product type of a task. Moves only forward (FAILED is terminal)."""

    PENDING = "PENDING"  # requested, no files yet
    AVAILABLE = "AVAILABLE"  # files seen, copy jobs enqueued
    COPYING = "COPYING"  # the fan-out has started copying
    COPIED = "COPIED"  # every file of the type is in S3
    FAILED = "FAILED"

    @property
    def rank(self) -> int:
        """Order of progress; FAILED ranks last so nothing moves out of it."""
        return list(TypeState).index(self)


class FileState(StrEnum):
    """Progress of one file of a derivative."""

    ENQUEUED = "ENQUEUED"
    COPYING = "COPYING"
    COPIED = "COPIED"
    FAILED = "FAILED"


class NotificationState(StrEnum):
    """A notification is claimed (PENDING) by a conditional write before it is published, then PUBLISHED."""

    PENDING = "PENDING"
    PUBLISHED = "PUBLISHED"


class ResultTransition(_Record):
    """One change of ICEYE's overall answer for a task."""

    at: datetime
    previous: Availability | None = None
    result: Availability


class StoredObject(_Record):
    """Where a copied file is and what it holds."""

    object_key: str
    version_id: str | None = None
    size_bytes: int
    sha256: str  # hex digest of the whole file, computed while streaming
    s3_checksum_sha256: str | None = None  # as S3 reports it (base64; "-N" suffix for multipart)
    feature_count: int | None = None
    crs: str | None = None  # the GeoJSON `crs` member's name, when the file declares one
    content_problem: str | None = None  # set when the file is not a valid FeatureCollection (stored anyway)
    copied_at: datetime


class FileRecord(_Record):
    """One file (asset) of a derivative."""

    file_name: str
    derivative_id: str
    asset_type: str = "geojson"
    state: FileState = FileState.ENQUEUED
    enqueued_at: datetime | None = None
    attempts: int = 0
    lease_until: datetime | None = None  # a fan-out is copying it until then
    stored: StoredObject | None = None
    failure_reason: str | None = None


class DerivativeTypeRecord(_Record):
    """One requested derivative product type of a task."""

    task_id: str
    product_type: str
    state: TypeState = TypeState.PENDING
    derivative_id: str | None = None
    image_reference: str | None = None
    image_id: str | None = None
    first_seen_ready_at: datetime | None = None
    copied_at: datetime | None = None
    failure_reason: str | None = None
    attempts: int = 0
    files: dict[str, FileRecord] = Field(default_factory=dict)  # by file name


class NotificationClaim(_Record):
    """A notification the relay owes subscribers, keyed by its stable event id."""

    event_id: str
    event_type: str
    state: NotificationState = NotificationState.PENDING
    claimed_at: datetime
    published_at: datetime | None = None


class TaskRecord(_Record):
    """A watched task: what ICEYE last said, when to ask again, and how it ended."""

    task_id: str
    label: str | None = None
    source: str = "registration"  # registration | create_task | contract_discovery
    expected_types: list[str]
    watch: WatchStatus = WatchStatus.WATCHING
    stop_reason: str | None = None
    result: Availability | None = None  # None until the first poll
    history: list[ResultTransition] = Field(default_factory=list)
    registered_at: datetime
    last_polled_at: datetime | None = None
    last_change_at: datetime | None = None
    next_poll_at: datetime | None = None  # None once the task is no longer watched
    finished_at: datetime | None = None
    counters: dict[str, int] = Field(default_factory=dict)  # polls, unchanged, throttled, errors, ...
    notifications: dict[str, NotificationClaim] = Field(default_factory=dict)  # by event id
    retain_until: datetime | None = None  # TTL, set when the task finishes


class TaskView(_Record):
    """A task with all of its derivative types, as one read of the table returns them."""

    task: TaskRecord
    types: dict[str, DerivativeTypeRecord] = Field(default_factory=dict)  # by product type
