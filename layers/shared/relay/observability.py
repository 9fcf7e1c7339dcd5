"""The one Logger, Tracer and Metrics of the relay, with signed-URL query strings redacted from every log line."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord

from relay.iceye.signed_urls import redact_text


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with every URL query string (a credential) cut out of the final line."""

    def serialize(self, log: LogRecord) -> str:
        return redact_text(super().serialize(log))


SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "derivatives-relay")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "DerivativesRelay")  # the template sets both

logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
