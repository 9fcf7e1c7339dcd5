"""OAuth2 client credentials on the sim clock, bearer checks, and contract boundaries."""

from datetime import timedelta

from iceye_simulator import TaskPlan

GRANT = {"grant_type": "client_credentials"}


def test_token_endpoint_issues_a_bearer_token(sim, api):
    response = api.session.post(sim.token_url, auth=(sim.client_id, sim.client_secret), data=GRANT)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) > 20


def test_token_endpoint_refuses_bad_credentials_and_other_grants(sim, api):
    wrong_secret = api.session.post(sim.token_url, auth=(sim.client_id, "nope"), data=GRANT)
    no_credentials = api.session.post(sim.token_url, data={**GRANT, "client_id": sim.client_id})
    wrong_grant = api.session.post(
        sim.token_url, auth=(sim.client_id, sim.client_secret), data={"grant_type": "password"}
    )

    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    assert no_credentials.status_code == 401
    assert wrong_grant.status_code == 400
    assert wrong_grant.json()["error"] == "unsupported_grant_type"


def test_api_needs_a_valid_bearer_token(sim, api):
    task_id = sim.add_task(TaskPlan())
    url = f"{sim.base_url}/api/tasking/v2/tasks/{task_id}"

    missing = api.session.get(url)
    invalid = api.session.get(url, headers={"Authorization": "Bearer not-a-token"})
    basic = api.session.get(url, auth=(sim.client_id, sim.client_secret))

    for response in (missing, invalid, basic):
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "UNAUTHORIZED"
    assert api.get(f"/api/tasking/v2/tasks/{task_id}").status_code == 200


def test_token_expires_on_the_sim_clock(sim, api):
    task_id = sim.add_task(TaskPlan())
    token = api.token()

    sim.clock.advance(timedelta(minutes=59))
    assert api.get(f"/api/tasking/v2/tasks/{task_id}", token=token).status_code == 200
    sim.clock.advance(timedelta(minutes=1))
    expired = api.get(f"/api/tasking/v2/tasks/{task_id}", token=token)

    assert expired.status_code == 401
    assert "expired" in expired.json()["details"]


def test_token_lifetime_is_configurable(sim, api):
    sim.token_lifetime = timedelta(minutes=5)
    response = api.session.post(sim.token_url, auth=(sim.client_id, sim.client_secret), data=GRANT)
    token = response.json()["access_token"]

    sim.clock.advance(timedelta(minutes=5))

    assert response.json()["expires_in"] == 300
    assert api.get("/api/tasking/v2/tasks", token=token).status_code == 401


def test_tasks_of_another_contract_are_forbidden(sim, api):
    sim.add_client("other", "other-secret", "CONTRACT-OTHER")
    theirs = sim.add_task(TaskPlan(contract_id="CONTRACT-OTHER"))
    mine = sim.add_task(TaskPlan())
    other_token = api.token("other", "other-secret")

    assert api.get(f"/api/tasking/v2/tasks/{theirs}").status_code == 403
    assert api.derivatives(theirs).status_code == 403
    assert api.derivatives(theirs).json()["code"] == "FORBIDDEN"
    assert api.get(f"/api/tasking/v2/tasks/{theirs}", token=other_token).status_code == 200
    assert api.get(f"/api/tasking/v2/tasks/{mine}", token=other_token).status_code == 403
