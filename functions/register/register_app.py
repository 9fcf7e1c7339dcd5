"""Register function: validate a task against ICEYE and start watching it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from relay import wiring
from relay.domain.registration import Registration, RegistrationRejected, register_task
from relay.iceye.errors import IceyeError
from relay.observability import logger, tracer
from relay.settings import RegisterSettings


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """`{"taskId", "derivativeProductTypes"?, "label"?}` -> the stored task, or `{"ok": false, "error": ...}`."""
    try:
        registration = Registration.model_validate(event)
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'event'}: {e['msg']}" for e in error.errors())
        return _refused("INVALID_REGISTRATION", reasons)
    settings = RegisterSettings.from_env()
    try:
        outcome = register_task(
            registration,
            client=wiring.iceye_client(),
            table=wiring.task_table(settings.table_name),
            now=datetime.now(UTC),
        )
    except RegistrationRejected as error:
        return _refused(error.code, str(error))
    except IceyeError as error:
        return _refused("ICEYE_UNAVAILABLE", str(error))
    return {
        "ok": True,
        "alreadyRegistered": outcome.already_registered,
        "task": outcome.task.model_dump(
            mode="json", include={"task_id", "label", "expected_types", "watch", "registered_at", "source"}
        ),
    }


def _refused(code: str, message: str) -> dict[str, Any]:
    logger.info("Registration refused", extra={"code": code, "reason": message})
    return {"ok": False, "error": {"code": code, "message": message}}
