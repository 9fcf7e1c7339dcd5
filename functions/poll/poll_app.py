"""Poll function: the schedule's entry point. Parse the input, poll the due tasks, report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from relay import wiring
from relay.domain.polling import PollDependencies, poll_due_tasks
from relay.observability import logger, metrics, tracer
from relay.settings import PollSettings


class ScheduleInput(BaseModel):
    """The schedule's explicit Input (events/poll_schedule.json)."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["derivatives-relay.schedule"]
    action: Literal["poll"]


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Poll every due task until done, throttled, or close to the deadline."""
    ScheduleInput.model_validate(event)
    settings = PollSettings.from_env()
    deps = PollDependencies(
        client=wiring.iceye_client(),
        table=wiring.task_table(settings.table_name),
        queue=wiring.copy_queue(settings.copy_queue_url),
        notifier=wiring.notifier(settings.topic_arn),
        settings=settings,
        contract_id=wiring.iceye_settings().contract_id,
    )
    started = datetime.now(UTC)
    summary = poll_due_tasks(deps, now=started, seconds_left=lambda: context.get_remaining_time_in_millis() / 1000)
    metrics.add_metric(name="TasksPolled", unit=MetricUnit.Count, value=summary.polled)
    metrics.add_metric(name="FilesEnqueued", unit=MetricUnit.Count, value=summary.files_enqueued)
    metrics.add_metric(name="Throttled", unit=MetricUnit.Count, value=summary.outcomes.get("429", 0))
    metrics.add_metric(name="IceyeAuthFailures", unit=MetricUnit.Count, value=summary.outcomes.get("401", 0))
    for outcome, count in summary.outcomes.items():
        metrics.add_metric(name=f"Outcome{outcome.title().replace('_', '')}", unit=MetricUnit.Count, value=count)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    metrics.add_metric(name="RunDuration", unit=MetricUnit.Seconds, value=elapsed)
    return summary.as_dict()
