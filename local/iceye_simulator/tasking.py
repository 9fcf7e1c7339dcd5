"""The task endpoints: create, get, and list (cursor-paginated), each seen through the caller's contract."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from iceye_simulator.auth import Client
from iceye_simulator.plans import DERIVATIVE_IMAGING_MODES, KNOWN_PRODUCT_TYPES, DerivativePlan, TaskPlan
from iceye_simulator.responses import bad_request, forbidden, json_response, not_found
from iceye_simulator.tasks import InvalidCursorError, SimTask, place
from iceye_simulator.timestamps import parse_iso
from iceye_simulator.world import World

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
REQUIRED_FIELDS = ("contractID", "pointOfInterest", "acquisitionWindow", "imagingMode")
# Derivatives of tasks created through the API appear one type at a time, the first four hours after creation.
FIRST_DERIVATIVE_AFTER = timedelta(hours=4)
NEXT_DERIVATIVE_AFTER = timedelta(hours=1)


def owned_task(world: World, client: Client, task_id: str) -> SimTask | Response:
    """The task if the caller's contract owns it; otherwise the 404 or 403 problem to answer."""
    task = world.tasks.get(task_id)
    if task is None:
        return not_found("TASK_NOT_FOUND", f"Task {task_id} was not found")
    if task.contract_id != client.contract_id:
        return forbidden(f"Task {task_id} belongs to another contract")
    return task


def get_task(world: World, request: Request, client: Client, task_id: str) -> Response:
    """GET /tasks/{id}."""
    task = owned_task(world, client, task_id)
    if isinstance(task, Response):
        return task
    return json_response(task.to_json(world.clock.now()))


def list_tasks(world: World, request: Request, client: Client) -> Response:
    """GET /tasks?limit=&cursor=&contractID=&createdAfter=: the caller's tasks, oldest first."""
    args = request.args
    contract_id = args.get("contractID", client.contract_id)
    if contract_id != client.contract_id:
        return forbidden(f"Contract {contract_id} is not accessible with these credentials")
    try:
        limit = int(args.get("limit", DEFAULT_LIMIT))
    except ValueError:
        return bad_request("VALIDATION_ERROR", "limit must be an integer")
    if not 1 <= limit <= MAX_LIMIT:
        return bad_request("VALIDATION_ERROR", f"limit must be between 1 and {MAX_LIMIT}")
    created_after = None
    if "createdAfter" in args:
        try:
            created_after = parse_iso(args["createdAfter"])
        except ValueError:
            return bad_request("VALIDATION_ERROR", "createdAfter must be an ISO-8601 date-time")
    try:
        page, cursor = world.tasks.page(
            contract_id=contract_id, created_after=created_after, limit=limit, cursor=args.get("cursor")
        )
    except InvalidCursorError:
        return bad_request("INVALID_CURSOR", "cursor is not one this API issued")
    now = world.clock.now()
    body: dict[str, Any] = {"data": [task.to_json(now) for task in page]}
    if cursor is not None:
        body["cursor"] = cursor
    return json_response(body)


def create_task(world: World, request: Request, client: Client) -> Response:
    """POST /tasks: validate, then create a task whose derivatives appear at 4 h, 5 h, 6 h..."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return bad_request("INVALID_REQUEST_BODY", "The request body must be a JSON object")
    invalid = _validate(body)
    if invalid is not None:
        return invalid
    if body["contractID"] != client.contract_id:
        return forbidden(f"Contract {body['contractID']} is not accessible with these credentials")
    now = world.clock.now()
    plan = TaskPlan(
        derivatives=[
            DerivativePlan(product_type, ready_after=FIRST_DERIVATIVE_AFTER + index * NEXT_DERIVATIVE_AFTER)
            for index, product_type in enumerate(body.get("derivativeProductTypes", []))
        ],
        imaging_mode=body["imagingMode"],
        product_types=list(body.get("productTypes", [])),
        contract_id=client.contract_id,
        created_at=now,
    )
    task = place(plan, client.contract_id, now)
    task.point_of_interest = {
        "lat": float(body["pointOfInterest"]["lat"]),
        "lon": float(body["pointOfInterest"]["lon"]),
    }
    task.acquisition_window = {"start": body["acquisitionWindow"]["start"], "end": body["acquisitionWindow"]["end"]}
    world.tasks.add(task)
    location = f"{world.base_url()}/api/tasking/v2/tasks/{task.task_id}"
    return json_response(task.to_json(now), 201, {"Location": location})


def _validate(body: dict[str, Any]) -> Response | None:
    """The 400 problem for the first thing wrong with a task request, or None."""
    missing = [name for name in REQUIRED_FIELDS if name not in body]
    if missing:
        return bad_request("VALIDATION_ERROR", f"Missing required field(s): {', '.join(missing)}")
    if not isinstance(body["contractID"], str) or not isinstance(body["imagingMode"], str):
        return bad_request("VALIDATION_ERROR", "contractID and imagingMode must be strings")
    poi = body["pointOfInterest"]
    if not (isinstance(poi, dict) and _number_in(poi.get("lat"), 90) and _number_in(poi.get("lon"), 180)):
        return bad_request("VALIDATION_ERROR", "pointOfInterest needs lat in [-90, 90] and lon in [-180, 180]")
    window = body["acquisitionWindow"]
    try:
        start, end = parse_iso(window["start"]), parse_iso(window["end"])
    except (TypeError, KeyError, ValueError):
        return bad_request("VALIDATION_ERROR", "acquisitionWindow needs ISO-8601 start and end")
    if end <= start:
        return bad_request("VALIDATION_ERROR", "acquisitionWindow.end must be after acquisitionWindow.start")
    product_types = body.get("productTypes", [])
    derivatives = body.get("derivativeProductTypes", [])
    for name, values in (("productTypes", product_types), ("derivativeProductTypes", derivatives)):
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            return bad_request("VALIDATION_ERROR", f"{name} must be a list of strings")
    unknown = sorted(set(derivatives) - set(KNOWN_PRODUCT_TYPES))
    if unknown or len(set(derivatives)) != len(derivatives):
        return bad_request(
            "VALIDATION_ERROR", f"derivativeProductTypes must be distinct values of {KNOWN_PRODUCT_TYPES}"
        )
    if derivatives and body["imagingMode"] not in DERIVATIVE_IMAGING_MODES:
        return bad_request(
            "INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES", f"Derivatives are not available for {body['imagingMode']}"
        )
    if derivatives and "GRD" not in product_types:
        return bad_request("INCOMPATIBLE_IMAGING_MODE_FOR_DERIVATIVES", "Derivatives require GRD in productTypes")
    return None


def _number_in(value: object, bound: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -bound <= value <= bound
