"""`python -m iceye_simulator` prints how to connect and serves demo tasks at different stages until stopped."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_command_line_prints_connection_details_and_serves():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "local")}
    process = subprocess.Popen(
        [sys.executable, "-m", "iceye_simulator", "--port", "0", "--tasks", "3"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        details: dict[str, list[str]] = {}
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Ctrl-C"):
                break
            key, _, value = line.strip().partition(": ")
            details.setdefault(key, []).append(value)
        session = requests.Session()
        session.trust_env = False
        session.verify = details["ca_bundle"][0]
        token = session.post(
            details["token_url"][0],
            auth=(details["client_id"][0], details["client_secret"][0]),
            data={"grant_type": "client_credentials"},
            timeout=5,
        ).json()["access_token"]
        statuses = [
            session.get(
                f"{details['base_url'][0]}/api/tasking/v2/tasks/{task_id}/derivatives",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            ).status_code
            for task_id in details["task"]
        ]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=5)

    assert details["base_url"][0].startswith("https://127.0.0.1:")
    assert statuses == [200, 206, 404]
    assert process.returncode == 0
