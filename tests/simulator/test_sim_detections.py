"""Detection files: valid GeoJSON of an exact, precomputed size, deterministic, streamed in chunks."""

import json

import pytest

from iceye_simulator.detections import CHUNK_SIZE, CRS_NAME, DetectionFile, file_name


@pytest.mark.parametrize("target", [0, 236, 1_000, 4_096, 20_000, 123_457, 1_000_000])
def test_size_is_known_before_streaming_and_matches_the_bytes(target):
    file = DetectionFile("task", "derivative", "DC_VESSELS", 1, target)
    body = b"".join(file.stream())

    assert len(body) == file.size
    assert file.size == max(target, file.size)  # exactly the target, unless below an empty collection
    json.loads(body)


def test_file_is_a_projected_feature_collection_of_plausible_detections():
    collection = json.loads(b"".join(DetectionFile("task", "der", "DC_AIRCRAFT", 1, 50_000).stream()))

    assert collection["type"] == "FeatureCollection"
    assert collection["crs"] == {"type": "name", "properties": {"name": CRS_NAME}}
    features = collection["features"]
    assert len(features) > 50
    assert {feature["geometry"]["type"] for feature in features} == {"Point", "Polygon"}
    for feature in features:
        properties = feature["properties"]
        assert 0.5 <= properties["confidence"] < 1
        assert 9 <= properties["length_m"] <= 75
        assert 0 <= properties["heading_deg"] <= 360
        assert properties["class"]
    polygon = next(feature["geometry"] for feature in features if feature["geometry"]["type"] == "Polygon")
    ring = polygon["coordinates"][0]
    assert ring[0] == ring[-1]
    assert 400_000 < ring[0][0] < 600_000  # UTM eastings, not degrees


def test_content_is_deterministic_per_identity_and_differs_between_files():
    first = DetectionFile("task", "der", "DC_VESSELS", 1, 30_000)
    assert first.sha256() == DetectionFile("task", "der", "DC_VESSELS", 1, 30_000).sha256()
    assert first.sha256() != DetectionFile("task", "der", "DC_VESSELS", 2, 30_000).sha256()
    assert first.sha256() != DetectionFile("other", "der", "DC_VESSELS", 1, 30_000).sha256()


def test_streams_in_bounded_chunks():
    chunks = list(DetectionFile("task", "der", "DC_VEHICLES", 1, 2_000_000).stream())

    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < CHUNK_SIZE + 1_000


@pytest.mark.parametrize(
    ("product_type", "index", "expected"),
    [
        ("DC_AIRCRAFT", 1, "aircraft-detections.geojson"),
        ("DC_VESSELS", 1, "vessel-detections.geojson"),
        ("DC_VEHICLES", 3, "vehicle-detections-3.geojson"),
        ("DC_SOMETHING_NEW", 1, "dc-something-new-detections.geojson"),
    ],
)
def test_file_names(product_type, index, expected):
    assert file_name(product_type, index) == expected
