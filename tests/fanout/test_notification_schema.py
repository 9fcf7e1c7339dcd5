"""The committed JSON Schema is the payload model's own: they cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path

from relay.domain.notifications import Notification

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "layers/shared/relay/schemas/notification-v1.schema.json"


def test_the_committed_schema_is_the_models() -> None:
    committed = json.loads(SCHEMA_PATH.read_text())
    generated = Notification.model_json_schema(by_alias=True, mode="serialization")
    assert {k: v for k, v in committed.items() if not k.startswith("$schema") and k != "$id"} == generated
    assert committed["properties"]["version"]["const"] == "1"
    assert set(committed["required"]) >= {"eventType", "eventId", "taskId", "occurredAt"}
