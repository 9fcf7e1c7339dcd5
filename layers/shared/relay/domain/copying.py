"""The fan-out's use case: one copy job -> the file in S3 (streamed), recorded, manifested, and announced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import BinaryIO, Protocol, cast

import requests

from relay.domain.copy_job import CopyJob
from relay.domain.download_stream import DownloadStream, DownloadTooLarge, chunks_of
from relay.domain.geojson_inspector import GeoJsonInspector
from relay.domain.notifications import announce_task_end, settle
from relay.domain.ports import FileClaim, Notifier, ObjectStore, TaskTable
from relay.domain.records import FileState, StoredObject, TaskView, WatchStatus
from relay.iceye import signed_urls
from relay.iceye.errors import FileAccessDenied, FileUrlExpired, FileUrlRefused
from relay.iceye.models import DerivativesResult
from relay.observability import logger
from relay.settings import FanoutSettings

CONTENT_TYPE = "application/geo+json"
LEASE = timedelta(minutes=10)  # longer than one copy may take (the function times out at 5)
READ_CHUNK = 1024 * 1024


class FileSource(Protocol):
    """What the fan-out needs of the ICEYE client."""

    def get_derivatives(self, task_id: str) -> DerivativesResult: ...

    def open_file(self, href: str) -> requests.Response: ...


@dataclass(frozen=True)
class CopyDependencies:
    """Everything a copy talks to."""

    client: FileSource
    table: TaskTable
    store: ObjectStore
    notifier: Notifier
    settings: FanoutSettings


class CopyOutcome(StrEnum):
    """How a job ended (when it did not raise)."""

    COPIED = "COPIED"
    ALREADY_COPIED = "ALREADY_COPIED"
    GIVEN_UP_EARLIER = "GIVEN_UP_EARLIER"


@dataclass(frozen=True)
class CopyResult:
    """What one job did."""

    outcome: CopyOutcome
    stored: StoredObject | None = None
    refreshed_url: bool = False


class CopyRefused(Exception):
    """A job that can never succeed (unknown file, not https, too large): failed at once, reason recorded."""


class CopyBusy(Exception):
    """Another delivery of the same job holds the lease: try again later."""


def object_key(job: CopyJob) -> str:
    """Stable and readable: derivatives/{taskId}/{type}/{derivativeId}/{fileName}."""
    return f"derivatives/{job.task_id}/{job.product_type}/{job.derivative_id}/{job.file_name}"


def copy_file(job: CopyJob, deps: CopyDependencies, *, now: datetime, final_attempt: bool) -> CopyResult:
    """Copy one file. Raises to have SQS deliver the job again; on the final attempt the failure is recorded
    (the type FAILED, a DERIVATIVES_FAILED notification) before raising."""
    claim = deps.table.start_file_copy(job.task_id, job.product_type, job.file_name, lease_until=now + LEASE, now=now)
    if claim is FileClaim.UNKNOWN:
        raise CopyRefused(f"The table knows no file {job.dedup_key}: the job was not made by the poll.")
    if claim is FileClaim.FAILED:
        return CopyResult(CopyOutcome.GIVEN_UP_EARLIER)
    if claim is FileClaim.BUSY:
        raise CopyBusy(f"{job.dedup_key} is being copied by another delivery.")
    if claim is FileClaim.ALREADY_COPIED and _still_stored(job, deps):
        _settle(job.task_id, deps, now)
        return CopyResult(CopyOutcome.ALREADY_COPIED)
    try:
        stored, refreshed = _copy(job, deps, now)
    except CopyRefused as error:
        _fail(job, deps, str(error), final=True, now=now)
        raise
    except Exception as error:
        _fail(job, deps, f"{type(error).__name__}: {error}", final=final_attempt, now=now)
        raise
    if claim is FileClaim.STARTED:
        deps.table.finish_file_copy(job.task_id, job.product_type, job.file_name, stored, now=now)
    view = deps.table.get(job.task_id)
    if view is not None:
        write_manifest(view, deps.store)
        settle(view, table=deps.table, notifier=deps.notifier, bucket_name=deps.store.bucket, now=now)
    return CopyResult(CopyOutcome.COPIED, stored, refreshed)


def _copy(job: CopyJob, deps: CopyDependencies, now: datetime) -> tuple[StoredObject, bool]:
    margin = timedelta(seconds=deps.settings.url_safety_margin_seconds)
    href = job.href.get_secret_value() if job.href is not None else None
    refreshed = False
    if href is None or (job.href_expires_at is not None and job.href_expires_at - now <= margin):
        href, refreshed = _fresh_url(job, deps), True
    try:
        response = deps.client.open_file(href)
    except (FileUrlExpired, FileAccessDenied):
        if refreshed:
            raise
        logger.info("The file host refused the URL; fetching a fresh one", extra={"file": job.file_name})
        href, refreshed = _fresh_url(job, deps), True
        response = deps.client.open_file(href)
    except FileUrlRefused as error:
        raise CopyRefused(str(error)) from None
    with response:
        length = response.headers.get("Content-Length")
        inspector = GeoJsonInspector()
        try:
            stream = DownloadStream(
                chunks_of(response.iter_content(READ_CHUNK)),
                max_bytes=deps.settings.max_download_bytes,
                expected_bytes=int(length) if length and length.isdigit() else None,
                inspector=inspector,
            )
            upload = deps.store.upload_stream(
                object_key(job),
                cast(BinaryIO, stream),
                content_type=CONTENT_TYPE,
                metadata={
                    "task-id": job.task_id,
                    "product-type": job.product_type,
                    "derivative-id": job.derivative_id,
                    "image-reference": job.image_reference or "",
                    "source-url": signed_urls.url_without_query(href),
                    "copied-at": now.isoformat(),
                },
            )
        except DownloadTooLarge as error:
            raise CopyRefused(str(error)) from None
    inspection = inspector.finish()
    if inspection.problem:
        logger.warning("Copied a file that is not a valid FeatureCollection", extra={"problem": inspection.problem})
    stored = StoredObject(
        object_key=object_key(job),
        version_id=upload.version_id,
        size_bytes=stream.size,
        sha256=stream.sha256.hexdigest(),
        s3_checksum_sha256=upload.s3_checksum_sha256,
        feature_count=inspection.feature_count,
        crs=inspection.crs,
        content_problem=inspection.problem,
        copied_at=now,
    )
    logger.info(
        "Copied", extra={"key": stored.object_key, "bytes": stored.size_bytes, "features": stored.feature_count}
    )
    return stored, refreshed


def _fresh_url(job: CopyJob, deps: CopyDependencies) -> str:
    """Ask ICEYE again for this derivative's file: its URL is new and good for another hour."""
    for derivative in deps.client.get_derivatives(job.task_id).derivatives:
        if derivative.id == job.derivative_id:
            for asset in derivative.assets:
                if asset.file_name == job.file_name:
                    return asset.href.get_secret_value()
    raise LookupError(f"ICEYE no longer lists {job.dedup_key}; retrying later.")


