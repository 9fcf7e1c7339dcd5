"""OAuth2 client credentials: the secret from Secrets Manager, the access token cached and renewed early."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from aws_lambda_powertools.utilities import parameters
from pydantic import ValidationError

from relay.iceye.errors import IceyeAuthenticationError, IceyeBadResponse, IceyeConfigurationError, IceyeUnavailable
from relay.iceye.models import AccessToken
from relay.observability import logger

RENEW_BEFORE_EXPIRY = timedelta(minutes=5)  # as ICEYE's own examples do
SECRET_CACHE_SECONDS = 300


@dataclass(frozen=True)
class ClientCredentials:
    """The OAuth2 client id and secret. repr never shows the secret."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret='**********')"

    @classmethod
    def from_secret_value(cls, value: Any) -> ClientCredentials:
        """From the secret's JSON `{"clientId": ..., "clientSecret": ...}`; a clear error naming what is missing."""
        if not isinstance(value, dict):
            raise IceyeConfigurationError(
                'The ICEYE credentials secret must be a JSON object {"clientId": "...", "clientSecret": "..."}.'
            )
        missing = [key for key in ("clientId", "clientSecret") if not isinstance(value.get(key), str) or not value[key]]
        if missing:
            raise IceyeConfigurationError(
                f"The ICEYE credentials secret lacks {' and '.join(missing)} (a non-empty string each)."
            )
        return cls(client_id=value["clientId"], client_secret=value["clientSecret"])


def credentials_from_secrets_manager(secret_id: str) -> Callable[[], ClientCredentials]:
    """A loader reading the secret through Powertools Parameters (cached for five minutes)."""

    def load() -> ClientCredentials:
        try:
            value = parameters.get_secret(secret_id, transform="json", max_age=SECRET_CACHE_SECONDS)
        except parameters.exceptions.TransformParameterError as error:
            raise IceyeConfigurationError("The ICEYE credentials secret is not valid JSON.") from error
        except parameters.exceptions.GetParameterError as error:
            raise IceyeConfigurationError(f"The ICEYE credentials secret could not be read: {error}") from error
        return ClientCredentials.from_secret_value(value)

    return load


class TokenProvider:
    """Fetches an access token, keeps it while it is good, and renews it five minutes before it expires."""

    def __init__(
        self,
        token_url: str,
        credentials: Callable[[], ClientCredentials],
        session: requests.Session,
        *,
        verify: bool | str = True,
        timeout: tuple[float, float] = (5.0, 30.0),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._token_url = token_url
        self._credentials = credentials
        self._session = session
        self._verify = verify
        self._timeout = timeout
        self._now = now
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = datetime.min.replace(tzinfo=UTC)

    def token(self) -> str:
        """A valid access token (one fetch at a time, however many threads ask)."""
        with self._lock:
            if self._token is None or self._now() >= self._renew_at:
                self._token, lifetime = self._fetch()
                self._renew_at = self._now() + max(timedelta(seconds=lifetime) - RENEW_BEFORE_EXPIRY, timedelta(0))
            return self._token

    def invalidate(self, token: str | None = None) -> None:
        """Forget the token (only if it is still `token`, so one 401 does not cause a fetch per thread)."""
        with self._lock:
            if token is None or token == self._token:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        credentials = self._credentials()
        try:
            response = self._session.post(
                self._token_url,
                data={"grant_type": "client_credentials"},
                auth=(credentials.client_id, credentials.client_secret),
                headers={"Accept": "application/json"},
                timeout=self._timeout,
                verify=self._verify,
            )
        except requests.RequestException as error:
            raise IceyeUnavailable(f"The ICEYE token endpoint could not be reached ({type(error).__name__}).") from None
        if response.status_code in (400, 401, 403):
            raise IceyeAuthenticationError(
                f"The ICEYE token endpoint refused the client credentials (HTTP {response.status_code}).",
                status=response.status_code,
            )
        if response.status_code != 200:
            raise IceyeUnavailable(
                f"The ICEYE token endpoint answered HTTP {response.status_code}.", status=response.status_code
            )
        try:
            token = AccessToken.model_validate_json(response.content)
        except ValidationError:
            raise IceyeBadResponse("The ICEYE token endpoint's answer is not a token.", status=200) from None
        logger.debug("Fetched an ICEYE access token", extra={"expires_in": token.expires_in})
        return token.access_token.get_secret_value(), token.expires_in
