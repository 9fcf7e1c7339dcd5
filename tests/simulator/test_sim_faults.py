"""Each injected fault does what it says, for as many requests as asked, and then stops."""

import hashlib
import json
import time
from datetime import timedelta
from typing import Any

import pytest
import requests

from iceye_simulator import DerivativePlan, TaskPlan

H = timedelta(hours=1)


@pytest.fixture
def ready_task(sim):
    task_id = sim.add_task(
        TaskPlan(
            derivatives=[DerivativePlan("DC_VESSELS", ready_after=H), DerivativePlan("DC_AIRCRAFT", ready_after=3 * H)]
        )
    )
    sim.clock.advance(2 * H)  # vessels ready, aircraft not: a 206
    return task_id


def test_throttle_answers_429_with_retry_after_for_the_given_number_of_requests(sim, api, ready_task):
    sim.faults.throttle(retry_after=7, times=2)
    token = api.token()  # the token endpoint is outside the default scope

    responses = [api.derivatives(ready_task, token=token) for _ in range(3)]

    assert [r.status_code for r in responses] == [429, 429, 206]
    assert responses[0].headers["Retry-After"] == "7"
    assert responses[0].headers["Content-Type"] == "application/problem+json"
    assert responses[0].json()["code"] == "RATE_LIMIT_EXCEEDED"


def test_throttle_without_retry_after_sends_no_header(sim, api, ready_task):
    sim.faults.throttle(retry_after=None)

    response = api.derivatives(ready_task)

    assert response.status_code == 429
    assert "Retry-After" not in response.headers


def test_path_filter_limits_a_fault_to_matching_requests(sim, api, ready_task):
    sim.faults.server_error(503, path_contains="/derivatives")
    token = api.token()

    assert api.get(f"/api/tasking/v2/tasks/{ready_task}", token=token).status_code == 200
    assert api.derivatives(ready_task, token=token).status_code == 503
    assert api.derivatives(ready_task, token=token).status_code == 206


def test_path_filter_can_target_the_token_endpoint(sim, api):
    sim.faults.throttle(path_contains="/oauth2/token")

    with pytest.raises(requests.HTTPError, match="429"):
        api.token()
    assert api.token()


def test_server_error_is_a_problem_json(sim, api, ready_task):
    sim.faults.server_error()

    response = api.derivatives(ready_task)

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {"title", "code", "details", "reference"} <= response.json().keys()


def test_html_error_is_not_json(sim, api, ready_task):
    sim.faults.html_error(504)

    response = api.derivatives(ready_task)

    assert response.status_code == 504
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_slow_delays_the_answer_in_real_time(sim, api, ready_task):
    token = api.token()
    sim.faults.slow(0.3)

    started = time.monotonic()
    response = api.derivatives(ready_task, token=token)
    elapsed = time.monotonic() - started

    assert response.status_code == 206
    assert elapsed >= 0.3
    sim.faults.slow(0.5)
    with pytest.raises(requests.Timeout):
        api.session.get(f"{sim.base_url}/api/tasking/v2/tasks", timeout=0.1)


def test_malformed_json_is_a_200_that_does_not_parse(sim, api, ready_task):
    sim.faults.malformed_json()

    response = api.derivatives(ready_task)

    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_wrong_shape_is_valid_json_of_the_wrong_shape(sim, api, ready_task):
    sim.faults.wrong_shape()

    response = api.derivatives(ready_task)

    assert response.status_code == 200
    assert response.json() == {"data": {"oops": 1}}


