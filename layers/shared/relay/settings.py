"""Configuration from the environment, validated once per cold start (the template's Environment blocks)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class _EnvModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The settings from `environ` (default: this process's environment); empty values count as unset."""
        values = {key: value for key, value in (environ or os.environ).items() if value != ""}
        return cls.model_validate(values)


class IceyeSettings(_EnvModel):
    """How to reach ICEYE and where its client credentials live."""

    api_base_url: HttpUrl = Field(alias="ICEYE_API_BASE_URL", default=HttpUrl("https://platform.iceye.com"))
    token_url: HttpUrl = Field(alias="ICEYE_TOKEN_URL")
    credentials_secret_id: str = Field(alias="ICEYE_CREDENTIALS_SECRET_ARN", min_length=1)
    contract_id: str | None = Field(alias="ICEYE_CONTRACT_ID", default=None)
    # A PEM bundle to trust instead of the system CAs (the local simulator's self-made CA); unset in AWS.
    ca_bundle: str | None = Field(alias="ICEYE_CA_BUNDLE", default=None)
    connect_timeout_seconds: float = Field(alias="ICEYE_CONNECT_TIMEOUT_SECONDS", default=5.0, gt=0)
    read_timeout_seconds: float = Field(alias="ICEYE_READ_TIMEOUT_SECONDS", default=30.0, gt=0)
    max_connections: int = Field(alias="ICEYE_MAX_CONNECTIONS", default=16, ge=1)


class PollSettings(_EnvModel):
    """What the poll function needs besides ICEYE."""

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    copy_queue_url: str = Field(alias="COPY_QUEUE_URL", min_length=1)
    topic_arn: str = Field(alias="TOPIC_ARN", min_length=1)
    bucket_name: str = Field(alias="BUCKET_NAME", min_length=1)  # named in notifications, never written here
    # Least gap between two polls of an active task; 0 = every scheduled run (the schedule sets the pace).
    poll_interval_seconds: float = Field(alias="POLL_INTERVAL_SECONDS", default=0, ge=0)
    give_up_after_hours: float = Field(alias="GIVE_UP_AFTER_HOURS", default=72, gt=0)
    concurrency: int = Field(alias="POLL_CONCURRENCY", default=8, ge=1, le=64)
    # A URL that expires sooner than this is not handed to the fan-out; it fetches a fresh one.
    url_safety_margin_seconds: float = Field(alias="URL_SAFETY_MARGIN_SECONDS", default=600, ge=0)
    # Stop taking new tasks when less than this much of the invocation's time is left.
    deadline_margin_seconds: float = Field(alias="DEADLINE_MARGIN_SECONDS", default=20, ge=0)
    retain_finished_days: int = Field(alias="RETAIN_FINISHED_DAYS", default=400, ge=1)


class FanoutSettings(_EnvModel):
    """What the fan-out function needs besides ICEYE."""

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    bucket_name: str = Field(alias="BUCKET_NAME", min_length=1)
    topic_arn: str = Field(alias="TOPIC_ARN", min_length=1)
    max_download_mib: int = Field(alias="MAX_DOWNLOAD_MIB", default=2048, gt=0)
    url_safety_margin_seconds: float = Field(alias="URL_SAFETY_MARGIN_SECONDS", default=120, ge=0)
    # SQS moves a message to the DLQ after this many receives: the last try records the failure first.
    max_receive_count: int = Field(alias="MAX_RECEIVE_COUNT", default=5, ge=1)
    retain_finished_days: int = Field(alias="RETAIN_FINISHED_DAYS", default=400, ge=1)

    @property
    def max_download_bytes(self) -> int:
        """The download cap in bytes."""
        return self.max_download_mib * 1024 * 1024


class RegisterSettings(_EnvModel):
    """What the registration function needs besides ICEYE."""

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
