"""The copy queue (SQS): copy jobs from the poll to the fan-out, ten to a batch."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import batched
from typing import TYPE_CHECKING

from relay.domain.copy_job import CopyJob

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

SQS_BATCH_LIMIT = 10


class CopyQueueError(Exception):
    """Some copy jobs could not be sent (entry ids and SQS's reasons, never the job bodies: they hold URLs)."""


class SqsCopyQueue:
    """The CopyQueue port on SQS."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, jobs: Iterable[CopyJob]) -> None:
        """Send every job in batches of ten; entries SQS reports failed are retried once, then raise."""
        for batch in batched(jobs, SQS_BATCH_LIMIT, strict=False):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(index), "MessageBody": job.to_message_body()} for index, job in enumerate(batch)
            ]
            failed = self._send_batch(entries)
            if failed:
                failed = self._send_batch([entry for entry in entries if entry["Id"] in failed])
            if failed:
                reasons = "; ".join(f"{batch[int(i)].dedup_key}: {reason}" for i, reason in failed.items())
                raise CopyQueueError(f"SQS refused {len(failed)} copy job(s): {reasons}")

    def _send_batch(self, entries: list[SendMessageBatchRequestEntryTypeDef]) -> dict[str, str]:
        response = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
        return {entry["Id"]: entry.get("Message", entry["Code"]) for entry in response.get("Failed", [])}
