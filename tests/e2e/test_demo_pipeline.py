"""The demo, small: the whole pipeline on moto's server and the simulator, every invariant checked.

Each run is its own process, as each Lambda container is: the handlers cache their clients per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _run_demo(tmp_path: Path, *options: str) -> dict[str, Any]:
    report_path = tmp_path / "report.json"
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "relay_local",
            "--quiet",
            "--speed",
            "2",
            "--file-size",
            "50KB",
            "--report-json",
            str(report_path),
            *options,
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'local'}"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert report_path.exists(), completed.stderr[-3000:]
    report: dict[str, Any] = json.loads(report_path.read_text())
    assert completed.returncode == (0 if not report["failures"] else 1)
    assert "Every invariant held." in completed.stdout, completed.stdout[-3000:]
    return report


def _assert_invariants(report: dict[str, Any]) -> None:
    assert report["failures"] == []
    names: dict[str, str] = report["task_names"]
    queue = report["notifications_by_subscriber"]["queue"]
    for task_id, name in names.items():
        events = [n["eventType"] for n in queue if n["taskId"] == task_id]
        if "given up" in name:
            assert events == ["TASK_GAVE_UP"]
        else:
            assert events.count("DERIVATIVES_COMPLETE") == 1
    assert report["dead_letters"] == {"CopyDeadLetterQueue": 0, "ScheduleDeadLetterQueue": 0}
    assert len(report["objects"]) == 7  # 3 + 3 + 0 + 1 files in the four scenarios
    webhook = report["notifications_by_subscriber"]["webhook"]
    assert sorted(n["eventId"] for n in webhook) == sorted(n["eventId"] for n in queue)
    emails = report["notifications_by_subscriber"]["email"]
    assert {e["subject"].split(":")[0] for e in emails} == {"ICEYE derivatives complete", "ICEYE task given up"}
    assert all("sha256" in e["text"] or "given up" in e["text"] for e in emails)


def test_the_demo_ends_with_every_invariant_holding(tmp_path: Path) -> None:
    _assert_invariants(_run_demo(tmp_path))


def test_the_demo_with_faults_ends_with_every_invariant_holding(tmp_path: Path) -> None:
    _assert_invariants(_run_demo(tmp_path, "--faults"))
