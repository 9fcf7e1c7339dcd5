"""The customer's bucket (S3): streamed multipart uploads with SHA-256 checksums, and the small manifest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_SIZE = 8 * 1024 * 1024
# Parts in flight x part size bounds the memory a copy needs, however large the file.
TRANSFER = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=2)
TRANSFER.max_in_memory_upload_chunks = 2  # s3transfer's own knob; boto3's constructor does not take it


_WRITTEN_MEANWHILE = ("PreconditionFailed", "ConditionalRequestConflict", "412", "409")


@dataclass(frozen=True)
class Upload:
    """What S3 says about an object it has just stored."""

    version_id: str | None
    s3_checksum_sha256: str | None


class S3ObjectStore:
    """The ObjectStore port on S3."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        """The bucket's name."""
        return self._bucket

    def stored_checksum(self, key: str) -> str | None:
        """S3's SHA-256 checksum of the object at `key`, or None when there is none."""
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head.get("ChecksumSHA256")

    def upload_stream(self, key: str, body: BinaryIO, *, content_type: str, metadata: dict[str, str]) -> Upload:
        """Stream `body` into `key`. On any error s3transfer aborts the multipart upload: no partial object."""
        self._client.upload_fileobj(
            body,
            self._bucket,
            key,
            ExtraArgs={"ContentType": content_type, "Metadata": metadata, "ChecksumAlgorithm": "SHA256"},
            Config=TRANSFER,
        )
        head = self._client.head_object(Bucket=self._bucket, Key=key, ChecksumMode="ENABLED")
        return Upload(version_id=head.get("VersionId"), s3_checksum_sha256=head.get("ChecksumSHA256"))

    def read_json(self, key: str) -> tuple[bytes | None, str | None]:
        """A small document and its ETag, or (None, None) when there is none."""
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None, None
            raise
        return response["Body"].read(), response["ETag"]

    def put_json(self, key: str, body: bytes, *, if_match: str | None) -> bool:
        """Write a small JSON document only if it is still the version read (`if_match` ETag; None: only if absent).

        False when someone else wrote it first: read again, merge, retry.
        """
        condition = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"}
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                ChecksumAlgorithm="SHA256",
                **condition,  # type: ignore[arg-type]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in (
                "PreconditionFailed",
                "ConditionalRequestConflict",
                "412",
                "409",
            ):
                return False
            raise
        return True
