"""Copies of one task finishing at once, each with a stale view, still leave every file in the manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3

from relay.adapters.object_store import S3ObjectStore
from relay.domain.copying import write_manifest
from relay.domain.records import DerivativeTypeRecord, FileRecord, FileState, StoredObject, TaskRecord, TaskView

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _view_with(*product_types: str) -> TaskView:
    types = {}
    for product_type in product_types:
        name = f"{product_type.lower()}.geojson"
        stored = StoredObject(
            object_key=f"derivatives/t1/{product_type}/d/{name}", size_bytes=10, sha256="0" * 64, copied_at=NOW
        )
        file = FileRecord(file_name=name, derivative_id="d", state=FileState.COPIED, stored=stored)
        types[product_type] = DerivativeTypeRecord(task_id="t1", product_type=product_type, files={name: file})
    task = TaskRecord(task_id="t1", expected_types=["DC_VESSELS", "DC_AIRCRAFT"], registered_at=NOW)
    return TaskView(task=task, types=types)


def test_a_stale_writer_merges_instead_of_dropping_a_file(bucket: str) -> None:
    store = S3ObjectStore(boto3.client("s3"), bucket)
    write_manifest(_view_with("DC_AIRCRAFT"), store)  # the later finisher wrote first
    write_manifest(_view_with("DC_VESSELS"), store)  # the earlier one, whose view lacks the aircraft file
    manifest = json.loads(
        boto3.client("s3").get_object(Bucket=bucket, Key="derivatives/t1/manifest.json")["Body"].read()
    )
    assert [entry["productType"] for entry in manifest["files"]] == ["DC_AIRCRAFT", "DC_VESSELS"]


def test_a_write_in_between_is_detected(bucket: str) -> None:
    store = S3ObjectStore(boto3.client("s3"), bucket)
    key = "derivatives/t1/manifest.json"
    assert store.put_json(key, b'{"files": []}', if_match=None)
    _, etag = store.read_json(key)
    assert store.put_json(key, b'{"files": [], "n": 1}', if_match=etag)
    assert not store.put_json(key, b'{"files": [], "n": 2}', if_match=etag)  # someone wrote since we read
    assert not store.put_json(key, b'{"files": []}', if_match=None)  # it exists already