def test_unknown_product_type_adds_a_served_derivative_to_every_task_while_on(sim, api, ready_task):
    sim.faults.unknown_product_type("DC_SOMETHING_NEW")
    token = api.token()

    first = api.derivatives(ready_task, token=token)
    second = api.derivatives(ready_task, token=token)
    sim.faults.clear()
    after = api.derivatives(ready_task, token=token)

    for response in (first, second):
        types = [entry["derivativeProductType"] for entry in response.json()["data"]]
        assert types == ["DC_VESSELS", "DC_AIRCRAFT", "DC_SOMETHING_NEW"]
    assert response.status_code == 206  # the extra type does not change what was requested
    assert [entry["derivativeProductType"] for entry in after.json()["data"]] == ["DC_VESSELS", "DC_AIRCRAFT"]
    download = api.download(first.json()["data"][2]["assets"][0]["href"])  # still served after the fault is off
    extra = next(file for file in sim.files(ready_task) if file.product_type == "DC_SOMETHING_NEW")
    assert download.status_code == 200
    assert extra.file_name == "dc-something-new-detections.geojson"
    assert hashlib.sha256(download.content).hexdigest() == extra.sha256


def test_status_body_mismatch_says_200_while_assets_are_missing(sim, api, ready_task):
    sim.faults.status_body_mismatch()
    token = api.token()

    mismatched = api.derivatives(ready_task, token=token)
    honest = api.derivatives(ready_task, token=token)

    assert mismatched.status_code == 200
    assert [] in [entry["assets"] for entry in mismatched.json()["data"]]
    assert honest.status_code == 206


def test_status_body_mismatch_also_when_everything_is_ready(sim, api, ready_task):
    sim.clock.advance(2 * H)
    sim.faults.status_body_mismatch()

    response = api.derivatives(ready_task)

    assert response.status_code == 200
    assert [bool(entry["assets"]) for entry in response.json()["data"]] == [True, False]


def test_expire_tokens_expires_every_token_issued_so_far(sim, api, ready_task):
    old = api.token()
    sim.faults.expire_tokens()
    new = api.token()

    assert api.derivatives(ready_task, token=old).status_code == 401
    assert api.derivatives(ready_task, token=new).status_code == 206


def download_href(api: Any, task_id: str) -> str:
    href: str = api.derivatives(task_id).json()["data"][0]["assets"][0]["href"]
    return href


def test_reset_download_aborts_the_connection_mid_body(sim, api):
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=H, file_size=2_000_000)]))
    sim.clock.advance(H)
    href = download_href(api, task_id)
    sim.faults.reset_download(after_bytes=100_000)

    received = 0
    with api.download(href, stream=True) as response:
        assert response.status_code == 200
        with pytest.raises(requests.exceptions.ChunkedEncodingError) as error:  # noqa: PT012 - raised mid-iteration
            for chunk in response.iter_content(65_536):
                received += len(chunk)

    assert "reset" in str(error.value).lower()  # an RST, not a clean close
    assert received <= 100_000
    assert len(api.download(href).content) == 2_000_000  # one request only


def test_truncate_download_sends_a_full_content_length_then_closes_early(sim, api):
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=H, file_size=500_000)]))
    sim.clock.advance(H)
    href = download_href(api, task_id)
    sim.faults.truncate_download(after_bytes=1_234)

    with pytest.raises(requests.exceptions.ChunkedEncodingError) as error:
        api.download(href)

    assert "IncompleteRead(1234 bytes read, 498766 more expected)" in str(error.value)
    assert len(api.download(href).content) == 500_000  # one request only


def test_faults_are_consumed_first_in_first_out(sim, api, ready_task):
    sim.faults.server_error(500)
    sim.faults.server_error(503)
    token = api.token()

    statuses = [api.derivatives(ready_task, token=token).status_code for _ in range(3)]

    assert statuses == [500, 503, 206]
    assert sim.faults.pending() == 0


def test_clear_switches_everything_off(sim, api, ready_task):
    sim.faults.throttle(times=None)
    sim.faults.server_error(times=5)

    sim.faults.clear()

    assert sim.faults.pending() == 0
    assert api.derivatives(ready_task).status_code == 206


def test_times_must_be_positive(sim):
    with pytest.raises(ValueError, match="times"):
        sim.faults.throttle(times=0)
