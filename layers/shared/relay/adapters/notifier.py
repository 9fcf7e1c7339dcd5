"""The notifications topic (SNS): one message per event, a text for email and JSON for everything else."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef


class SnsNotifier:
    """The Notifier port on SNS (`MessageStructure=json`)."""

    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(
        self,
        *,
        subject: str,
        default_text: str,
        email_text: str,
        json_text: str,
        attributes: dict[str, str | list[str]],
    ) -> str:
        """Publish once; email and email-json get the text, every other protocol the versioned JSON."""
        message = {
            "default": default_text,
            "email": email_text,
            "sqs": json_text,
            "https": json_text,
            "http": json_text,
            "lambda": json_text,
            "firehose": json_text,
            "application": json_text,
        }
        message_attributes: dict[str, MessageAttributeValueTypeDef] = {
            name: (
                {"DataType": "String.Array", "StringValue": json.dumps(value)}
                if isinstance(value, list)
                else {"DataType": "String", "StringValue": value}
            )
            for name, value in attributes.items()
        }
        response = self._client.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:99],
            Message=json.dumps(message),
            MessageStructure="json",
            MessageAttributes=message_attributes,
        )
        return response["MessageId"]
