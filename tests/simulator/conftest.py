"""Helpers for talking to the simulator over loopback, the way a real client would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from iceye_simulator import Simulator

DERIVATIVES = "/api/tasking/v2/tasks/{}/derivatives"
ACCEPT = "application/json, application/problem+json"


class SimClient:
    """A `requests` session that trusts the simulator's CA (and nothing from the environment)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.session = requests.Session()
        # REQUESTS_CA_BUNDLE would otherwise override session.verify.
        self.session.trust_env = False
        self.session.verify = sim.ca_bundle or True

    def token(self, client_id: str | None = None, client_secret: str | None = None) -> str:
        response = self.session.post(
            self.sim.token_url,
            auth=(client_id or self.sim.client_id, client_secret or self.sim.client_secret),
            data={"grant_type": "client_credentials"},
            timeout=5,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def get(self, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
        """GET an API path with `token` (a fresh one for the default client when None)."""
        headers = {"Authorization": f"Bearer {token or self.token()}", "Accept": ACCEPT}
        return self.session.get(f"{self.sim.base_url}{path}", headers=headers, timeout=5, **kwargs)

    def post(self, path: str, body: Any, *, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return self.session.post(f"{self.sim.base_url}{path}", json=body, headers=headers, timeout=5)

    def derivatives(self, task_id: str, *, token: str | None = None) -> requests.Response:
        return self.get(DERIVATIVES.format(task_id), token=token)

    def download(self, href: str, **kwargs: Any) -> requests.Response:
        """GET a signed URL, without any bearer token (the CDN does not want one)."""
        return self.session.get(href, timeout=5, **kwargs)


@pytest.fixture
def api(sim: Simulator) -> Iterator[SimClient]:
    client = SimClient(sim)
    yield client
    client.session.close()
