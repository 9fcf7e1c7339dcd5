"""Small helpers for tests that read what AWS (moto) received: queues, topics."""

from __future__ import annotations

import json
from typing import Any

import boto3


def make_queue(name: str) -> str:
    """A queue in moto; returns its URL."""
    return boto3.client("sqs").create_queue(QueueName=name)["QueueUrl"]


def drain(queue_url: str, *, max_rounds: int = 50) -> list[dict[str, Any]]:
    """Every message on a queue (received and deleted)."""
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    for _ in range(max_rounds):
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        )
        if not batch:
            break
        messages.extend(dict(message) for message in batch)
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return messages


def subscribed_queue(topic_arn: str, name: str, filter_policy: dict[str, Any] | None = None) -> str:
    """A queue subscribed to the topic as a subscriber would (SNS envelope, optional attribute filter)."""
    url = make_queue(name)
    arn = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = (
        {"FilterPolicy": json.dumps(filter_policy), "FilterPolicyScope": "MessageAttributes"} if filter_policy else {}
    )
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    return url


def notifications(queue_url: str) -> list[dict[str, Any]]:
    """The JSON payloads SNS delivered to a subscribed queue."""
    return [json.loads(json.loads(message["Body"])["Message"]) for message in drain(queue_url)]
