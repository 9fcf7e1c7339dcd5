"""template.yaml's promises, read from the template itself: security by default, and no drift from the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from relay.domain.copy_job import CopyJob
from relay.settings import FanoutSettings, IceyeSettings, PollSettings, RegisterSettings
from relay_local.template import project_template, resource

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = {"PollFunction": PollSettings, "FanoutFunction": FanoutSettings, "RegisterFunction": RegisterSettings}


def _of_type(cfn_type: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in project_template()["Resources"].items() if body["Type"] == cfn_type}


def _function_environment(logical_id: str) -> dict[str, Any]:
    globals_env = project_template()["Globals"]["Function"]["Environment"]["Variables"]
    own_env = resource(logical_id)["Properties"].get("Environment", {}).get("Variables", {})
    return {**globals_env, **own_env}


def _tls_only_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for statement in policy["Statement"]
        if statement["Effect"] == "Deny"
        and statement["Principal"] == "*"
        and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]


def test_bucket_is_private_encrypted_versioned() -> None:
    bucket = resource("DerivativesBucket")["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] in {"AES256", "aws:kms", "aws:kms:dsse"}
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"


def test_bucket_policy_denies_every_request_without_tls() -> None:
    policy = resource("DerivativesBucketPolicy")["Properties"]
    assert policy["Bucket"] == {"Ref": "DerivativesBucket"}
    (statement,) = _tls_only_statements(policy["PolicyDocument"])
    assert statement["Action"] == "s3:*"
    assert {"Fn::GetAtt": ["DerivativesBucket", "Arn"]} in statement["Resource"]
    assert {"Fn::Sub": "${DerivativesBucket.Arn}/*"} in statement["Resource"]


def test_table_is_encrypted_recoverable_on_demand_with_ttl_and_a_due_index() -> None:
    table = resource("TasksTable")["Properties"]
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    (index,) = table["GlobalSecondaryIndexes"]
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["dueShard", "nextPollAt"]


def test_every_queue_is_encrypted_and_tls_only() -> None:
    queues = _of_type("AWS::SQS::Queue")
    assert set(queues) == {"CopyQueue", "CopyDeadLetterQueue", "ScheduleDeadLetterQueue"}
    for name, queue in queues.items():
        properties = queue["Properties"]
        assert properties.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in properties, name
    policy = resource("QueuesTlsOnlyPolicy")["Properties"]
    assert sorted(ref["Ref"] for ref in policy["Queues"]) == sorted(queues)
    (statement,) = _tls_only_statements(policy["PolicyDocument"])
    assert sorted(arn["Fn::GetAtt"][0] for arn in statement["Resource"]) == sorted(queues)


def test_every_topic_is_encrypted_with_signature_version_2() -> None:
    topics = _of_type("AWS::SNS::Topic")
    assert set(topics) == {"NotificationsTopic", "OperatorTopic"}
    for name, topic in topics.items():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Ref": "NotificationsKey"}, name
        assert topic["Properties"]["SignatureVersion"] == "2", name
    assert resource("NotificationsKey")["Properties"]["EnableKeyRotation"] is True


def test_copy_queue_outlasts_the_fanout_and_its_redrive_matches_the_code() -> None:
    queue = resource("CopyQueue")["Properties"]
    fanout = resource("FanoutFunction")["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * fanout["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["CopyDeadLetterQueue", "Arn"]}
    assert (
        str(queue["RedrivePolicy"]["maxReceiveCount"]) == _function_environment("FanoutFunction")["MAX_RECEIVE_COUNT"]
    )
    source = fanout["Events"]["CopyJobs"]
    assert source["Type"] == "SQS"
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_schedule_sends_the_sample_input_retries_and_dead_letters() -> None:
    schedule = resource("PollFunction")["Properties"]["Events"]["Schedule"]
    assert schedule["Type"] == "ScheduleV2"
    properties = schedule["Properties"]
    sample = json.loads((ROOT / "events" / "poll_schedule.json").read_text())
    assert json.loads(properties["Input"]) == sample
    assert properties["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert properties["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}


def test_functions_run_python313_on_arm64_with_the_built_layer() -> None:
    function_globals = project_template()["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Layers"] == [{"Ref": "SharedLayer"}]
    layer = resource("SharedLayer")
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
    for name in FUNCTIONS:
        properties = resource(name)["Properties"]
        assert "Runtime" not in properties, name
        assert "Architectures" not in properties, name
        handler_module, _, handler_name = properties["Handler"].partition(".")
        assert (ROOT / properties["CodeUri"] / f"{handler_module}.py").is_file(), name
        assert handler_name == "handler"


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_policies_are_scoped_to_named_resources(logical_id: str) -> None:
    for policy in resource(logical_id)["Properties"]["Policies"]:
        assert set(policy) == {"Statement"}, "only inline statements: no broad managed policies"
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), statement["Sid"]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert "*" not in resources, statement["Sid"]


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_to_a_group_with_retention(logical_id: str) -> None:
    group_ref = resource(logical_id)["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert resource(group_ref)["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize(("logical_id", "settings_model"), sorted(FUNCTIONS.items()))
def test_template_environment_provides_every_required_setting(logical_id: str, settings_model: type[BaseModel]) -> None:
    environment = _function_environment(logical_id)
    for model in (settings_model, IceyeSettings):
        required = {field.alias for field in model.model_fields.values() if field.is_required()}
        assert required <= set(environment), f"{logical_id} lacks {required - set(environment)}"


def test_alarms_cover_both_dead_letter_queues_and_function_errors() -> None:
    alarms = _of_type("AWS::CloudWatch::Alarm").values()
    watched_queues = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in alarms
        if alarm["Properties"]["Namespace"] == "AWS/SQS"
    }
    assert watched_queues == {"CopyDeadLetterQueue", "ScheduleDeadLetterQueue"}
    watched_functions = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for alarm in alarms
        if alarm["Properties"]["Namespace"] == "AWS/Lambda"
    }
    assert watched_functions == {"PollFunction", "FanoutFunction"}
    assert all(alarm["Properties"]["AlarmActions"] == [{"Ref": "OperatorTopic"}] for alarm in alarms)


def test_outputs_name_everything_a_user_or_a_test_needs() -> None:
    outputs = project_template()["Outputs"]
    assert {
        "TasksTableName",
        "DerivativesBucketName",
        "NotificationsTopicArn",
        "CopyQueueUrl",
        "CopyDeadLetterQueueUrl",
        "ScheduleDeadLetterQueueUrl",
        "PollFunctionName",
        "FanoutFunctionName",
        "RegisterFunctionName",
    } <= set(outputs)


def test_sample_sqs_event_carries_valid_copy_jobs_without_leaking_urls_in_their_repr() -> None:
    event = json.loads((ROOT / "events" / "fanout_copy_jobs.json").read_text())
    jobs = [CopyJob.model_validate_json(record["body"]) for record in event["Records"]]
    assert {record["eventSource"] for record in event["Records"]} == {"aws:sqs"}
    assert jobs[0].href is not None
    assert "Signature" not in repr(jobs[0])
    assert jobs[1].href is None
    assert json.loads(jobs[0].to_message_body())["href"].startswith("https://")
