"""How the Tasking API answers: JSON bodies, and errors as application/problem+json (RFC 9457) with ICEYE's `code`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from werkzeug.wrappers import Response

PROBLEM_JSON = "application/problem+json"


def json_response(body: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), content_type="application/json")


def problem(status: int, code: str, title: str, details: str, headers: Mapping[str, str] | None = None) -> Response:
    """A problem+json response with a fresh `reference` (what support would ask you for)."""
    body = {
        "type": f"https://platform.iceye.com/problems/{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "code": code,
        "details": details,
        "reference": str(uuid.uuid4()),
    }
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), content_type=PROBLEM_JSON)


def unauthorized(details: str) -> Response:
    """401: no usable bearer token."""
    return problem(401, "UNAUTHORIZED", "Unauthorized", details, {"WWW-Authenticate": 'Bearer realm="iceye"'})


def forbidden(details: str) -> Response:
    """403: the resource belongs to another contract."""
    return problem(403, "FORBIDDEN", "Forbidden", details)


def not_found(code: str, details: str) -> Response:
    """404 with a code that says which kind of "not found"."""
    return problem(404, code, "Not Found", details)


def bad_request(code: str, details: str) -> Response:
    """400 with a code that says what is wrong with the request."""
    return problem(400, code, "Bad Request", details)
