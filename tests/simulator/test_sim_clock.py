"""SimClock: frozen until moved in manual mode, running faster than real time with a speed."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from iceye_simulator import SimClock

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_manual_clock_stands_still_until_advanced_or_set():
    clock = SimClock(START)
    time.sleep(0.01)
    assert clock.now() == START

    clock.advance(timedelta(hours=3))
    assert clock.now() == START + timedelta(hours=3)

    clock.set(datetime(2027, 5, 1, 12, tzinfo=UTC))
    assert clock.now() == datetime(2027, 5, 1, 12, tzinfo=UTC)


def test_speed_runs_simulated_time_faster_and_advance_still_applies():
    clock = SimClock(START, speed=3600)  # one simulated hour per real second
    time.sleep(0.05)
    elapsed = clock.now() - START
    assert timedelta(seconds=150) <= elapsed < timedelta(hours=1)

    clock.advance(timedelta(days=1))
    assert clock.now() - START >= timedelta(days=1, seconds=150)


def test_now_is_utc_even_when_started_in_another_zone():
    from zoneinfo import ZoneInfo

    clock = SimClock(datetime(2026, 1, 1, 10, tzinfo=ZoneInfo("Europe/Helsinki")))
    assert clock.now().tzinfo == UTC
    assert clock.now() == datetime(2026, 1, 1, 8, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="tz-aware"):
        SimClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="tz-aware"):
        SimClock(START).set(datetime(2026, 1, 1))
