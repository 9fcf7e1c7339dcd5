"""Creating, reading and listing tasks: validation, the derivatives rule, and cursor pagination."""

from datetime import timedelta

import pytest

from iceye_simulator import TaskPlan

TASKS = "/api/tasking/v2/tasks"


def task_request(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "contractID": "CONTRACT-LOCAL",
        "pointOfInterest": {"lat": 60.17, "lon": 24.94},
        "acquisitionWindow": {"start": "2026-11-25T00:00:00Z", "end": "2026-11-26T00:00:00Z"},
        "imagingMode": "SPOTLIGHT_FINE",
        "productTypes": ["GRD"],
        "derivativeProductTypes": ["DC_VESSELS", "DC_AIRCRAFT"],
    }
    body.update(overrides)
    return body


def test_created_task_is_returned_and_its_derivatives_appear_on_the_default_timeline(sim, api):
    response = api.post(TASKS, task_request())

    assert response.status_code == 201
    task = response.json()
    assert task["status"] == "RECEIVED"
    assert task["createdAt"] == "2026-11-24T08:00:00.000Z"
    assert task["derivativeProductTypes"] == ["DC_VESSELS", "DC_AIRCRAFT"]
    assert response.headers["Location"].endswith(f"{TASKS}/{task['id']}")
    assert api.get(f"{TASKS}/{task['id']}").json()["pointOfInterest"] == {"lat": 60.17, "lon": 24.94}
    statuses = []
    for hour in (3, 4, 5):
        sim.clock.set(sim.clock.now().replace(hour=8 + hour))
        statuses.append(api.derivatives(task["id"]).status_code)
    assert statuses == [404, 206, 200]


@pytest.mark.parametrize("missing", ["contractID", "pointOfInterest", "acquisitionWindow", "imagingMode"])
def test_missing_field_is_a_400_problem(api, missing):
    body = task_request()
    del body[missing]

    response = api.post(TASKS, body)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert missing in response.json()["details"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"imagingMode": "STRIPMAP"},
        {"imagingMode": "SCAN"},
        {"productTypes": ["SLC"]},
        {"productTypes": []},
    ],
)
def test_derivatives_need_a_spotlight_mode_and_grd(api, overrides):
    response = api.post(TASKS, task_request(**overrides))

    assert response.status_code == 400
    assert response.json()["code"] == "INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES"


def test_other_modes_are_fine_without_derivatives(api):
    response = api.post(TASKS, task_request(imagingMode="STRIPMAP", derivativeProductTypes=[], productTypes=["SLC"]))

    assert response.status_code == 201


@pytest.mark.parametrize(
    "overrides",
    [
        {"pointOfInterest": {"lat": 91, "lon": 0}},
        {"acquisitionWindow": {"start": "2026-11-26T00:00:00Z", "end": "2026-11-25T00:00:00Z"}},
        {"acquisitionWindow": {"start": "soon"}},
        {"derivativeProductTypes": ["DC_UNICORNS"]},
    ],
)
def test_invalid_values_are_400(api, overrides):
    assert api.post(TASKS, task_request(**overrides)).status_code == 400


def test_creating_for_another_contract_is_forbidden(api):
    assert api.post(TASKS, task_request(contractID="CONTRACT-OTHER")).status_code == 403


def test_non_json_body_is_400(sim, api):
    response = api.session.post(
        f"{sim.base_url}{TASKS}", data="not json", headers={"Authorization": f"Bearer {api.token()}"}
    )
    assert response.status_code == 400


def test_list_pages_through_every_task_once_in_creation_order(sim, api):
    created = [sim.add_task(TaskPlan(created_at=sim.clock.now() + timedelta(minutes=i))) for i in range(7)]
    token = api.token()

    pages, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = api.get(TASKS, token=token, params=params).json()
        pages.append([task["id"] for task in body["data"]])
        cursor = body.get("cursor")
        if cursor is None:
            break

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [task_id for page in pages for task_id in page] == created
    assert "cursor" not in body


def test_list_filters_by_created_after_and_shows_only_the_callers_contract(sim, api):
    sim.add_client("other", "other-secret", "CONTRACT-OTHER")
    start = sim.clock.now()
    old = sim.add_task(TaskPlan(created_at=start - timedelta(days=1)))
    new = sim.add_task(TaskPlan(created_at=start + timedelta(hours=1)))
    sim.add_task(TaskPlan(contract_id="CONTRACT-OTHER"))

    everything = api.get(TASKS).json()["data"]
    recent = api.get(TASKS, params={"createdAfter": "2026-11-24T08:00:00Z"}).json()["data"]
    own_contract = api.get(TASKS, params={"contractID": "CONTRACT-LOCAL"}).json()["data"]

    assert [task["id"] for task in everything] == [old, new]
    assert [task["id"] for task in recent] == [new]
    assert own_contract == everything
    assert api.get(TASKS, params={"contractID": "CONTRACT-OTHER"}).status_code == 403


def test_list_defaults_to_50_per_page(sim, api):
    for minute in range(51):
        sim.add_task(TaskPlan(created_at=sim.clock.now() + timedelta(minutes=minute)))

    body = api.get(TASKS).json()

    assert len(body["data"]) == 50
    assert body["cursor"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": "many"}, {"cursor": "garbage!"}, {"createdAfter": "yesterday"}]
)
def test_bad_list_parameters_are_400(api, params):
    response = api.get(TASKS, params=params)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


def test_unknown_route_is_a_problem_404(api):
    response = api.get("/api/tasking/v2/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
