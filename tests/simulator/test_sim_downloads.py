"""Signed URLs: the bytes match files(), big files stream, and expiry or a bad signature gives CloudFront's 403."""

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from iceye_simulator import DerivativePlan, Simulator, TaskPlan

H = timedelta(hours=1)


def ready_hrefs(sim: Simulator, api: Any, *derivatives: DerivativePlan, **plan: Any) -> tuple[str, list[str]]:
    task_id = sim.add_task(TaskPlan(derivatives=list(derivatives), **plan))
    sim.clock.advance(max(d.ready_after or timedelta(0) for d in derivatives))
    response = api.derivatives(task_id)
    assert response.status_code == 200
    return task_id, [asset["href"] for entry in response.json()["data"] for asset in entry["assets"]]


def test_downloaded_bytes_match_the_announced_sha256(sim, api):
    task_id, hrefs = ready_hrefs(sim, api, DerivativePlan("DC_VESSELS", ready_after=H, file_size=30_000, files=2))
    expected = {file.file_name: file for file in sim.files(task_id)}

    for href in hrefs:
        response = api.download(href)
        name = urlsplit(href).path.rsplit("/", 1)[1]
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/geo+json"
        assert int(response.headers["Content-Length"]) == expected[name].size == 30_000
        assert hashlib.sha256(response.content).hexdigest() == expected[name].sha256
    assert len(expected) == 2


def test_a_50_mb_file_streams_whole(sim, api):
    task_id, [href] = ready_hrefs(sim, api, DerivativePlan("DC_AIRCRAFT", ready_after=H, file_size=50_000_000))
    digest, received = hashlib.sha256(), 0

    with api.download(href, stream=True) as response:
        assert response.headers["Content-Length"] == "50000000"
        for chunk in response.iter_content(chunk_size=1 << 20):
            digest.update(chunk)
            received += len(chunk)

    assert received == 50_000_000
    assert digest.hexdigest() == sim.files(task_id)[0].sha256


def test_url_expires_after_its_lifetime_on_the_sim_clock(sim, api):
    _, [href] = ready_hrefs(sim, api, DerivativePlan("DC_VESSELS", ready_after=H), url_lifetime=timedelta(minutes=30))

    sim.clock.advance(timedelta(minutes=29))
    assert api.download(href).status_code == 200
    sim.clock.advance(timedelta(minutes=1))
    expired = api.download(href)

    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code>" in expired.text
    assert "expired" in expired.text


def test_expires_is_issue_time_plus_lifetime(sim, api):
    _, [href] = ready_hrefs(sim, api, DerivativePlan("DC_VESSELS", ready_after=H))

    expires = int(parse_qs(urlsplit(href).query)["Expires"][0])

    assert expires == int((sim.clock.now() + H).timestamp())


def test_bad_or_missing_signature_is_refused(sim, api):
    _, [href] = ready_hrefs(sim, api, DerivativePlan("DC_VESSELS", ready_after=H))
    base, query = href.split("?")
    params = {key: values[0] for key, values in parse_qs(query).items()}

    tampered = api.download(f"{base}?{urlencode({**params, 'Signature': 'AAAA' + params['Signature'][4:]})}")
    extended = api.download(f"{base}?{urlencode({**params, 'Expires': int(params['Expires']) + 3600})}")
    other_file = api.download(f"{base.replace('vessel', 'aircraft')}?{query}")
    unsigned = api.download(base)

    assert [r.status_code for r in (tampered, extended, other_file, unsigned)] == [403, 403, 403, 403]
    assert api.download(href).status_code == 200


def test_downloads_need_no_bearer_token_and_are_recorded_without_client(sim, api):
    _, [href] = ready_hrefs(sim, api, DerivativePlan("DC_VEHICLES", ready_after=H))

    assert api.download(href).status_code == 200
    [recorded] = sim.requests_to("/files/")
    assert recorded.client_id is None
    assert recorded.query["Key-Pair-Id"] == "SIMKEY"
