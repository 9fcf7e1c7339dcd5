"""Builds the real dependencies once per cold start (boto3 clients, the ICEYE client) from the environment."""

from __future__ import annotations

from functools import cache

import boto3

from relay.adapters.copy_queue import SqsCopyQueue
from relay.adapters.notifier import SnsNotifier
from relay.adapters.task_table import DynamoTaskTable
from relay.iceye.client import IceyeClient
from relay.settings import IceyeSettings


@cache
def iceye_settings() -> IceyeSettings:
    """ICEYE settings from this process's environment."""
    return IceyeSettings.from_env()


@cache
def iceye_client() -> IceyeClient:
    """The process-wide ICEYE client (one pooled session, one token cache)."""
    return IceyeClient.from_settings(iceye_settings())


@cache
def task_table(table_name: str) -> DynamoTaskTable:
    """The task table adapter."""
    return DynamoTaskTable(boto3.client("dynamodb"), table_name)


@cache
def copy_queue(queue_url: str) -> SqsCopyQueue:
    """The copy queue adapter."""
    return SqsCopyQueue(boto3.client("sqs"), queue_url)


@cache
def notifier(topic_arn: str) -> SnsNotifier:
    """The notifications topic adapter."""
    return SnsNotifier(boto3.client("sns"), topic_arn)
