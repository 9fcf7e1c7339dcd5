"""The real client, pointed at the simulator, retrying without sleeping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_lambda_powertools.utilities import parameters

from relay.iceye.client import IceyeClient
from relay.iceye.http import RetryPolicy
from relay.settings import IceyeSettings

FAST_RETRIES = RetryPolicy(attempts=2, backoff_factor=0, backoff_jitter=0)


@pytest.fixture(autouse=True)
def _fresh_parameter_cache() -> Iterator[None]:
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    yield
    parameters.clear_caches()  # type: ignore[no-untyped-call]


@pytest.fixture
def client(iceye_settings: IceyeSettings) -> IceyeClient:
    """A client with its own session (retries fast) against the simulator."""
    settings = iceye_settings.model_copy(update={"max_connections": 3})
    return IceyeClient.from_settings(settings, retry=FAST_RETRIES)
