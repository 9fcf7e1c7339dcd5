"""Copy jobs into S3 through the real poll, client, simulator and moto: refreshes, resets, duplicates, notices."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay.adapters.task_table import DynamoTaskTable
from relay.domain.copy_job import CopyJob
from relay.domain.copying import CopyDependencies, CopyOutcome, CopyRefused, copy_file, object_key
from relay.domain.download_stream import DownloadTruncated
from relay.domain.polling import PollDependencies, poll_due_tasks
from relay.domain.records import FileState, TypeState, WatchStatus
from relay.domain.registration import Registration, register_task
from tests.aws_helpers import drain, notifications, subscribed_queue

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "layers/shared/relay/schemas/notification-v1.schema.json").read_text()
)


def _time() -> float:
    return 900.0


def _watch(sim: Simulator, deps: PollDependencies, plan: TaskPlan) -> str:
    task_id = sim.add_task(plan)
    register_task(
        Registration(task_id=task_id, label="Harbour"), client=deps.client, table=deps.table, now=sim.clock.now()
    )
    return task_id


def _poll(sim: Simulator, deps: PollDependencies, queue_url: str) -> list[CopyJob]:
    poll_due_tasks(deps, now=sim.clock.now(), seconds_left=_time)
    return [CopyJob.model_validate_json(message["Body"]) for message in drain(queue_url)]


def _copy_all(sim: Simulator, copy_deps: CopyDependencies, jobs: list[CopyJob]) -> None:
    for job in jobs:
        assert copy_file(job, copy_deps, now=sim.clock.now(), final_attempt=False).outcome is CopyOutcome.COPIED


def _object(bucket: str, key: str) -> dict[str, Any]:
    return dict(boto3.client("s3").head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED"))


def test_a_task_going_404_206_200_is_copied_and_completed_exactly_once(
    sim: Simulator,
    deps: PollDependencies,
    copy_deps: CopyDependencies,
    copy_queue_url: str,
    topic_arn: str,
    bucket: str,
    table: DynamoTaskTable,
) -> None:
    completions_url = subscribed_queue(topic_arn, "completions", {"eventType": ["DERIVATIVES_COMPLETE"]})
    everything_url = subscribed_queue(topic_arn, "everything")
    task_id = _watch(
        sim,
        deps,
        TaskPlan(
            derivatives=[
                DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=4)),
                DerivativePlan("DC_AIRCRAFT", ready_after=timedelta(hours=6), files=2),
            ]
        ),
    )
    assert _poll(sim, deps, copy_queue_url) == []  # 404

    sim.clock.advance(timedelta(hours=5))
    _copy_all(sim, copy_deps, _poll(sim, deps, copy_queue_url))  # 206
    assert notifications(completions_url) == []

    sim.clock.advance(timedelta(hours=2))
    _copy_all(sim, copy_deps, _poll(sim, deps, copy_queue_url))  # 200
    _poll(sim, deps, copy_queue_url)  # a later poll changes nothing

    (complete,) = notifications(completions_url)
    jsonschema.validate(complete, SCHEMA)
    assert complete["eventType"] == "DERIVATIVES_COMPLETE"
    assert complete["previousResult"] == "PARTIAL"
    assert complete["result"] == "COMPLETE"
    files = {f["s3Uri"]: f for d in complete["derivatives"] for f in d["files"]}
    expected = {
        f"s3://{bucket}/derivatives/{task_id}/{f.product_type}/{f.derivative_id}/{f.file_name}": f
        for f in sim.files(task_id)
    }
    assert set(files) == set(expected)
    for uri, simulated in expected.items():
        assert files[uri]["sha256"] == simulated.sha256
        assert files[uri]["bytes"] == simulated.size
        assert files[uri]["crs"] == "urn:ogc:def:crs:EPSG::32633"
        assert files[uri]["featureCount"] > 0
    everything = notifications(everything_url)
    for message in everything:
        jsonschema.validate(message, SCHEMA)
    assert sorted(m["eventType"] for m in everything) == [
        "DERIVATIVES_COMPLETE",
        "DERIVATIVE_AVAILABLE",
        "DERIVATIVE_AVAILABLE",
    ]

    view = table.get(task_id)
    assert view is not None
    assert view.task.watch is WatchStatus.COMPLETE
    assert {t.state for t in view.types.values()} == {TypeState.COPIED}
    manifest = json.loads(
        boto3.client("s3").get_object(Bucket=bucket, Key=f"derivatives/{task_id}/manifest.json")["Body"].read()
    )
    assert len(manifest["files"]) == 3
    for entry in manifest["files"]:
        head = _object(bucket, entry["key"])
        assert entry["s3ChecksumSHA256"] == head["ChecksumSHA256"]
        assert head["ContentType"] == "application/geo+json"
        assert "?" not in head["Metadata"]["source-url"]
        assert head["Metadata"]["task-id"] == task_id


def test_the_email_rendering_says_what_was_detected_and_where(
    sim: Simulator, deps: PollDependencies, copy_deps: CopyDependencies, copy_queue_url: str, topic_arn: str
) -> None:
    raw_url = subscribed_queue(topic_arn, "raw")
    _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    sim.clock.advance(timedelta(hours=2))
    _copy_all(sim, copy_deps, _poll(sim, deps, copy_queue_url))
    envelopes = [json.loads(m["Body"]) for m in drain(raw_url)]
    complete = next(e for e in envelopes if e["MessageAttributes"]["eventType"]["Value"] == "DERIVATIVES_COMPLETE")
    assert len(complete["Subject"]) < 100
    assert "Harbour" in complete["Subject"]
    published = json.loads(complete["Message"])
    assert published["eventType"] == "DERIVATIVES_COMPLETE"


def test_an_expired_url_is_refreshed_and_the_copy_succeeds(
    sim: Simulator, deps: PollDependencies, copy_deps: CopyDependencies, copy_queue_url: str, bucket: str
) -> None:
    task_id = _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    sim.clock.advance(timedelta(hours=2))
    (job,) = _poll(sim, deps, copy_queue_url)
    sim.clock.advance(timedelta(hours=2))  # the job's URL is long dead
    result = copy_file(job, copy_deps, now=sim.clock.now(), final_attempt=False)
    assert result.outcome is CopyOutcome.COPIED
    assert result.refreshed_url
    (simulated,) = sim.files(task_id)
    assert result.stored is not None
    assert result.stored.sha256 == simulated.sha256


def test_a_403_from_the_file_host_triggers_one_refresh(
    sim: Simulator, deps: PollDependencies, copy_deps: CopyDependencies, copy_queue_url: str
) -> None:
    _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    sim.clock.advance(timedelta(hours=2))
    (job,) = _poll(sim, deps, copy_queue_url)
    assert job.href is not None
    forged = job.model_copy(
        update={"href": type(job.href)(job.href.get_secret_value().replace("Signature=", "Signature=x"))}
    )
    result = copy_file(forged, copy_deps, now=sim.clock.now(), final_attempt=False)
    assert result.outcome is CopyOutcome.COPIED
    assert result.refreshed_url
    assert [r.status for r in sim.requests_to("/files/")] == [403, 200]


def test_a_reset_mid_download_leaves_no_object_and_the_retry_succeeds(
    sim: Simulator,
    deps: PollDependencies,
    copy_deps: CopyDependencies,
    copy_queue_url: str,
    bucket: str,
    table: DynamoTaskTable,
) -> None:
    task_id = _watch(
        sim,
        deps,
        TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1), file_size=20_000_000)]),
    )
    sim.clock.advance(timedelta(hours=2))
    (job,) = _poll(sim, deps, copy_queue_url)
    sim.faults.reset_download(after_bytes=12_000_000)
    with pytest.raises(DownloadTruncated):
        copy_file(job, copy_deps, now=sim.clock.now(), final_attempt=False)
    s3 = boto3.client("s3")
    assert s3.list_object_versions(Bucket=bucket).get("Versions", []) == []
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    view = table.get(task_id)
    assert view is not None
    assert view.types["DC_VESSELS"].files[job.file_name].state is FileState.ENQUEUED

    result = copy_file(job, copy_deps, now=sim.clock.now(), final_attempt=False)
    assert result.outcome is CopyOutcome.COPIED
    (simulated,) = sim.files(task_id)
    body = s3.get_object(Bucket=bucket, Key=object_key(job))["Body"].read()
    assert hashlib.sha256(body).hexdigest() == simulated.sha256


def test_a_duplicated_delivery_leaves_one_object_and_one_copied_transition(
    sim: Simulator, deps: PollDependencies, copy_deps: CopyDependencies, copy_queue_url: str, bucket: str
) -> None:
    _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    sim.clock.advance(timedelta(hours=2))
    (job,) = _poll(sim, deps, copy_queue_url)
    first = copy_file(job, copy_deps, now=sim.clock.now(), final_attempt=False)
    second = copy_file(job, copy_deps, now=sim.clock.now(), final_attempt=False)
    assert first.outcome is CopyOutcome.COPIED
    assert second.outcome is CopyOutcome.ALREADY_COPIED
    versions = boto3.client("s3").list_object_versions(Bucket=bucket, Prefix=object_key(job))["Versions"]
    assert len(versions) == 1
    assert len(sim.requests_to("/files/")) == 1


def test_a_file_over_the_cap_is_refused_for_good(
    sim: Simulator, deps: PollDependencies, copy_deps: CopyDependencies, copy_queue_url: str, table: DynamoTaskTable
) -> None:
    task_id = _watch(
        sim,
        deps,
        TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1), file_size=2_000_000)]),
    )
    sim.clock.advance(timedelta(hours=2))
    (job,) = _poll(sim, deps, copy_queue_url)
    small_cap = copy_deps.settings.model_copy(update={"max_download_mib": 1})
    with pytest.raises(CopyRefused, match="cap"):
        copy_file(
            job,
            CopyDependencies(**{**copy_deps.__dict__, "settings": small_cap}),
            now=sim.clock.now(),
            final_attempt=False,
        )
    view = table.get(task_id)
    assert view is not None
    assert view.types["DC_VESSELS"].state is TypeState.FAILED
    assert view.task.watch is WatchStatus.FAILED


def test_a_non_https_url_is_refused(
    sim: Simulator, deps: PollDependencies, copy_deps: CopyDependencies, copy_queue_url: str
) -> None:
    _watch(sim, deps, TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    sim.clock.advance(timedelta(hours=2))
    (job,) = _poll(sim, deps, copy_queue_url)
    assert job.href is not None
    plain = job.model_copy(update={"href": type(job.href)(job.href.get_secret_value().replace("https://", "http://"))})
    with pytest.raises(CopyRefused, match="only https"):
        copy_file(plain, copy_deps, now=sim.clock.now(), final_attempt=False)
