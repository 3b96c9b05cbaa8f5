"""`python -m acn_magic.sandbox`: one JSON line when listening, clean exit on SIGTERM, usage errors."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "acn_magic.sandbox", "--contacts", "30", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_announces_serves_and_stops(tmp_path: Path, stop_signal: int) -> None:
    settings = tmp_path / "settings.xml"
    proc = _start("--accounts", "2", "--write-settings", str(settings))
    try:
        assert proc.stdout is not None
        announcement = json.loads(proc.stdout.readline())
        assert announcement["url"].startswith("http://127.0.0.1:")
        assert [a["name"] for a in announcement["accounts"]] == ["demo", "demo2"]
        account = announcement["accounts"][0]
        response = requests.get(account["api_url"] + "/api/3/contacts", headers={"Api-Token": account["api_key"]},
                                timeout=10)
        assert response.status_code == 200 and response.json()["meta"]["total"] == "30"
        text = settings.read_text()
        assert 'alias="acn"' in text and 'alias="acn2"' in text and 'provider="ActiveCampaign"' in text
        assert stat.S_IMODE(os.stat(settings).st_mode) == 0o600
    finally:
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize("args", [["--port", "abc"], ["--contacts", "-4"], ["--fault-rate", "2"],
                                  ["--fault-kinds", "500,explode"], ["--accounts", "0"], ["--bogus"]])
def test_bad_arguments_get_usage_and_exit_2(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "acn_magic.sandbox", *args], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "error:" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_port_in_use_is_a_clear_error() -> None:
    first = _start()
    try:
        assert first.stdout is not None
        port = json.loads(first.stdout.readline())["url"].rsplit(":", 1)[1]
        result = subprocess.run([sys.executable, "-m", "acn_magic.sandbox", "--contacts", "5", "--port", port],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
    finally:
        first.terminate()
        first.communicate(timeout=15)
