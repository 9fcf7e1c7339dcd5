"""The poll wired to moto (table from template.yaml, queue, topic) and the real client against the simulator."""

from __future__ import annotations

import boto3
import pytest

from relay.adapters.copy_queue import SqsCopyQueue
from relay.adapters.notifier import SnsNotifier
from relay.adapters.task_table import DynamoTaskTable
from relay.domain.polling import PollDependencies
from relay.iceye.client import IceyeClient
from relay.settings import PollSettings
from tests.aws_helpers import make_queue, subscribed_queue


@pytest.fixture
def copy_queue_url(aws: None) -> str:
    return make_queue("copy-jobs")


@pytest.fixture
def topic_arn(aws: None) -> str:
    return boto3.client("sns").create_topic(Name="notifications")["TopicArn"]


@pytest.fixture
def subscriber_url(topic_arn: str) -> str:
    return subscribed_queue(topic_arn, "subscriber")


@pytest.fixture
def poll_settings(tasks_table: str, copy_queue_url: str, topic_arn: str) -> PollSettings:
    return PollSettings.from_env(
        {
            "TABLE_NAME": tasks_table,
            "COPY_QUEUE_URL": copy_queue_url,
            "TOPIC_ARN": topic_arn,
            "BUCKET_NAME": "derivatives-test",
            "POLL_CONCURRENCY": "4",
        }
    )


@pytest.fixture
def deps(
    client: IceyeClient, table: DynamoTaskTable, poll_settings: PollSettings, copy_queue_url: str, topic_arn: str
) -> PollDependencies:
    return PollDependencies(
        client=client,
        table=table,
        queue=SqsCopyQueue(boto3.client("sqs"), copy_queue_url),
        notifier=SnsNotifier(boto3.client("sns"), topic_arn),
        settings=poll_settings,
    )