def _still_stored(job: CopyJob, deps: CopyDependencies) -> bool:
    """A redelivered job: the table says COPIED; skip when S3 still holds the object with the recorded checksum."""
    view = deps.table.get(job.task_id)
    record = view.types.get(job.product_type) if view else None
    file = record.files.get(job.file_name) if record else None
    if file is None or file.stored is None:
        return False
    if deps.store.stored_checksum(file.stored.object_key) == file.stored.s3_checksum_sha256:
        return True
    logger.warning("The table says copied but S3 disagrees; copying again", extra={"key": file.stored.object_key})
    return False


def _fail(job: CopyJob, deps: CopyDependencies, reason: str, *, final: bool, now: datetime) -> None:
    reason = signed_urls.redact_text(reason)
    deps.table.fail_file_copy(job.task_id, job.product_type, job.file_name, reason, final=final, now=now)
    if final:
        view = deps.table.get(job.task_id)
        if view is not None and view.task.watch is WatchStatus.WATCHING:
            announce_task_end(
                view,
                watch=WatchStatus.FAILED,
                reason=f"{job.product_type}/{job.file_name}: {reason}",
                table=deps.table,
                notifier=deps.notifier,
                bucket_name=deps.store.bucket,
                now=now,
            )


def _settle(task_id: str, deps: CopyDependencies, now: datetime) -> None:
    view = deps.table.get(task_id)
    if view is not None:
        settle(view, table=deps.table, notifier=deps.notifier, bucket_name=deps.store.bucket, now=now)


MANIFEST_WRITE_ATTEMPTS = 8


def write_manifest(view: TaskView, store: ObjectStore) -> None:
    """derivatives/{taskId}/manifest.json: every copied file of the task, with the checksums to verify it by.

    Copies of one task finish concurrently, each with its own view of the table: each writer merges what is
    already there and writes only if nobody wrote in between (a conditional PUT), so no file drops out.
    """
    key = f"derivatives/{view.task.task_id}/manifest.json"
    ours = {
        file.stored.object_key: {
            "key": file.stored.object_key,
            "productType": record.product_type,
            "derivativeId": file.derivative_id,
            "bytes": file.stored.size_bytes,
            "sha256": file.stored.sha256,
            "s3ChecksumSHA256": file.stored.s3_checksum_sha256,
            "featureCount": file.stored.feature_count,
            "crs": file.stored.crs,
            "contentProblem": file.stored.content_problem,
            "copiedAt": file.stored.copied_at.isoformat(),
        }
        for record in view.types.values()
        for file in record.files.values()
        if file.state is FileState.COPIED and file.stored is not None
    }
    for _ in range(MANIFEST_WRITE_ATTEMPTS):
        current, etag = store.read_json(key)
        entries = {entry["key"]: entry for entry in json.loads(current)["files"]} if current else {}
        entries.update(ours)
        manifest = {
            "version": "1",
            "taskId": view.task.task_id,
            "label": view.task.label,
            "files": [entries[name] for name in sorted(entries)],
        }
        if store.put_json(key, json.dumps(manifest, indent=2).encode(), if_match=etag):
            return
    raise RuntimeError(f"The manifest {key} kept changing under {MANIFEST_WRITE_ATTEMPTS} attempts; retrying the job.")
