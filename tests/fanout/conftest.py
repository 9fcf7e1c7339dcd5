"""The fan-out wired to moto (bucket, table from template.yaml, topic) and the real client against the simulator."""

from __future__ import annotations

import boto3
import pytest

from relay.adapters.object_store import S3ObjectStore
from relay.domain.copying import CopyDependencies
from relay.domain.polling import PollDependencies
from relay.iceye.client import IceyeClient
from relay.settings import FanoutSettings
from tests.poll.conftest import copy_queue_url, deps, poll_settings, subscriber_url, topic_arn

__all__ = ["copy_queue_url", "deps", "poll_settings", "subscriber_url", "topic_arn"]

BUCKET = "derivatives-test"


@pytest.fixture
def bucket(aws: None) -> str:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return BUCKET


@pytest.fixture
def fanout_settings(tasks_table: str, topic_arn: str, bucket: str) -> FanoutSettings:
    return FanoutSettings.from_env(
        {"TABLE_NAME": tasks_table, "BUCKET_NAME": bucket, "TOPIC_ARN": topic_arn, "MAX_DOWNLOAD_MIB": "64"}
    )


@pytest.fixture
def copy_deps(
    deps: PollDependencies, client: IceyeClient, fanout_settings: FanoutSettings, bucket: str
) -> CopyDependencies:
    return CopyDependencies(
        client=client,
        table=deps.table,
        store=S3ObjectStore(boto3.client("s3"), bucket),
        notifier=deps.notifier,
        settings=fanout_settings,
    )
