"""Signed CloudFront URLs: read their expiry, name their file, and never show their query string."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

REDACTED = "<redacted>"
# A query that carries a signature or policy, wherever it stands (e.g. urllib3's "GET /path?...").
_SIGNED_QUERY = re.compile(r"\?[^\s\"'<>]*(?:Signature|Policy|Key-Pair-Id|X-Amz-Credential)=[^\s\"'<>]*", re.IGNORECASE)
_UNSAFE_IN_KEY = re.compile(r"[^A-Za-z0-9._-]")
# Any http(s) URL followed by a query string: the query is where the signature and policy live.
_URL_WITH_QUERY = re.compile(r"(https?://[^\s?#\"'<>]+)\?[^\s\"'<>]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL without its query string (the credential part), safe for logs, errors and S3 metadata."""
    parts = urlsplit(url)
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else parts.path
    return f"{bare}?{REDACTED}" if parts.query else bare


def url_without_query(url: str) -> str:
    """The URL without query or fragment, for S3 metadata (no marker)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def redact_text(text: str) -> str:
    """Every URL query string inside free text replaced by a marker (also bare paths with a signed query)."""
    text = _URL_WITH_QUERY.sub(lambda match: f"{match.group(1)}?{REDACTED}", text)
    return _SIGNED_QUERY.sub(f"?{REDACTED}", text)


def expires_at(url: str) -> datetime | None:
    """When a signed URL stops working, from its `Expires=` epoch seconds; None when absent or unreadable."""
    values = parse_qs(urlsplit(url).query).get("Expires")
    if not values:
        return None
    try:
        return datetime.fromtimestamp(int(values[0]), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def file_name(url: str) -> str:
    """The last path segment of the URL, decoded and made safe for an S3 key: the name the file is stored under."""
    segment = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return _UNSAFE_IN_KEY.sub("_", segment).lstrip(".") or "asset"
