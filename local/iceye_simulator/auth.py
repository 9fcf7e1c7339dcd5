"""OAuth2 client credentials: the registered clients, and the bearer tokens issued to them (on the sim clock)."""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Client:
    """An API client and the contract its tasks belong to."""

    client_id: str
    client_secret: str
    contract_id: str


@dataclass
class _Token:
    client: Client
    expires_at: datetime


class TokenAuthority:
    """Registers clients, issues bearer tokens and tells who holds a token; thread-safe."""

    def __init__(self) -> None:
        """An authority with no clients yet."""
        self._lock = threading.Lock()
        self._clients: dict[str, Client] = {}
        self._tokens: dict[str, _Token] = {}

    def add_client(self, client_id: str, client_secret: str, contract_id: str) -> None:
        """Register (or replace) a client."""
        with self._lock:
            self._clients[client_id] = Client(client_id, client_secret, contract_id)

    def authenticate(self, client_id: str, client_secret: str) -> Client | None:
        """The client these credentials belong to, or None."""
        with self._lock:
            client = self._clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret, client_secret):
            return None
        return client

    def issue(self, client: Client, now: datetime, lifetime: timedelta) -> str:
        """A new bearer token for `client`, valid for `lifetime` from `now`."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = _Token(client, now + lifetime)
        return token

    def holder(self, token: str, now: datetime) -> Client | None:
        """The client holding `token` if it is known and unexpired at `now`, else None."""
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or now >= entry.expires_at:
            return None
        return entry.client

    def client_of(self, token: str) -> Client | None:
        """Who a token was issued to, expired or not (for the request log)."""
        with self._lock:
            entry = self._tokens.get(token)
        return entry.client if entry else None

    def expire_all(self, now: datetime) -> None:
        """Every token issued so far expires at `now`."""
        with self._lock:
            for entry in self._tokens.values():
                entry.expires_at = min(entry.expires_at, now)
