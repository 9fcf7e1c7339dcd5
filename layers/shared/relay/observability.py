"""The one Logger, Tracer and Metrics of the relay, with signed-URL query strings redacted from every log line."""

from __future__ import annotations

import logging
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord

from relay.iceye.signed_urls import redact_text


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with every URL query string (a credential) cut out of the final line."""

    def serialize(self, log: LogRecord) -> str:
        return redact_text(super().serialize(log))


class RedactingFilter(logging.Filter):
    """For other libraries' loggers (urllib3 logs request URLs when it retries): the same redaction."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_text(record.getMessage()), None
        return True


for _library in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "requests", "s3transfer"):
    logging.getLogger(_library).addFilter(RedactingFilter())

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "derivatives-relay")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "DerivativesRelay")  # the template sets both

logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
