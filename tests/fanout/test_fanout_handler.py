"""The fan-out handler as Lambda calls it: an SQS batch in, only the failed records reported back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay import wiring
from relay.domain.copy_job import CopyJob
from relay.domain.polling import PollDependencies, poll_due_tasks
from relay.domain.registration import Registration, register_task
from relay.settings import FanoutSettings, IceyeSettings
from tests.aws_helpers import drain

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fanout_handler(
    monkeypatch: pytest.MonkeyPatch, iceye_settings: IceyeSettings, fanout_settings: FanoutSettings
) -> Iterator[Any]:
    """The handler module with this test's environment, as a fresh Lambda container would read it."""
    import fanout_app

    environment = {
        "ICEYE_API_BASE_URL": str(iceye_settings.api_base_url),
        "ICEYE_TOKEN_URL": str(iceye_settings.token_url),
        "ICEYE_CREDENTIALS_SECRET_ARN": iceye_settings.credentials_secret_id,
        "ICEYE_CA_BUNDLE": iceye_settings.ca_bundle or "",
        "TABLE_NAME": fanout_settings.table_name,
        "BUCKET_NAME": fanout_settings.bucket_name,
        "TOPIC_ARN": fanout_settings.topic_arn,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    caches = (fanout_app._dependencies, wiring.iceye_settings, wiring.iceye_client, wiring.task_table, wiring.notifier)
    for cache in caches:
        cache.cache_clear()  # a new container: nothing carried over from another test's environment
    yield fanout_app
    for cache in caches:
        cache.cache_clear()


def _record(body: str, message_id: str, receive_count: int = 1) -> dict[str, Any]:
    sample = json.loads((ROOT / "events/fanout_copy_jobs.json").read_text())["Records"][0]
    attributes = {**sample["attributes"], "ApproximateReceiveCount": str(receive_count)}
    return {**sample, "messageId": message_id, "body": body, "attributes": attributes}


class _Context:
    function_name = "fanout"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fanout"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


def test_a_batch_with_one_poisoned_job_reports_exactly_that_one(
    sim: Simulator, deps: PollDependencies, copy_queue_url: str, fanout_handler: Any
) -> None:
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    register_task(Registration(task_id=task_id), client=deps.client, table=deps.table, now=sim.clock.now())
    sim.clock.advance(timedelta(hours=2))
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=lambda: 900.0)
    (message,) = drain(copy_queue_url)
    job = CopyJob.model_validate_json(message["Body"])
    # the handler runs on the real clock, so it finds the job's URL expired and fetches a fresh one
    event = {"Records": [_record(message["Body"], "good"), _record('{"taskId": 42}', "poisoned")]}

    response = fanout_handler.handler(event, _Context())

    assert response == {"batchItemFailures": [{"itemIdentifier": "poisoned"}]}
    view = deps.table.get(task_id)
    assert view is not None
    assert view.types["DC_VESSELS"].files[job.file_name].state.value == "COPIED"
