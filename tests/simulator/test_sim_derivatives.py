"""The derivatives endpoint follows each task's timeline on the sim clock: 404, then 206, then 200."""

from datetime import timedelta

from iceye_simulator import DerivativePlan, TaskPlan

H = timedelta(hours=1)


def test_24_hour_scenario_goes_404_then_206_then_200(sim, api):
    task_id = sim.add_task(
        TaskPlan(
            derivatives=[
                DerivativePlan("DC_VESSELS", ready_after=4 * H),
                DerivativePlan("DC_AIRCRAFT", ready_after=6 * H),
            ]
        )
    )
    sim.token_lifetime = timedelta(days=2)
    token = api.token()
    statuses = []
    for _ in range(25):
        statuses.append(api.derivatives(task_id, token=token).status_code)
        sim.clock.advance(H)

    assert statuses == [404] * 4 + [206] * 2 + [200] * 19


def test_partial_response_lists_every_requested_type_and_empty_assets_for_the_pending_ones(sim, api):
    task_id = sim.add_task(
        TaskPlan(
            derivatives=[DerivativePlan("DC_VESSELS", ready_after=H), DerivativePlan("DC_AIRCRAFT", ready_after=None)]
        )
    )
    sim.clock.advance(2 * H)

    response = api.derivatives(task_id)

    assert response.status_code == 206
    by_type = {entry["derivativeProductType"]: entry for entry in response.json()["data"]}
    assert by_type["DC_AIRCRAFT"]["assets"] == []
    [asset] = by_type["DC_VESSELS"]["assets"]
    assert asset["type"] == "geojson"
    assert "/vessel-detections.geojson?Expires=" in asset["href"]
    assert "&Key-Pair-Id=SIMKEY" in asset["href"]


def test_ids_are_stable_and_image_fields_present(sim, api):
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=H, files=3)]))
    sim.clock.advance(2 * H)

    first = api.derivatives(task_id).json()["data"][0]
    sim.clock.advance(H)
    second = api.derivatives(task_id).json()["data"][0]

    assert first["id"] == second["id"]
    assert first["imageReference"] == second["imageReference"]
    assert isinstance(first["imageId"], str)
    assert first["assets"] != second["assets"]  # a new expiry, so a new signature
    names = [asset["href"].split("?")[0].rsplit("/", 1)[1] for asset in first["assets"]]
    assert names == ["vessel-detections.geojson", "vessel-detections-2.geojson", "vessel-detections-3.geojson"]


def test_unknown_product_type_in_a_plan_is_served_like_the_others(sim, api):
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_SOMETHING_NEW", ready_after=H)]))
    sim.clock.advance(H)

    response = api.derivatives(task_id)

    assert response.status_code == 200
    [entry] = response.json()["data"]
    assert entry["derivativeProductType"] == "DC_SOMETHING_NEW"
    assert "dc-something-new-detections.geojson" in entry["assets"][0]["href"]


def test_404_kinds_are_told_apart_by_code(sim, api):
    without = sim.add_task(TaskPlan(derivatives=[]))
    pending = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")]))

    unknown = api.derivatives("no-such-task")
    not_requested = api.derivatives(without)
    not_ready = api.derivatives(pending)

    assert [r.status_code for r in (unknown, not_requested, not_ready)] == [404, 404, 404]
    assert all(r.headers["Content-Type"] == "application/problem+json" for r in (unknown, not_requested, not_ready))
    codes = [r.json()["code"] for r in (unknown, not_requested, not_ready)]
    assert codes == ["TASK_NOT_FOUND", "DERIVATIVES_NOT_REQUESTED", "DERIVATIVES_NOT_AVAILABLE"]
    assert all({"title", "details", "reference"} <= r.json().keys() for r in (unknown, not_requested, not_ready))


def test_task_rejected_before_imagery_never_gets_derivatives(sim, api):
    task_id = sim.add_task(
        TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=4 * H)], end_status=(H, "REJECTED"))
    )

    sim.clock.advance(30 * H)

    assert api.derivatives(task_id).status_code == 404
    assert api.get(f"/api/tasking/v2/tasks/{task_id}").json()["status"] == "REJECTED"


def test_task_canceled_after_fulfilment_still_gets_its_derivatives(sim, api):
    task_id = sim.add_task(
        TaskPlan(
            derivatives=[DerivativePlan("DC_VESSELS", ready_after=4 * H)],
            end_status=(timedelta(hours=2, minutes=30), "CANCELED"),  # after FULFILLED at 2 h
        )
    )

    sim.clock.advance(5 * H)

    assert api.derivatives(task_id).status_code == 200


def test_status_follows_the_timeline(sim, api):
    task_id = sim.add_task(TaskPlan())
    seen = []
    for offset in (timedelta(0), timedelta(minutes=10), 2 * H, 3 * H):
        sim.clock.set(sim.clock.now().replace(hour=8) + offset)
        seen.append(api.get(f"/api/tasking/v2/tasks/{task_id}").json()["status"])

    assert seen == ["RECEIVED", "ACTIVE", "FULFILLED", "DONE"]
