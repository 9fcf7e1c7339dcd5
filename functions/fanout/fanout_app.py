"""Fan-out function: each SQS record is one copy job; failures are reported per record, never per batch."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from relay import wiring
from relay.adapters.object_store import S3ObjectStore
from relay.domain.copy_job import CopyJob
from relay.domain.copying import CopyDependencies, CopyOutcome, copy_file
from relay.observability import logger, metrics, tracer
from relay.settings import FanoutSettings

processor = BatchProcessor(event_type=EventType.SQS)


@cache
def _dependencies() -> CopyDependencies:
    settings = FanoutSettings.from_env()
    return CopyDependencies(
        client=wiring.iceye_client(),
        table=wiring.task_table(settings.table_name),
        store=S3ObjectStore(boto3.client("s3"), settings.bucket_name),
        notifier=wiring.notifier(settings.topic_arn),
        settings=settings,
    )


def copy_record(record: SQSRecord) -> str:
    """One job; raising returns it to the queue (and, after the last receive, to the dead-letter queue)."""
    job = CopyJob.model_validate_json(record.body)  # a malformed body fails this record only
    deps = _dependencies()
    final = int(record.attributes.approximate_receive_count) >= deps.settings.max_receive_count
    with logger.append_context_keys(task_id=job.task_id, product_type=job.product_type, file=job.file_name):
        result = copy_file(job, deps, now=datetime.now(UTC), final_attempt=final)
    if result.outcome is CopyOutcome.COPIED and result.stored is not None:
        metrics.add_metric(name="FilesCopied", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="BytesCopied", unit=MetricUnit.Bytes, value=result.stored.size_bytes)
        if result.stored.content_problem:
            metrics.add_metric(name="ContentProblems", unit=MetricUnit.Count, value=1)
    if result.refreshed_url:
        metrics.add_metric(name="UrlRefreshes", unit=MetricUnit.Count, value=1)
    return result.outcome.value


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Process the batch; report the failed records so only they are retried."""
    response = process_partial_response(event=event, record_handler=copy_record, processor=processor, context=context)
    failures = len(response.get("batchItemFailures", []))
    if failures:
        metrics.add_metric(name="CopyFailures", unit=MetricUnit.Count, value=failures)
    return dict(response)
