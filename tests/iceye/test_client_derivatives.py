"""get_derivatives against the simulator: 404 -> 206 -> 200, errors typed, faults survived or reported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay.iceye.client import IceyeClient
from relay.iceye.errors import (
    IceyeAuthenticationError,
    IceyeBadResponse,
    IceyePermissionError,
    IceyeServerError,
    IceyeThrottled,
    IceyeUnavailable,
)
from relay.iceye.http import RetryPolicy
from relay.iceye.models import Availability
from relay.settings import IceyeSettings


def _two_type_task(sim: Simulator) -> str:
    return sim.add_task(
        TaskPlan(
            derivatives=[
                DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=4)),
                DerivativePlan("DC_AIRCRAFT", ready_after=timedelta(hours=6)),
            ]
        )
    )


def test_a_task_goes_not_available_then_partial_then_complete(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)

    assert client.get_derivatives(task_id).availability is Availability.NOT_AVAILABLE

    sim.clock.advance(timedelta(hours=5))
    partial = client.get_derivatives(task_id)
    assert partial.availability is Availability.PARTIAL
    assert {d.product_type: d.is_ready for d in partial.derivatives} == {"DC_VESSELS": True, "DC_AIRCRAFT": False}

    sim.clock.advance(timedelta(hours=2))
    complete = client.get_derivatives(task_id)
    assert complete.availability is Availability.COMPLETE
    (asset,) = complete.by_type["DC_AIRCRAFT"][0].assets
    assert asset.type == "geojson"
    assert asset.file_name.endswith(".geojson")
    assert asset.expires_at == sim.clock.now() + timedelta(hours=1)
    assert "Signature" not in repr(complete)
    assert complete.derivatives[0].image_reference


def test_unknown_task_is_not_available_not_an_error(sim: Simulator, client: IceyeClient) -> None:
    result = client.get_derivatives("7d1c1b4e-0000-4000-8000-000000000000")
    assert result.availability is Availability.NOT_AVAILABLE
    assert result.derivatives == []


def test_another_contracts_task_is_a_permission_error(sim: Simulator, client: IceyeClient) -> None:
    sim.add_client("someone-else", "their-secret", "CONTRACT-OTHER")
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")], contract_id="CONTRACT-OTHER"))
    with pytest.raises(IceyePermissionError) as raised:
        client.get_derivatives(task_id)
    assert raised.value.status == 403


def test_throttling_carries_retry_after_and_is_not_retried(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    sim.faults.throttle(retry_after=42)
    with pytest.raises(IceyeThrottled) as raised:
        client.get_derivatives(task_id)
    assert raised.value.retry_after == 42
    assert len(sim.requests_to("/derivatives")) == 1


def test_a_passing_server_error_is_retried(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    sim.faults.server_error(status=503)
    assert client.get_derivatives(task_id).availability is Availability.NOT_AVAILABLE
    assert [r.status for r in sim.requests_to("/derivatives")] == [503, 404]


def test_a_lasting_html_502_is_a_typed_server_error(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    sim.faults.html_error(status=502, times=None)
    with pytest.raises(IceyeServerError) as raised:
        client.get_derivatives(task_id)
    assert raised.value.status == 502
    assert raised.value.problem is None
    assert len(sim.requests_to("/derivatives")) == 3  # first try + 2 retries


@pytest.mark.parametrize(
    ("inject", "message"),
    [("malformed_json", "not JSON"), ("wrong_shape", "not the documented shape")],
)
def test_malformed_bodies_raise_bad_response(sim: Simulator, client: IceyeClient, inject: str, message: str) -> None:
    task_id = _two_type_task(sim)
    sim.clock.advance(timedelta(hours=7))
    getattr(sim.faults, inject)()
    with pytest.raises(IceyeBadResponse, match=message):
        client.get_derivatives(task_id)


def test_a_body_that_disagrees_with_its_status_is_refused(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    sim.clock.advance(timedelta(hours=5))
    sim.faults.status_body_mismatch()
    with pytest.raises(IceyeBadResponse, match="200"):
        client.get_derivatives(task_id)


def test_unknown_product_type_is_kept_and_reported(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    sim.clock.advance(timedelta(hours=7))
    sim.faults.unknown_product_type(name="DC_SOMETHING_NEW")
    result = client.get_derivatives(task_id)
    assert result.unknown_product_types == ["DC_SOMETHING_NEW"]
    assert "DC_SOMETHING_NEW" in result.by_type


def test_an_expired_token_is_renewed_once(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    client.get_derivatives(task_id)
    sim.faults.expire_tokens()
    assert client.get_derivatives(task_id).availability is Availability.NOT_AVAILABLE
    assert [r.status for r in sim.requests_to("/derivatives")] == [404, 401, 404]
    assert len(sim.requests_to("/oauth2/token")) == 2


def test_a_token_refused_twice_is_an_authentication_error(sim: Simulator, client: IceyeClient) -> None:
    task_id = _two_type_task(sim)
    sim.token_lifetime = timedelta(seconds=0)
    with pytest.raises(IceyeAuthenticationError):
        client.get_derivatives(task_id)
    assert len(sim.requests_to("/oauth2/token")) == 2


def test_a_slow_answer_times_out_as_unavailable(sim: Simulator, iceye_settings: IceyeSettings) -> None:
    task_id = _two_type_task(sim)
    sim.faults.slow(seconds=1.0, times=None)
    impatient = IceyeClient.from_settings(
        iceye_settings.model_copy(update={"read_timeout_seconds": 0.2, "max_connections": 2}),
        retry=RetryPolicy(attempts=1, backoff_factor=0, backoff_jitter=0),
    )
    with pytest.raises(IceyeUnavailable, match=f"GET /api/tasking/v2/tasks/{task_id}/derivatives"):
        impatient.get_derivatives(task_id)
