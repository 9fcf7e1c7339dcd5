"""Detection GeoJSON files: deterministic, of an exact size known in advance, generated and streamed in chunks.

Every feature is padded with spaces (valid JSON whitespace) to a fixed width, so a file's length follows from its
size target alone: the server can send an exact Content-Length without building the file, and 1 GB streams in flat
memory.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

CRS_NAME = "urn:ogc:def:crs:EPSG::32633"
FEATURE_WIDTH = 448  # bytes per feature, padding included; the longest possible feature is ~320
CHUNK_SIZE = 64 * 1024
_SEPARATOR = b",\n"
_FOOTER = b"\n]}\n"
_CLASSES: dict[str, tuple[tuple[str, ...], float, float]] = {
    # product type: (classes, min length m, max length m)
    "DC_AIRCRAFT": (("commercial_airliner", "business_jet", "transport", "fighter", "helicopter", "unknown"), 9, 75),
    "DC_VESSELS": (("cargo", "tanker", "fishing", "passenger", "military", "unknown"), 8, 350),
    "DC_VEHICLES": (("car", "truck", "bus", "armored_vehicle", "unknown"), 3, 20),
}
_OTHER_CLASSES: tuple[tuple[str, ...], float, float] = (("object", "unknown"), 1, 50)
_POINT = '{"type":"Point","coordinates":[%.2f,%.2f]}'
_POLYGON = '{"type":"Polygon","coordinates":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f]]]}'
_FEATURE = (
    '{"type":"Feature","id":"det-%d-%07d","geometry":%s,"properties":{"class":"%s","confidence":%.3f,'
    '"length_m":%.1f,"width_m":%.1f,"heading_deg":%.1f}}'
)
_KNOWN_FILE_STEMS = {"DC_AIRCRAFT": "aircraft", "DC_VESSELS": "vessel", "DC_VEHICLES": "vehicle"}


def file_name(product_type: str, index: int) -> str:
    """`vessel-detections.geojson`, `vessel-detections-2.geojson`...; unknown types by their lower-cased name."""
    stem = _KNOWN_FILE_STEMS.get(product_type) or product_type.lower().replace("_", "-")
    suffix = f"-{index}" if index > 1 else ""
    return f"{stem}-detections{suffix}.geojson"


@dataclass(frozen=True)
class DetectionFile:
    """One file's identity (which fixes its content) and its size target in bytes."""

    task_id: str
    derivative_id: str
    product_type: str
    index: int  # 1-based position among the derivative's files
    target_size: int

    @property
    def name(self) -> str:
        """The file name in its signed URL."""
        return file_name(self.product_type, self.index)

    @property
    def size(self) -> int:
        """The exact number of bytes `stream()` yields: the target, or the empty collection if that is larger."""
        header, count, padding = self._layout()
        return len(header) + _features_length(count) + padding + len(_FOOTER)

    def stream(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The file's bytes in chunks of about `chunk_size`; the same bytes on every call."""
        header, count, padding = self._layout()
        features = _Features(self)
        buffer = bytearray(header)
        for position in range(count):
            if position:
                buffer += _SEPARATOR
            buffer += features.render(position)
            if len(buffer) >= chunk_size:
                yield bytes(buffer)
                buffer.clear()
        buffer += b" " * padding + _FOOTER
        yield bytes(buffer)

    def sha256(self) -> str:
        """Hex SHA-256 of the streamed bytes (computed by streaming, never holding the whole file)."""
        digest = hashlib.sha256()
        for chunk in self.stream():
            digest.update(chunk)
        return digest.hexdigest()

    def _layout(self) -> tuple[bytes, int, int]:
        """The header, how many features fit the target, and the whitespace that makes up the rest."""
        header = _header(self)
        room = self.target_size - len(header) - len(_FOOTER)
        count = max(0, (room + len(_SEPARATOR)) // (FEATURE_WIDTH + len(_SEPARATOR)))
        return header, count, max(0, room - _features_length(count))


def _features_length(count: int) -> int:
    return count * FEATURE_WIDTH + max(0, count - 1) * len(_SEPARATOR)


def _header(file: DetectionFile) -> bytes:
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": CRS_NAME}},
        "properties": {
            "taskId": file.task_id,
            "derivativeId": file.derivative_id,
            "derivativeProductType": file.product_type,
            "file": file.index,
            "generator": "iceye-simulator",
        },
    }
    # Drop the closing brace to append the features array ourselves.
    return json.dumps(collection, separators=(",", ":")).encode()[:-1] + b',"features":[\n'


class _Features:
    """Plausible detections around a scene centre, from a random stream seeded by the file's identity."""

    def __init__(self, file: DetectionFile) -> None:
        seed = hashlib.sha256(f"{file.task_id}/{file.derivative_id}/{file.index}".encode()).digest()
        self._random = random.Random(int.from_bytes(seed[:8]))
        self._file_index = file.index
        self._classes, self._min_length, self._max_length = _CLASSES.get(file.product_type, _OTHER_CLASSES)
        # UTM zone 33N: eastings around 500 km, northings of southern/central Europe.
        self._centre = (self._random.uniform(420_000, 580_000), self._random.uniform(4_300_000, 5_300_000))

    def render(self, position: int) -> bytes:
        """Feature number `position`, padded to FEATURE_WIDTH bytes (must be called in order: the stream is shared)."""
        rnd = self._random
        x = self._centre[0] + rnd.uniform(-5_000, 5_000)
        y = self._centre[1] + rnd.uniform(-5_000, 5_000)
        length = rnd.uniform(self._min_length, self._max_length)
        width = length * rnd.uniform(0.15, 0.3)
        heading = rnd.uniform(0, 360)
        geometry = _POLYGON % _footprint(x, y, length, width, heading) if position % 2 else _POINT % (x, y)
        text = _FEATURE % (
            self._file_index,
            position + 1,
            geometry,
            rnd.choice(self._classes),
            rnd.uniform(0.5, 0.999),
            length,
            width,
            heading,
        )
        padding = FEATURE_WIDTH - len(text)
        if padding < 0:
            raise AssertionError(f"feature longer than FEATURE_WIDTH ({len(text)} bytes)")
        return (text + " " * padding).encode("ascii")


def _footprint(x: float, y: float, length: float, width: float, heading: float) -> tuple[float, ...]:
    """A closed rectangle of `length` x `width` metres centred on (x, y), its long side along `heading` degrees."""
    angle = math.radians(heading)
    along = (math.sin(angle) * length / 2, math.cos(angle) * length / 2)
    across = (math.cos(angle) * width / 2, -math.sin(angle) * width / 2)
    corners = [
        (x + along[0] + across[0], y + along[1] + across[1]),
        (x + along[0] - across[0], y + along[1] - across[1]),
        (x - along[0] - across[0], y - along[1] - across[1]),
        (x - along[0] + across[0], y - along[1] + across[1]),
    ]
    corners.append(corners[0])
    return tuple(value for corner in corners for value in corner)
