"""The one Logger, Tracer and Metrics of the relay, with signed-URL query strings redacted from every log line."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from relay.iceye.signed_urls import redact_text


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with every URL query string (a credential) cut out of the final line."""

    def serialize(self, log: dict[str, Any]) -> str:
        return redact_text(super().serialize(log))


logger = Logger(logger_formatter=RedactingFormatter())
tracer = Tracer()
metrics = Metrics()
