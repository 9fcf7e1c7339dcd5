"""CloudFront-style signed download URLs: `?Expires=<epoch>&Signature=<hmac>&Key-Pair-Id=SIMKEY`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import quote, urlencode

KEY_PAIR_ID = "SIMKEY"


class UrlVerdict(StrEnum):
    """Why a signed URL is (not) honoured; the names follow CloudFront's error messages."""

    VALID = "VALID"
    MISSING_KEY = "Missing Key-Pair-Id query parameter"
    MISSING_SIGNATURE = "Missing Signature or Expires query parameter"
    INVALID_SIGNATURE = "Invalid signature"
    EXPIRED = "Request has expired"


class UrlSigner:
    """Signs a path with an expiry and checks both; the key is random per simulator run."""

    def __init__(self, key: bytes | None = None) -> None:
        """Sign with `key` (default: 32 random bytes)."""
        self._key = key or secrets.token_bytes(32)

    def sign(self, base_url: str, path: str, expires: datetime) -> str:
        """The full signed URL of `path` (already URL-safe) under `base_url`, valid until `expires`."""
        epoch = int(expires.timestamp())
        query = urlencode({"Expires": epoch, "Signature": self._signature(path, epoch), "Key-Pair-Id": KEY_PAIR_ID})
        return f"{base_url}{quote(path)}?{query}"

    def verify(self, path: str, query: Mapping[str, str], now: datetime) -> UrlVerdict:
        """Whether a request for `path` with this query string may download, at simulated time `now`."""
        if query.get("Key-Pair-Id") != KEY_PAIR_ID:
            return UrlVerdict.MISSING_KEY
        signature, expires = query.get("Signature"), query.get("Expires")
        if not signature or not expires or not expires.isdigit():
            return UrlVerdict.MISSING_SIGNATURE
        if not hmac.compare_digest(signature, self._signature(path, int(expires))):
            return UrlVerdict.INVALID_SIGNATURE
        if now >= datetime.fromtimestamp(int(expires), tz=UTC):
            return UrlVerdict.EXPIRED
        return UrlVerdict.VALID

    def _signature(self, path: str, epoch: int) -> str:
        mac = hmac.new(self._key, f"{path}\n{epoch}".encode(), hashlib.sha256).digest()
        # CloudFront's URL-safe base64 variant: + -> -, = -> _, / -> ~
        return base64.b64encode(mac).decode().translate(str.maketrans("+=/", "-_~"))
