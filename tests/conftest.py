"""Shared fixtures: sandboxes on loopback, started and stopped by the tests themselves."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import settings as hypothesis_settings

from acn_magic import Session, connect
from acn_magic.sandbox import Sandbox

# CI replays the same fuzz cases every run; a developer's run explores new ones (and keeps what it found).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")

# A distinctive key that must never show up in any output (see the secrets tests).
CANARY_KEY = "CANARY0KEY0" + "f" * 61


class Api:
    """A plain requests client for one sandbox account, independent of the driver."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base + "/api/3"
        self.key = key
        self.http = requests.Session()

    def get(self, path: str, **params: object) -> requests.Response:
        return self.http.get(self.base + path, params=params, headers={"Api-Token": self.key}, timeout=30)

    def post(self, path: str, body: object) -> requests.Response:
        return self.http.post(self.base + path, json=body, headers={"Api-Token": self.key}, timeout=30)

    def put(self, path: str, body: object) -> requests.Response:
        return self.http.put(self.base + path, json=body, headers={"Api-Token": self.key}, timeout=30)

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(self.base + path, headers={"Api-Token": self.key}, timeout=30)

    def all_rows(self, path: str, key: str, **params: object) -> list[dict]:
        """Every row of a collection, paging by offset with the maximum page size."""
        rows: list[dict] = []
        offset = 0
        while True:
            body = self.get(path, limit=100, offset=offset, **params).json()
            rows += body[key]
            offset += 100
            if offset >= int(body["meta"]["total"]):
                return rows


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A read-mostly sandbox without a rate limit, shared by the whole session."""
    with Sandbox(contacts=1200, accounts=2, rate=0, seed=7, api_keys=[CANARY_KEY]) as sb:
        yield sb


@pytest.fixture(scope="session")
def api(sandbox: Sandbox) -> Api:
    account = sandbox.accounts[0]
    return Api(account.api_url, account.api_key)


FAST = {"max-requests-per-second": "1000"}


@pytest.fixture(scope="session")
def settings_path(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """settings.xml for the shared sandbox, with the client's rate limit lifted (the sandbox has none)."""
    return sandbox.write_settings(tmp_path_factory.mktemp("settings") / "settings.xml", FAST)


@pytest.fixture(scope="session")
def session(settings_path: Path) -> Iterator[Session]:
    with connect(settings=settings_path, quiet=True) as s:
        yield s


@pytest.fixture()
def fresh_sandbox() -> Iterator[Sandbox]:
    """A small sandbox of its own, for tests that write or change settings."""
    with Sandbox(contacts=150, rate=0, seed=3) as sb:
        yield sb


@pytest.fixture()
def fresh_api(fresh_sandbox: Sandbox) -> Api:
    account = fresh_sandbox.accounts[0]
    return Api(account.api_url, account.api_key)


@pytest.fixture()
def fresh_session(fresh_sandbox: Sandbox, tmp_path: Path) -> Iterator[Session]:
    with connect(settings=fresh_sandbox.write_settings(tmp_path / "settings.xml", FAST), quiet=True) as s:
        yield s


@pytest.fixture(autouse=True)
def no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read the developer's own settings: an empty home and no settings variables."""
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("ACN_SETTINGS", "INVANTIVE_SETTINGS_FILE_PATH", "ACN_CONNECTION"):
        monkeypatch.delenv(name, raising=False)


# Everything the tests printed or reported, for the final secrets check (tests/test_zz_secrets.py).
CAPTURED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    CAPTURED.extend(content for _name, content in report.sections)
    if report.longrepr is not None:
        CAPTURED.append(str(report.longrepr))
