"""The WSGI application: routing, bearer authentication, request-level faults, and the request log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from iceye_simulator.auth import Client
from iceye_simulator.derivatives import get_derivatives
from iceye_simulator.downloads import download
from iceye_simulator.faults import HtmlError, MalformedJson, ServerError, Slow, Throttle, WrongShape
from iceye_simulator.oauth import issue_token
from iceye_simulator.recording import RecordedRequest, RequestLog
from iceye_simulator.responses import json_response, problem, unauthorized
from iceye_simulator.tasking import create_task, get_task, list_tasks
from iceye_simulator.world import World

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret
TASKS_PATH = "/api/tasking/v2/tasks"

type ApiHandler = Callable[..., Response]

_ROUTES = Map(
    [
        Rule(TOKEN_PATH, methods=["POST"], endpoint="token"),
        Rule(TASKS_PATH, methods=["GET"], endpoint="list_tasks"),
        Rule(TASKS_PATH, methods=["POST"], endpoint="create_task"),
        Rule(f"{TASKS_PATH}/<task_id>", methods=["GET"], endpoint="get_task"),
        Rule(f"{TASKS_PATH}/<task_id>/derivatives", methods=["GET"], endpoint="derivatives"),
        Rule("/files/<task_id>/<derivative_id>/<file_name>", methods=["GET"], endpoint="download"),
    ],
    strict_slashes=False,
)
# Tasking API endpoints: each needs a valid bearer token and gets the client holding it.
_API: dict[str, ApiHandler] = {
    "list_tasks": list_tasks,
    "create_task": create_task,
    "get_task": get_task,
    "derivatives": get_derivatives,
}
_HTML_PAGE = "<html><head><title>{status}</title></head><body><h1>{status}</h1><p>upstream error</p></body></html>"


class SimulatorApp:
    """A WSGI callable answering the way ICEYE's platform (API, token endpoint and CDN) would."""

    def __init__(self, world: World, log: RequestLog) -> None:
        """Serve `world`, recording every request in `log`."""
        self._world = world
        self._log = log

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        request = Request(environ)
        received_at = self._world.clock.now()
        response, client = self._answer(request)
        self._log.record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.args),
                status=response.status_code,
                at=received_at,
                client_id=client.client_id if client else None,
            )
        )
        return response(environ, start_response)

    def _answer(self, request: Request) -> tuple[Response, Client | None]:
        faulted = self._request_fault(request.path)
        if faulted is not None:
            return faulted, self._bearer_client(request, expired_too=True)
        adapter = _ROUTES.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return problem(404, "NOT_FOUND", "Not Found", f"No route for {request.path}"), None
        except MethodNotAllowed as error:
            allowed = ", ".join(error.valid_methods or [])
            return problem(405, "METHOD_NOT_ALLOWED", "Method Not Allowed", f"Allowed: {allowed}"), None
        except HTTPException as error:  # e.g. a redirect werkzeug's router proposes
            return problem(error.code or 400, "BAD_REQUEST", "Bad Request", str(error.description)), None
        if endpoint == "token":
            return issue_token(self._world, request)
        if endpoint == "download":
            return download(self._world, request, **args), None
        client = self._bearer_client(request)
        if client is None:
            known = self._bearer_client(request, expired_too=True)
            reason = "expired" if known else "missing or invalid"
            return unauthorized(f"The access token is {reason}"), known
        return _API[endpoint](self._world, request, client, **args), client

    def _bearer_client(self, request: Request, *, expired_too: bool = False) -> Client | None:
        """The client holding the request's bearer token (valid now unless `expired_too`), or None."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        authority = self._world.authority
        if expired_too:
            return authority.client_of(token.strip())
        return authority.holder(token.strip(), self._world.clock.now())

    def _request_fault(self, path: str) -> Response | None:
        """The answer an armed request-level fault imposes on `path`, if any (after any injected delay)."""
        faults = self._world.faults
        if (slow := faults.take(Slow, path)) is not None:
            time.sleep(slow.seconds)
        if (throttle := faults.take(Throttle, path)) is not None:
            headers = {} if throttle.retry_after is None else {"Retry-After": str(throttle.retry_after)}
            return problem(429, "RATE_LIMIT_EXCEEDED", "Too Many Requests", "Rate limit exceeded", headers)
        if (error := faults.take(ServerError, path)) is not None:
            return problem(error.status, "INTERNAL_SERVER_ERROR", "Server Error", "Unexpected server error (injected)")
        if (html := faults.take(HtmlError, path)) is not None:
            return Response(_HTML_PAGE.format(status=html.status), html.status, content_type="text/html")
        if faults.take(MalformedJson, path) is not None:
            return Response('{"data": [{"id": "3fa85f64-5717', 200, content_type="application/json")
        if faults.take(WrongShape, path) is not None:
            return json_response({"data": {"oops": 1}})
        return None
