"""GET /tasks/{id}/derivatives: 404 until something is ready, 206 while some are, 200 when all are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from iceye_simulator.auth import Client
from iceye_simulator.downloads import download_path
from iceye_simulator.faults import StatusBodyMismatch, UnknownProductType
from iceye_simulator.plans import DerivativePlan
from iceye_simulator.responses import json_response, not_found
from iceye_simulator.tasking import owned_task
from iceye_simulator.tasks import SimTask
from iceye_simulator.world import World


def get_derivatives(world: World, request: Request, client: Client, task_id: str) -> Response:
    """The task's requested derivatives at sim time now, with freshly signed URLs for the ready ones."""
    task = owned_task(world, client, task_id)
    if isinstance(task, Response):
        return task
    if not task.plan.derivatives:
        return not_found("DERIVATIVES_NOT_REQUESTED", f"No derivatives were requested for task {task_id}")
    now = world.clock.now()
    ready = [task.is_ready(derivative, now) for derivative in task.plan.derivatives]
    mismatch = world.faults.take(StatusBodyMismatch, request.path)
    if not any(ready) and mismatch is None:
        return not_found("DERIVATIVES_NOT_AVAILABLE", f"No derivative products are available yet for task {task_id}")
    entries = [
        _entry(world, task, derivative, is_ready, now)
        for derivative, is_ready in zip(task.plan.derivatives, ready, strict=True)
    ]
    status = 200 if all(ready) else 206
    if mismatch is not None:
        status = 200
        if all(ready):
            entries[-1]["assets"] = []
    extra = world.faults.take(UnknownProductType, request.path)
    if extra is not None:
        entries.append(_entry(world, task, task.add_extra(extra.name), True, now))
    return json_response({"data": entries}, status)


def _entry(world: World, task: SimTask, derivative: DerivativePlan, ready: bool, now: datetime) -> dict[str, Any]:
    """One element of `data`; its URLs expire `url_lifetime` after now."""
    expires = now + task.plan.url_lifetime
    files = task.files_of(derivative) if ready else []
    assets = [
        {"type": "geojson", "href": world.signer.sign(world.base_url(), download_path(file), expires)} for file in files
    ]
    return {
        "id": task.derivative_id(derivative.product_type),
        "imageReference": task.image_reference,
        "imageId": task.image_id,
        "derivativeProductType": derivative.product_type,
        "assets": assets,
    }
