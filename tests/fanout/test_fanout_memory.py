"""A 50 MB file is copied with peak memory far below its size (measured in a process of its own)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bench.copy_memory import run

SIZE = 50_000_000


@pytest.fixture
def restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_a_50_mb_copy_stays_far_below_the_file_size(restore_environment: None) -> None:
    (streamed,) = run(SIZE, modes=("streamed",))
    print(f"peak traced memory for a {SIZE:,}-byte copy: {streamed.peak_traced_bytes:,} bytes")
    assert streamed.size_bytes == SIZE
    assert streamed.peak_traced_bytes < SIZE / 2
    assert streamed.peak_traced_bytes < 32 * 1024 * 1024  # two 8 MiB parts in flight, plus change
