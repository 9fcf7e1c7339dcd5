"""An embedded AWS (moto's server on loopback) holding the resources template.yaml declares."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from relay_local.template import project_template, resource, table_definition

REGION = "us-east-1"
LOCAL_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}


class UnresolvedReference(Exception):
    """The template refers to something the local stack does not have."""


@dataclass
class LocalStack:
    """The physical names of what was created, by logical id, as CloudFormation would report them."""

    endpoint: str
    refs: dict[str, str] = field(default_factory=dict)  # what !Ref returns
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)  # what !GetAtt returns

    def resolve(self, value: Any, parameters: dict[str, str]) -> str:
        """A template value (literal, Ref, GetAtt, Sub) as the deployed string; fails loudly on anything else."""
        if isinstance(value, (str, int, float)):
            return str(value)
        if isinstance(value, dict) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                if argument in parameters:
                    return parameters[argument]
                if argument in self.refs:
                    return self.refs[argument]
            if function == "Fn::GetAtt" and tuple(argument) in self.attributes:
                return self.attributes[tuple(argument)]
            if function == "Fn::Sub" and isinstance(argument, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), parameters), argument)
        raise UnresolvedReference(f"Cannot resolve {value!r} locally")

    def _sub(self, name: str, parameters: dict[str, str]) -> str:
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self.resolve({"Fn::GetAtt": [logical_id, attribute]}, parameters)
        return self.resolve({"Ref": name}, parameters)


def start_moto() -> ThreadedMotoServer:
    """moto's server on a free loopback port, with the process's AWS settings pointed at it (never a real account)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would drown the demo
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(LOCAL_ENVIRONMENT)
    os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    return server


def provision(endpoint: str, stack_name: str, secret_value: dict[str, str]) -> LocalStack:
    """Create the template's table, bucket, queues, topics and the credentials secret, as it describes them."""
    stack = LocalStack(endpoint=endpoint)
    _table(stack, stack_name)
    _bucket(stack, stack_name)
    for logical_id in ("CopyDeadLetterQueue", "ScheduleDeadLetterQueue", "CopyQueue"):  # DLQs before their users
        _queue(stack, stack_name, logical_id)
    for logical_id in ("NotificationsTopic", "OperatorTopic"):
        _topic(stack, stack_name, logical_id)
    secret = boto3.client("secretsmanager").create_secret(
        Name=f"{stack_name}/iceye-credentials", SecretString=json.dumps(secret_value)
    )
    stack.refs["IceyeCredentialsSecret"] = secret["ARN"]
    return stack


def _table(stack: LocalStack, stack_name: str) -> None:
    name = f"{stack_name}-TasksTable"
    boto3.client("dynamodb").create_table(TableName=name, **table_definition())
    stack.refs["TasksTable"] = name
    stack.attributes[("TasksTable", "Arn")] = f"arn:aws:dynamodb:{REGION}:123456789012:table/{name}"


def _bucket(stack: LocalStack, stack_name: str) -> None:
    name = f"{stack_name.lower()}-derivativesbucket"
    properties = resource("DerivativesBucket")["Properties"]
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=properties["VersioningConfiguration"])
    rules = [  # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault
        {
            "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
            "BucketKeyEnabled": rule["BucketKeyEnabled"],
        }
        for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    ]
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})  # type: ignore[misc,arg-type]
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"])
    stack.refs["DerivativesBucket"] = name
    stack.attributes[("DerivativesBucket", "Arn")] = f"arn:aws:s3:::{name}"


def _queue(stack: LocalStack, stack_name: str, logical_id: str) -> None:
    properties = resource(logical_id)["Properties"]
    attributes: dict[Any, str] = {
        key: str(properties[key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod") if key in properties
    }
    if properties.get("SqsManagedSseEnabled"):
        attributes["SqsManagedSseEnabled"] = "true"
    if "RedrivePolicy" in properties:
        redrive = properties["RedrivePolicy"]
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": stack.resolve(redrive["deadLetterTargetArn"], {}),
                "maxReceiveCount": redrive["maxReceiveCount"],
            }
        )
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"{stack_name}-{logical_id}", Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    stack.refs[logical_id] = url
    stack.attributes[(logical_id, "Arn")] = arn
    stack.attributes[(logical_id, "QueueName")] = f"{stack_name}-{logical_id}"


def _topic(stack: LocalStack, stack_name: str, logical_id: str) -> None:
    properties = resource(logical_id)["Properties"]
    attributes = {"SignatureVersion": str(properties["SignatureVersion"]), "DisplayName": properties["DisplayName"]}
    arn = boto3.client("sns").create_topic(Name=f"{stack_name}-{logical_id}", Attributes=attributes)["TopicArn"]
    stack.refs[logical_id] = arn
    stack.attributes[(logical_id, "TopicName")] = f"{stack_name}-{logical_id}"


def function_environment(logical_id: str, stack: LocalStack, parameters: dict[str, str]) -> dict[str, str]:
    """The function's environment variables exactly as a deploy sets them: Globals plus its own, resolved."""
    template = project_template()
    variables = {
        **template["Globals"]["Function"]["Environment"]["Variables"],
        **resource(logical_id)["Properties"].get("Environment", {}).get("Variables", {}),
    }
    return {name: stack.resolve(value, parameters) for name, value in variables.items()}


def template_parameters(overrides: dict[str, str]) -> dict[str, str]:
    """Every template parameter: its Default, unless overridden."""
    defaults = {
        name: str(spec["Default"]) for name, spec in project_template()["Parameters"].items() if "Default" in spec
    }
    return {**defaults, **overrides}


def email_filter_policy() -> dict[str, Any]:
    """The filter policy the template gives its email subscription."""
    return dict(resource("EmailSubscription")["Properties"]["FilterPolicy"])
