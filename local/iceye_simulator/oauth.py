"""The OAuth2 token endpoint (client credentials grant, HTTP Basic client authentication)."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from iceye_simulator.auth import Client
from iceye_simulator.responses import json_response
from iceye_simulator.world import World


def issue_token(world: World, request: Request) -> tuple[Response, Client | None]:
    """Answer a token request; errors follow RFC 6749 section 5.2 (`{"error": ...}`), as OAuth2 servers do."""
    credentials = request.authorization
    client = None
    if credentials is not None and credentials.type == "basic":
        client = world.authority.authenticate(credentials.username or "", credentials.password or "")
    if client is None:
        body = {"error": "invalid_client", "error_description": "Client authentication failed"}
        return json_response(body, 401, {"WWW-Authenticate": 'Basic realm="iceye"'}), None
    grant_type = request.form.get("grant_type")
    if grant_type != "client_credentials":
        error = "invalid_request" if grant_type is None else "unsupported_grant_type"
        return json_response(
            {"error": error, "error_description": "grant_type must be client_credentials"}, 400
        ), client
    lifetime = world.token_lifetime()
    token = world.authority.issue(client, world.clock.now(), lifetime)
    granted: dict[str, object] = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": int(lifetime.total_seconds()),
    }
    return json_response(granted, 200, {"Cache-Control": "no-store"}), client
