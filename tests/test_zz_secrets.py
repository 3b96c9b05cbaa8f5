"""Runs last: the canary API key used across the suite appears in nothing the suite produced.

Checked: every captured stdout, stderr and log of every test, every failure report, and every file the
tests wrote (native logs, notebooks, kernel and server logs, screenshots, ...). Settings files are the
one place the key must be, so they are the only files skipped.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CANARY_KEY, CAPTURED


def _is_settings_file(path: Path, data: bytes) -> bool:
    return path.suffix.lower() == ".xml" and b"<settings" in data[:500]


def test_the_canary_key_appears_in_nothing_the_suite_produced(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert not [text[:200] for text in CAPTURED if CANARY_KEY in text]
    key = CANARY_KEY.encode()
    leaks, checked = [], 0
    for path in tmp_path_factory.getbasetemp().rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if _is_settings_file(path, data):
            continue
        checked += 1
        if key in data:
            leaks.append(str(path))
    assert not leaks
    assert checked > 0 or not CAPTURED
