"""A copy job: what the poll hands the fan-out for one ready file (the SQS message body)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer
from pydantic.alias_generators import to_camel


class CopyJob(BaseModel):
    """One file to copy. `href` is None when it was too close to expiry: the fan-out asks for a fresh one."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)

    version: Literal[1] = 1
    task_id: str = Field(min_length=1)
    derivative_id: str = Field(min_length=1)
    product_type: str = Field(min_length=1)
    image_reference: str | None = None
    image_id: str | None = None
    file_name: str = Field(min_length=1)
    asset_type: str = "geojson"
    # A credential for an hour: repr and str show "**********"; only the JSON body carries it.
    href: SecretStr | None = None
    href_expires_at: datetime | None = None
    enqueued_at: datetime

    @field_serializer("href", when_used="json")
    def _reveal_href_in_json(self, href: SecretStr | None) -> str | None:
        return href.get_secret_value() if href is not None else None

    @property
    def dedup_key(self) -> str:
        """Stable identity of the file: never the signed URL, whose query changes on every poll."""
        return f"{self.task_id}/{self.product_type}/{self.derivative_id}/{self.file_name}"

    def to_message_body(self) -> str:
        """The SQS message body (camelCase JSON)."""
        return self.model_dump_json(by_alias=True)
