"""Every request is recorded: method, path, query, status, sim time and client."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from iceye_simulator import TaskPlan


def test_requests_are_recorded_with_status_sim_time_and_client(sim, api):
    task_id = sim.add_task(TaskPlan())
    token = api.token()
    sim.clock.advance(timedelta(minutes=5))
    api.get("/api/tasking/v2/tasks", token=token, params={"limit": 2})
    api.session.get(f"{sim.base_url}/api/tasking/v2/tasks/{task_id}/derivatives")

    token_call, listing, anonymous = sim.requests

    assert (token_call.method, token_call.path, token_call.status, token_call.client_id) == (
        "POST",
        "/oauth2/token",
        200,
        sim.client_id,
    )
    assert listing.query == {"limit": "2"}
    assert listing.at == token_call.at + timedelta(minutes=5)
    assert listing.client_id == sim.client_id
    assert (anonymous.status, anonymous.client_id) == (401, None)


def test_requests_to_filters_by_path_and_method(sim, api):
    task_id = sim.add_task(TaskPlan())
    api.derivatives(task_id)
    api.derivatives(task_id)

    assert len(sim.requests_to("/derivatives")) == 2
    assert len(sim.requests_to("/oauth2/token", method="post")) == 2
    assert sim.requests_to("/oauth2/token", method="GET") == []


def test_concurrent_requests_are_all_recorded(sim, api):
    sim.token_lifetime = timedelta(days=1)
    token = api.token()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: api.get("/api/tasking/v2/tasks", token=token).status_code, range(24)))

    assert statuses == [200] * 24
    assert len(sim.requests_to("/api/tasking/v2/tasks", method="GET")) == 24
