"""Tasks (list pages, create, get) and the token's life: renewed five minutes early, once after a 401."""

from __future__ import annotations

from datetime import timedelta

import pytest

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay.iceye.auth import ClientCredentials, TokenProvider
from relay.iceye.client import IceyeClient
from relay.iceye.errors import IceyeConfigurationError, IceyeNotFound, IceyeRequestRejected
from relay.iceye.http import RetryPolicy, new_session
from relay.iceye.models import AcquisitionWindow, NewTask, PointOfInterest
from relay.settings import IceyeSettings


def test_list_tasks_follows_every_cursor_page(sim: Simulator, client: IceyeClient) -> None:
    created = {sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")])) for _ in range(7)}
    listed = [task.id for task in client.list_tasks(contract_id=sim.contract_id, limit=3)]
    assert set(listed) == created
    assert len(listed) == 7
    assert len(sim.requests_to("/api/tasking/v2/tasks", method="GET")) == 3  # 3 + 3 + 1


def test_get_task_reports_what_derivatives_need(sim: Simulator, client: IceyeClient) -> None:
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_AIRCRAFT")], imaging_mode="SPOTLIGHT_FINE"))
    task = client.get_task(task_id)
    assert task.derivative_product_types == ["DC_AIRCRAFT"]
    assert task.can_have_derivatives
    assert task.contract_id == sim.contract_id
    with pytest.raises(IceyeNotFound):
        client.get_task("5f3c1b4e-0000-4000-8000-000000000000")


def test_the_services_own_400_is_a_typed_rejection_with_its_problem(sim: Simulator, client: IceyeClient) -> None:
    now = sim.clock.now()
    backwards = NewTask(
        contract_id=sim.contract_id,
        point_of_interest=PointOfInterest(lat=1, lon=2),
        acquisition_window=AcquisitionWindow(start=now + timedelta(days=1), end=now),
        imaging_mode="SPOTLIGHT",
        product_types=["GRD"],
        derivative_product_types=["DC_VESSELS"],
    )
    with pytest.raises(IceyeRequestRejected) as rejected:
        client.create_task(backwards)
    assert rejected.value.status == 400
    assert rejected.value.problem is not None
    assert rejected.value.problem.code == "VALIDATION_ERROR"


def test_the_token_is_renewed_five_minutes_before_it_expires(sim: Simulator, iceye_settings: IceyeSettings) -> None:
    moments = [sim.clock.now()]
    tokens = TokenProvider(
        sim.token_url,
        lambda: ClientCredentials(sim.client_id, sim.client_secret),
        new_session(2, RetryPolicy(attempts=0)),
        verify=iceye_settings.ca_bundle or True,
        now=lambda: moments[-1],
    )
    first = tokens.token()
    moments.append(moments[0] + timedelta(minutes=54))
    assert tokens.token() == first
    moments.append(moments[0] + timedelta(minutes=55))
    sim.clock.advance(timedelta(minutes=55))
    assert tokens.token() != first
    assert len(sim.requests_to("/oauth2/token")) == 2


@pytest.mark.parametrize(
    ("secret", "named"),
    [({"clientId": "a"}, "clientSecret"), ({}, "clientId and clientSecret"), ("text", "JSON object")],
)
def test_a_secret_of_the_wrong_shape_is_a_configuration_error(secret: object, named: str) -> None:
    with pytest.raises(IceyeConfigurationError, match=named):
        ClientCredentials.from_secret_value(secret)


def test_credentials_never_show_their_secret() -> None:
    assert "hunter2" not in repr(ClientCredentials("id", "hunter2"))
