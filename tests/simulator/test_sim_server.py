"""The simulator's lifecycle: TLS by default with its own CA, plain HTTP on request, clean start and stop."""

from pathlib import Path

import pytest
import requests

from iceye_simulator import Simulator, TaskPlan


def test_tls_by_default_with_a_ca_bundle_that_goes_away_on_stop():
    simulator = Simulator().start()
    ca_bundle = simulator.ca_bundle
    assert ca_bundle is not None
    try:
        assert simulator.base_url.startswith("https://127.0.0.1:")
        assert simulator.token_url == f"{simulator.base_url}/oauth2/token"
        assert "BEGIN CERTIFICATE" in Path(ca_bundle).read_text()
        session = requests.Session()
        session.trust_env = False
        with pytest.raises(requests.exceptions.SSLError):
            session.get(simulator.base_url, verify=True, timeout=5)  # the system CAs do not know it
        assert session.get(simulator.base_url, verify=ca_bundle, timeout=5).status_code == 404
    finally:
        simulator.stop()
        simulator.stop()  # twice is fine

    assert not Path(ca_bundle).exists()
    assert simulator.ca_bundle is None


def test_plain_http_when_asked():
    with Simulator(tls=False) as simulator:
        task_id = simulator.add_task(TaskPlan())
        session = requests.Session()
        session.trust_env = False
        token = session.post(
            simulator.token_url,
            auth=(simulator.client_id, simulator.client_secret),
            data={"grant_type": "client_credentials"},
            timeout=5,
        ).json()["access_token"]
        response = session.get(
            f"{simulator.base_url}/api/tasking/v2/tasks/{task_id}", headers={"Authorization": f"Bearer {token}"}
        )

    assert simulator.base_url.startswith("http://")
    assert simulator.ca_bundle is None
    assert response.json()["id"] == task_id


def test_base_url_needs_a_started_simulator():
    with pytest.raises(RuntimeError, match="not been started"):
        _ = Simulator().base_url


def test_tasks_can_be_added_before_start_and_ids_are_unique():
    simulator = Simulator()
    simulator.add_task(TaskPlan(task_id="fixed-id"))

    with pytest.raises(ValueError, match="already exists"):
        simulator.add_task(TaskPlan(task_id="fixed-id"))


def test_unsupported_method_is_a_405_problem(sim, api):
    response = api.session.delete(f"{sim.base_url}/api/tasking/v2/tasks/whatever")

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
