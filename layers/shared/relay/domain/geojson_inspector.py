"""Checks a GeoJSON FeatureCollection as it streams past: feature count, declared CRS, or what is wrong with it.

Memory stays bounded by the largest single feature: each feature is decoded (json's C decoder) and dropped.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

MAX_PENDING_CHARS = 16 * 1024 * 1024  # one feature larger than this is not inspected (the file is still copied)
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class Inspection:
    """What the file turned out to be."""

    feature_count: int | None
    crs: str | None
    problem: str | None  # None: a valid FeatureCollection


class _Expect(Enum):
    OPEN = auto()  # the top-level "{"
    KEY = auto()  # a member name, "," or "}"
    VALUE = auto()  # a member's value
    FEATURE = auto()  # an element of "features", "," or "]"
    END = auto()  # only whitespace may follow


class GeoJsonInspector:
    """Feed it the bytes in order with `feed`, then call `finish`."""

    def __init__(self) -> None:
        self._decoder = json.JSONDecoder()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._pos = 0
        self._expect = _Expect.OPEN
        self._key: str | None = None
        self._first_in_container = True
        self._features = 0
        self._saw_features = False
        self._type: Any = None
        self._crs: str | None = None
        self._problem: str | None = None
        self._bytes = 0

    def feed(self, chunk: bytes) -> None:
        """Inspect the next bytes of the file."""
        self._bytes += len(chunk)
        if self._problem is not None:
            return
        try:
            self._buffer += self._utf8.decode(chunk)
        except UnicodeDecodeError:
            self._problem = "not UTF-8 text"
            return
        self._advance(final=False)

    def finish(self) -> Inspection:
        """The verdict, once every byte has been fed."""
        if self._problem is None:
            if self._bytes == 0:
                self._problem = "empty file"
            else:
                try:
                    self._buffer += self._utf8.decode(b"", final=True)
                except UnicodeDecodeError:
                    self._problem = "not UTF-8 text"
                if self._problem is None:
                    self._advance(final=True)
                if self._problem is None and self._expect is not _Expect.END:
                    self._problem = "truncated JSON: the document ends early"
        if self._problem is None and self._type != "FeatureCollection":
            self._problem = f"not a FeatureCollection (type is {str(self._type)[:40]!r})"
        if self._problem is None and not self._saw_features:
            self._problem = "a FeatureCollection without a features array"
        count = self._features if self._saw_features else None
        return Inspection(feature_count=count, crs=self._crs, problem=self._problem)

    # ---------------------------------------------------------------------------------- the machine
    def _advance(self, *, final: bool) -> None:
        while self._problem is None:
            self._skip_whitespace()
            if self._pos >= len(self._buffer):
                break
            if not self._step(final):
                break
        if self._pos > 65536:  # drop what has been read so the buffer stays small
            self._buffer = self._buffer[self._pos :]
            self._pos = 0
        if self._problem is None and len(self._buffer) - self._pos > MAX_PENDING_CHARS:
            self._problem = "a single member or feature larger than 16 MB (not inspected)"

    def _step(self, final: bool) -> bool:
        """Consume one token or value; False when more input is needed."""
        char = self._buffer[self._pos]
        if self._expect is _Expect.OPEN:
            if char != "{":
                self._problem = "not a JSON object" if char in '["0123456789-tfn' else "not JSON"
                return False
            self._pos += 1
            self._expect, self._first_in_container = _Expect.KEY, True
            return True
        if self._expect is _Expect.END:
            self._problem = "unexpected data after the end of the JSON document"
            return False
        if self._expect is _Expect.KEY:
            return self._step_key(char, final)
        if self._expect is _Expect.VALUE:
            return self._step_value(final)
        return self._step_feature(char, final)

    def _step_key(self, char: str, final: bool) -> bool:
        if char == "}":
            self._pos += 1
            self._expect = _Expect.END
            return True
        if char == "," and not self._first_in_container:
            self._pos += 1
            self._first_in_container = True  # a member must follow
            return True
        start = self._pos
        key = self._decode(final)
        if key is _MORE:
            return False
        if not isinstance(key, str):
            self._problem = "malformed JSON: expected a member name"
            return False
        self._skip_whitespace()
        if self._pos >= len(self._buffer):
            self._pos = start  # read the name again once its ':' has arrived
            return self._need_more(final)
        if self._buffer[self._pos] != ":":
            self._problem = "malformed JSON: expected ':' after a member name"
            return False
        self._pos += 1
        self._key, self._first_in_container = key, False
        self._expect = _Expect.VALUE
        return True

    def _step_value(self, final: bool) -> bool:
        if self._key == "features":
            if self._buffer[self._pos] != "[":
                self._problem = "features is not an array"
                return False
            self._pos += 1
            self._saw_features, self._first_in_container = True, True
            self._expect = _Expect.FEATURE
            return True
        value = self._decode(final)
        if value is _MORE:
            return False
        if self._key == "type":
            self._type = value
        elif self._key == "crs":
            self._crs = _crs_name(value)
        self._expect = _Expect.KEY
        return True

    def _step_feature(self, char: str, final: bool) -> bool:
        if char == "]":
            self._pos += 1
            self._expect, self._first_in_container = _Expect.KEY, False
            return True
        if char == "," and not self._first_in_container:
            self._pos += 1
            self._first_in_container = True
            return True
        feature = self._decode(final)
        if feature is _MORE:
            return False
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            self._problem = f"features[{self._features}] is not a GeoJSON Feature"
            return False
        self._features += 1
        self._first_in_container = False
        return True

    def _decode(self, final: bool) -> Any:
        """The next JSON value, or _MORE when the buffer ends inside it (or a number might go on)."""
        try:
            value, end = self._decoder.raw_decode(self._buffer, self._pos)
        except json.JSONDecodeError:
            return self._need_more(final) or _MORE
        if end >= len(self._buffer) and not final and not isinstance(value, (dict, list, str)):
            return _MORE  # "12" may be the start of "123"
        self._pos = end
        return value

    def _need_more(self, final: bool) -> bool:
        if final:
            self._problem = "malformed or truncated JSON"
        return False

    def _skip_whitespace(self) -> None:
        buffer, pos = self._buffer, self._pos
        while pos < len(buffer) and buffer[pos] in _WHITESPACE:
            pos += 1
        self._pos = pos


_MORE: Any = object()


def _crs_name(value: Any) -> str | None:
    """The name of a GeoJSON 2008 `crs` member ({"type": "name", "properties": {"name": ...}})."""
    if isinstance(value, dict):
        properties = value.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get("name"), str):
            return str(properties["name"])[:200]
    return None
