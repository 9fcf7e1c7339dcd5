"""Peak memory of copying one file from a signed URL into S3: the relay's streamed copy vs. read-it-all-then-put.

Run: `.venv/bin/python -m bench.copy_memory --size 50MB` (PYTHONPATH=layers/shared:local). Each copy runs in its
own process (moto's server and the simulator run in this one), so the figures count only the copy's allocations.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
MODES = ("baseline", "streamed")


@dataclass(frozen=True)
class Measurement:
    """One copy's figures."""

    mode: str
    size_bytes: int
    peak_traced_bytes: int
    sha256: str


def _copy_in_this_process(mode: str, href: str, ca_bundle: str, bucket: str, key: str) -> Measurement:
    """The measured part: one download into S3, traced by tracemalloc."""
    import hashlib

    import requests

    from relay.adapters.object_store import S3ObjectStore
    from relay.domain.download_stream import DownloadStream, chunks_of
    from relay.domain.geojson_inspector import GeoJsonInspector

    s3 = boto3.client("s3")
    session = requests.Session()
    session.trust_env = False
    tracemalloc.start()
    response = session.get(href, stream=True, verify=ca_bundle, timeout=(5, 60))
    response.raise_for_status()
    if mode == "baseline":  # what a naive copy does: the whole body in memory, then one PutObject
        body = response.content
        s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256")
        size, digest = len(body), hashlib.sha256(body).hexdigest()
    else:
        stream = DownloadStream(
            chunks_of(response.iter_content(1024 * 1024)),
            max_bytes=2**40,
            expected_bytes=int(response.headers["Content-Length"]),
            inspector=GeoJsonInspector(),
        )
        S3ObjectStore(s3, bucket).upload_stream(key, stream, content_type="application/geo+json", metadata={})  # type: ignore[arg-type]
        size, digest = stream.size, stream.sha256.hexdigest()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(mode, size, peak, digest)


def measure_in_child(mode: str, href: str, ca_bundle: str, bucket: str, key: str) -> Measurement:
    """Run one copy in a fresh interpreter (AWS_ENDPOINT_URL and credentials come from this process's env)."""
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.copy_memory", "--child", mode, href, ca_bundle, bucket, key],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared", "local", "."))},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return Measurement(**json.loads(completed.stdout.strip().splitlines()[-1]))


def run(size: int, modes: tuple[str, ...] = MODES) -> list[Measurement]:
    """The copies of one simulated file of `size` bytes, side by side."""
    from iceye_simulator import DerivativePlan, SimClock, Simulator, TaskPlan
    from relay_local.aws import start_moto

    moto = start_moto()
    try:
        bucket = "bench-derivatives"
        boto3.client("s3").create_bucket(Bucket=bucket)
        with Simulator(clock=SimClock()) as sim:
            task_id = sim.add_task(TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", timedelta(0), size)]))
            href = _signed_url(sim, task_id)
            (expected,) = sim.files(task_id)
            results = [measure_in_child(mode, href, sim.ca_bundle or "", bucket, f"{mode}.geojson") for mode in modes]
        for result in results:
            if result.sha256 != expected.sha256:
                raise AssertionError(f"{result.mode} copy does not match the simulator's checksum")
        return results
    finally:
        moto.stop()


def _signed_url(sim: object, task_id: str) -> str:
    import requests

    session = requests.Session()
    session.trust_env = False
    token = session.post(
        sim.token_url,  # type: ignore[attr-defined]
        data={"grant_type": "client_credentials"},
        auth=(sim.client_id, sim.client_secret),  # type: ignore[attr-defined]
        verify=sim.ca_bundle,  # type: ignore[attr-defined]
        timeout=10,
    ).json()["access_token"]
    body = session.get(
        f"{sim.base_url}/api/tasking/v2/tasks/{task_id}/derivatives",  # type: ignore[attr-defined]
        headers={"Authorization": f"Bearer {token}"},
        verify=sim.ca_bundle,  # type: ignore[attr-defined]
        timeout=10,
    ).json()
    return str(body["data"][0]["assets"][0]["href"])


def main(argv: list[str]) -> int:
    """Print both figures side by side."""
    if argv and argv[0] == "--child":
        mode, href, ca_bundle, bucket, key = argv[1:6]
        print(json.dumps(_copy_in_this_process(mode, href, ca_bundle, bucket, key).__dict__))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="50MB", help="file size, e.g. 50MB")
    size_text = parser.parse_args(argv).size.upper().removesuffix("B")
    size = int(float(size_text.rstrip("KMG")) * {"K": 10**3, "M": 10**6, "G": 10**9}.get(size_text[-1], 1))
    print(f"{'copy':10} {'file':>12} {'peak traced memory':>20} {'ratio':>7}")
    for result in run(size):
        ratio = result.peak_traced_bytes / result.size_bytes
        print(f"{result.mode:10} {result.size_bytes:>12,} {result.peak_traced_bytes:>20,} {ratio:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
