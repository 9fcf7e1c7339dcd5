"""A download as a file-like object for S3's managed upload: hashed, counted, capped and inspected in one pass."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from relay.domain.geojson_inspector import GeoJsonInspector


class DownloadError(Exception):
    """The download did not deliver the whole file."""


class DownloadTooLarge(DownloadError):
    """The file is larger than the configured cap (final: retrying will not make it smaller)."""


class DownloadTruncated(DownloadError):
    """Fewer bytes arrived than the server announced, or the connection dropped mid-body."""


class DownloadStream:
    """Reads `chunks` on demand (never the whole file), updating the SHA-256, the size and the GeoJSON inspector."""

    def __init__(
        self, chunks: Iterator[bytes], *, max_bytes: int, expected_bytes: int | None, inspector: GeoJsonInspector
    ) -> None:
        if expected_bytes is not None and expected_bytes > max_bytes:
            raise DownloadTooLarge(f"The file is {expected_bytes:,} bytes, over the {max_bytes:,}-byte cap.")
        self._chunks = chunks
        self._max_bytes = max_bytes
        self._expected = expected_bytes
        self._inspector = inspector
        self._pending = b""
        self._done = False
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left when negative: only small files should ever be read that way)."""
        while not self._done and (size < 0 or len(self._pending) < size):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._finish()
                break
            except Exception as error:  # requests/urllib3 report a dropped body in several ways
                raise DownloadTruncated(
                    f"The download broke off after {self.size:,} bytes ({type(error).__name__})."
                ) from None
            self._take(chunk)
        if size < 0:
            data, self._pending = self._pending, b""
        else:
            data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def _take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise DownloadTooLarge(f"The download passed the {self._max_bytes:,}-byte cap.")
        self.sha256.update(chunk)
        self._inspector.feed(chunk)
        self._pending += chunk

    def _finish(self) -> None:
        self._done = True
        if self._expected is not None and self.size != self._expected:
            raise DownloadTruncated(f"Received {self.size:,} of {self._expected:,} announced bytes.")


def chunks_of(iterator: Iterator[bytes]) -> Iterator[bytes]:
    """Non-empty chunks only."""
    return (chunk for chunk in iterator if chunk)
