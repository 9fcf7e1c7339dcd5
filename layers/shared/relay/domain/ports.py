"""What the use cases need from the outside world. The adapters implement these; the domain imports only this."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import BinaryIO, Protocol

from relay.domain.copy_job import CopyJob
from relay.domain.records import (
    DerivativeTypeRecord,
    NotificationClaim,
    NotificationState,
    StoredObject,
    TaskRecord,
    TaskView,
    WatchStatus,
)


class FileClaim(StrEnum):
    """What happened when the fan-out asked to start copying a file."""

    STARTED = "STARTED"  # this invocation holds the lease and copies
    ALREADY_COPIED = "ALREADY_COPIED"  # a previous delivery finished it
    BUSY = "BUSY"  # another invocation holds an unexpired lease: retry later
    UNKNOWN = "UNKNOWN"  # no such task, type or file in the table
    FAILED = "FAILED"  # the file was given up on


class TaskTable(Protocol):
    """The task table. Every state change is a conditional write: nothing ever moves backwards."""

    # --- registration -------------------------------------------------------------------------
    def register(self, task: TaskRecord, types: Sequence[DerivativeTypeRecord]) -> bool:
        """Write a new watched task and its PENDING types atomically; False (nothing written) if it exists."""
        ...

    def get(self, task_id: str) -> TaskView | None:
        """The task and all its types (one Query), or None."""
        ...

    # --- fan-out ------------------------------------------------------------------------------
    def start_file_copy(
        self, task_id: str, product_type: str, file_name: str, *, lease_until: datetime, now: datetime
    ) -> FileClaim:
        """Take the copy lease on a file (ENQUEUED, or COPYING with an expired lease -> COPYING, attempts+1).

        Also moves the type AVAILABLE -> COPYING. Conditional: two deliveries never copy at once.
        """
        ...

    def finish_file_copy(
        self, task_id: str, product_type: str, file_name: str, stored: StoredObject, *, now: datetime
    ) -> DerivativeTypeRecord:
        """Mark the file COPIED with where it is stored; when every file of the type is COPIED, the type too.

        Conditional on the file being COPYING (a second finisher changes nothing). Returns the type afterwards.
        """
        ...

    def fail_file_copy(
        self, task_id: str, product_type: str, file_name: str, reason: str, *, final: bool, now: datetime
    ) -> None:
        """Record why a copy failed; release the lease. With `final`, the file and its type become FAILED."""
        ...

    # --- notifications and endings (both functions) --------------------------------------------
    def claim_notification(self, task_id: str, claim: NotificationClaim) -> NotificationState | None:
        """Claim a notification by its event id. None: newly claimed (publish it). PENDING: claimed before
        but never confirmed published (publish again, same event id). PUBLISHED: nothing to do."""
        ...

    def mark_notification_published(self, task_id: str, event_id: str, *, now: datetime) -> None:
        """Record that the notification went out."""
        ...

    def finish_task(
        self, task_id: str, watch: WatchStatus, reason: str, *, now: datetime, retain_until: datetime
    ) -> bool:
        """Stop watching a task (out of the due index, TTL set). Conditional on it still WATCHING; False if not."""
        ...


class CopyQueue(Protocol):
    """The fan-out's SQS queue."""

    def send(self, jobs: Iterable[CopyJob]) -> None:
        """Send every job (in batches of ten); raise if any could not be sent."""
        ...


class ObjectStore(Protocol):
    """The customer's S3 bucket."""

    def stored_checksum(self, key: str) -> str | None:
        """S3's SHA-256 checksum of the object at `key`, or None when there is no object."""
        ...

    @property
    def bucket(self) -> str:
        """The bucket's name."""
        ...

    def upload_stream(self, key: str, body: BinaryIO, *, content_type: str, metadata: dict[str, str]) -> StoredUpload:
        """Stream `body` into `key` (multipart when large; aborted on any error, so no partial object)."""
        ...

    def read_json(self, key: str) -> tuple[bytes | None, str | None]:
        """A small document and its version tag, or (None, None)."""
        ...

    def put_json(self, key: str, body: bytes, *, if_match: str | None) -> bool:
        """Write a small document only if it is still the version read (None: only if absent); False otherwise."""
        ...


class StoredUpload(Protocol):
    """What S3 says about an object it has just stored."""

    @property
    def version_id(self) -> str | None:
        """The object's version (the bucket is versioned)."""
        ...

    @property
    def s3_checksum_sha256(self) -> str | None:
        """S3's SHA-256 checksum of the object (base64; "-N" suffix for multipart uploads)."""
        ...


class Notifier(Protocol):
    """The SNS topic subscribers listen on."""

    def publish(
        self,
        *,
        subject: str,
        default_text: str,
        email_text: str,
        json_text: str,
        attributes: dict[str, str | list[str]],
    ) -> str:
        """Publish with MessageStructure=json (email gets `email_text`, every other protocol `json_text`)."""
        ...
