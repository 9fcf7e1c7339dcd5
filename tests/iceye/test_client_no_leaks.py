"""A whole run, faults included: no signed URL query string, token or secret in any log line or error message."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay.iceye.client import IceyeClient
from relay.iceye.errors import IceyeError
from relay.observability import logger


def test_logs_and_errors_never_carry_credentials(
    sim: Simulator, client: IceyeClient, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")  # it logs every request line, query included, at DEBUG
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", ready_after=timedelta(hours=1))]))
    sim.clock.advance(timedelta(hours=2))
    messages: list[str] = []
    result = client.get_derivatives(task_id)
    href = result.derivatives[0].assets[0].href.get_secret_value()
    logger.info("copying", extra={"href": href})  # even a careless log line is redacted
    with client.open_file(href) as response:
        assert response.status_code == 200
    for inject in (sim.faults.expire_tokens, lambda: sim.faults.throttle(), lambda: sim.faults.malformed_json()):
        inject()
        try:
            client.get_derivatives(task_id)
        except IceyeError as error:
            messages.append(str(error))
    sim.clock.advance(timedelta(hours=2))
    try:
        client.open_file(href)
    except IceyeError as error:
        messages.append(str(error))
    logger.setLevel(logging.INFO)

    token_requests = sim.requests_to("/oauth2/token")
    assert len(token_requests) == 2
    output = capsys.readouterr().out + caplog.text + "\n".join(messages)
    query = href.split("?", 1)[1]
    assert "Signature=" not in output
    assert query not in output
    assert sim.client_secret not in output
    assert "Bearer " not in output
    assert "<redacted>" in output
    assert any("expired" in message for message in messages)
