"""The CloudFront side: signed-URL file downloads, streamed, with the two ways a download can break mid-body."""

from __future__ import annotations

from collections.abc import Iterator

from werkzeug.wrappers import Request, Response

from iceye_simulator.detections import DetectionFile
from iceye_simulator.faults import ResetDownload, TruncateDownload
from iceye_simulator.signing import UrlVerdict
from iceye_simulator.world import World

GEOJSON = "application/geo+json"


class InjectedResetError(ConnectionResetError):
    """Raised mid-body to make the server reset (RST) the connection instead of closing it cleanly."""


def download_path(file: DetectionFile) -> str:
    """The path a file is served under (what its URL signs)."""
    return f"/files/{file.task_id}/{file.derivative_id}/{file.name}"


def download(world: World, request: Request, task_id: str, derivative_id: str, file_name: str) -> Response:
    """Stream one file if the URL's signature is valid and unexpired (403 as CloudFront does, otherwise)."""
    verdict = world.signer.verify(request.path, request.args, world.clock.now())
    if verdict is not UrlVerdict.VALID:
        return _xml_error(403, "AccessDenied", verdict.value)
    task = world.tasks.get(task_id)
    file = task.find_file(derivative_id, file_name) if task else None
    if file is None:
        return _xml_error(404, "NoSuchKey", "The specified key does not exist.")
    body = file.stream()
    if (reset := world.faults.take(ResetDownload, request.path)) is not None:
        body = _then_reset(body, reset.after_bytes)
    elif (truncate := world.faults.take(TruncateDownload, request.path)) is not None:
        body = _first_bytes(body, truncate.after_bytes)
    headers = {"Content-Length": str(file.size), "Cache-Control": "private, max-age=3600"}
    # direct_passthrough: werkzeug must not buffer or measure the generator, only pass its chunks on.
    return Response(body, 200, headers=headers, content_type=GEOJSON, direct_passthrough=True)


def _first_bytes(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """The first `limit` bytes of a chunk stream."""
    sent = 0
    for chunk in chunks:
        if sent + len(chunk) >= limit:
            yield chunk[: limit - sent]
            return
        sent += len(chunk)
        yield chunk


def _then_reset(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """The first `limit` bytes, then an abort the server turns into a TCP reset."""
    yield from _first_bytes(chunks, limit)
    raise InjectedResetError(f"reset after {limit} bytes (fault injected)")


def _xml_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status, content_type="text/xml")
