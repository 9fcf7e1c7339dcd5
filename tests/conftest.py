"""Fixtures every test shares: a clean AWS environment, moto, the task table built from template.yaml, the simulator."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from relay.adapters.task_table import DynamoTaskTable
from relay.iceye.client import IceyeClient
from relay.iceye.http import RetryPolicy
from relay.settings import IceyeSettings
from relay_local.template import table_definition

if TYPE_CHECKING:
    from iceye_simulator import Simulator

SIM_START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and a region, so nothing can ever reach a real AWS account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_SERVICE_NAME": "derivatives-relay",
        "POWERTOOLS_METRICS_NAMESPACE": "DerivativesRelay",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws() -> Iterator[None]:
    """moto's in-process AWS for the duration of a test (create boto3 clients inside it)."""
    with mock_aws():
        yield


@pytest.fixture(autouse=True, scope="session")
def atomic_moto_dynamodb() -> Iterator[None]:
    """DynamoDB applies each conditional write atomically; moto checks and writes without a lock, so two threads
    can both pass one condition. Serialise moto's writes (moto's, not ours) so concurrency tests test our logic."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    originals = {
        name: getattr(DynamoDBBackend, name)
        for name in ("put_item", "update_item", "delete_item", "transact_write_items")
    }

    def locked(method: Any) -> Any:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return call

    for name, method in originals.items():
        setattr(DynamoDBBackend, name, locked(method))
    yield
    for name, method in originals.items():
        setattr(DynamoDBBackend, name, method)


@pytest.fixture
def tasks_table(aws: None) -> str:
    """The task table, created in moto from template.yaml's own KeySchema, attributes and index."""
    name = "tasks-test"
    boto3.client("dynamodb").create_table(TableName=name, **table_definition())
    return name


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """The ICEYE simulator on loopback (TLS with its own CA), its clock standing still at SIM_START."""
    from iceye_simulator import SimClock, Simulator

    with Simulator(clock=SimClock(start=SIM_START)) as simulator:
        yield simulator


@pytest.fixture
def iceye_secret_arn(aws: None, sim: Simulator) -> str:
    """A Secrets Manager secret (in moto) holding the simulator's client credentials, shaped as in production."""
    secret = {"clientId": sim.client_id, "clientSecret": sim.client_secret}
    response = boto3.client("secretsmanager").create_secret(Name="iceye/credentials", SecretString=json.dumps(secret))
    return response["ARN"]


@pytest.fixture
def iceye_settings(sim: Simulator, iceye_secret_arn: str) -> IceyeSettings:
    """Settings pointing the real client at the simulator."""
    return IceyeSettings.from_env(
        {
            "ICEYE_API_BASE_URL": sim.base_url,
            "ICEYE_TOKEN_URL": sim.token_url,
            "ICEYE_CREDENTIALS_SECRET_ARN": iceye_secret_arn,
            "ICEYE_CA_BUNDLE": sim.ca_bundle or "",
            "ICEYE_READ_TIMEOUT_SECONDS": "5",
        }
    )


@pytest.fixture
def table(tasks_table: str) -> DynamoTaskTable:
    """The task table adapter on the moto table."""
    return DynamoTaskTable(boto3.client("dynamodb"), tasks_table)


@pytest.fixture
def client(iceye_settings: IceyeSettings) -> IceyeClient:
    """The real client against the simulator, failing fast (no retries, no backoff)."""
    return IceyeClient.from_settings(iceye_settings, retry=RetryPolicy(attempts=1, backoff_factor=0, backoff_jitter=0))
