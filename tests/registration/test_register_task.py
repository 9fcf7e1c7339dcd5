"""Registration: validated against ICEYE before anything is written; twice is harmless."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from iceye_simulator import DerivativePlan, Simulator, TaskPlan
from relay.adapters.task_table import DynamoTaskTable
from relay.domain.records import TypeState
from relay.domain.registration import Registration, RegistrationRejected, create_and_watch, register_task
from relay.iceye.client import IceyeClient
from relay.iceye.errors import IncompatibleImagingModeError
from relay.iceye.models import AcquisitionWindow, NewTask, PointOfInterest

ROOT = Path(__file__).resolve().parents[2]


def _items(tasks_table: str) -> list[dict[str, Any]]:
    return list(boto3.client("dynamodb").scan(TableName=tasks_table)["Items"])


def test_the_sample_event_is_a_valid_registration() -> None:
    registration = Registration.model_validate(json.loads((ROOT / "events/register_task.json").read_text()))
    assert registration.derivative_product_types == ["DC_AIRCRAFT", "DC_VESSELS"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"taskId": "not-a-uuid"}, "taskId must be a UUID"),
        ({"taskId": "0b8d7f2e-6a3c-4b1e-9f5d-2c7e8a9b1d40", "derivativeProductTypes": []}, "at least one type"),
        ({"taskId": "0b8d7f2e-6a3c-4b1e-9f5d-2c7e8a9b1d40", "derivativeProductTypes": ["DC_CATS"]}, "unknown"),
        ({"taskId": "0b8d7f2e-6a3c-4b1e-9f5d-2c7e8a9b1d40", "surprise": 1}, "Extra inputs"),
    ],
)
def test_a_bad_registration_is_refused_with_a_clear_error(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Registration.model_validate(event)


def test_the_register_handler_answers_a_bad_event_with_an_error_and_writes_nothing(tasks_table: str) -> None:
    import register_app

    answer = register_app.handler({"taskId": "nope", "derivativeProductTypes": []}, _context())
    assert answer["ok"] is False
    assert answer["error"]["code"] == "INVALID_REGISTRATION"
    assert "UUID" in answer["error"]["message"]
    assert _items(tasks_table) == []


@pytest.mark.parametrize(
    ("plan", "code"),
    [
        (TaskPlan(derivatives=[]), "NO_DERIVATIVES_REQUESTED"),
        (TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")], imaging_mode="STRIPMAP"), "INCOMPATIBLE_IMAGING_MODE"),
        (TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")], end_status=(timedelta(0), "REJECTED")), "TASK_ENDED"),
    ],
)
def test_a_task_that_can_never_have_derivatives_is_refused_and_nothing_written(
    sim: Simulator, client: IceyeClient, table: DynamoTaskTable, tasks_table: str, plan: TaskPlan, code: str
) -> None:
    task_id = sim.add_task(plan)
    with pytest.raises(RegistrationRejected) as refused:
        register_task(Registration(task_id=task_id), client=client, table=table, now=sim.clock.now())
    assert refused.value.code.startswith(code)
    assert task_id in str(refused.value)
    assert _items(tasks_table) == []


def test_types_the_task_did_not_request_are_refused(
    sim: Simulator, client: IceyeClient, table: DynamoTaskTable
) -> None:
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS")]))
    with pytest.raises(RegistrationRejected, match="did not request"):
        register_task(
            Registration(task_id=task_id, derivative_product_types=["DC_AIRCRAFT"]),
            client=client,
            table=table,
            now=sim.clock.now(),
        )


def test_registering_twice_is_harmless_and_says_so(sim: Simulator, client: IceyeClient, table: DynamoTaskTable) -> None:
    task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS"), DerivativePlan("DC_AIRCRAFT")]))
    first = register_task(Registration(task_id=task_id, label="Port"), client=client, table=table, now=sim.clock.now())
    second = register_task(Registration(task_id=task_id), client=client, table=table, now=sim.clock.now())
    assert not first.already_registered
    assert second.already_registered
    assert second.task.label == "Port"
    view = table.get(task_id)
    assert view is not None
    assert {name: t.state for name, t in view.types.items()} == {
        "DC_AIRCRAFT": TypeState.PENDING,
        "DC_VESSELS": TypeState.PENDING,
    }
    assert len(sim.requests_to(f"/tasks/{task_id}", method="GET")) == 1  # the second time asked the table only


def test_create_and_watch_registers_the_new_task(sim: Simulator, client: IceyeClient, table: DynamoTaskTable) -> None:
    now = sim.clock.now()
    new_task = NewTask(
        contract_id=sim.contract_id,
        point_of_interest=PointOfInterest(lat=51.9, lon=4.1),
        acquisition_window=AcquisitionWindow(start=now + timedelta(hours=1), end=now + timedelta(days=2)),
        imaging_mode="SPOTLIGHT",
        product_types=["GRD"],
        derivative_product_types=["DC_VESSELS"],
    )
    outcome = create_and_watch(new_task, client=client, table=table, now=now, label="Rotterdam")
    assert outcome.task.source == "create_task"
    assert table.get(outcome.task.task_id) is not None


def test_create_task_refuses_derivatives_without_grd_before_sending(sim: Simulator, client: IceyeClient) -> None:
    now = sim.clock.now()
    new_task = NewTask(
        contract_id=sim.contract_id,
        point_of_interest=PointOfInterest(lat=51.9, lon=4.1),
        acquisition_window=AcquisitionWindow(start=now, end=now + timedelta(days=1)),
        imaging_mode="SPOTLIGHT",
        product_types=["SLC"],
        derivative_product_types=["DC_VESSELS"],
    )
    with pytest.raises(IncompatibleImagingModeError, match=r"INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES.*GRD"):
        client.create_task(new_task)
    with pytest.raises(IncompatibleImagingModeError, match="STRIPMAP"):
        client.create_task(new_task.model_copy(update={"imaging_mode": "STRIPMAP", "product_types": ["GRD"]}))
    assert sim.requests_to("/api/tasking/v2/tasks", method="POST") == []


def _context() -> Any:
    class Context:
        function_name = "register"
        memory_limit_in_mb = 128
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:register"
        aws_request_id = "req-1"

        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 30_000

    return Context()
