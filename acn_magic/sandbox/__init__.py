"""An embedded ActiveCampaign v3 API on loopback: the demo account and the server tests talk to.

    with Sandbox(contacts=500, rate=5) as sb:
        requests.get(sb.accounts[0].api_url + "/api/3/contacts",
                     headers={"Api-Token": sb.accounts[0].api_key})
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from acn_magic.sandbox.demo_data import populate
from acn_magic.sandbox.server import (
    FAULT_KINDS,
    AccountState,
    FaultPlan,
    SandboxServer,
    ServedRequest,
    TokenBucket,
)
from acn_magic.sandbox.store import AccountStore

__all__ = ["Sandbox", "SandboxAccount", "ServedRequest", "FAULT_KINDS"]

# Each account keeps its own UTC offset, as real accounts in different time zones do.
ACCOUNT_OFFSETS = (-5, 1, 9, -8, 2)


@dataclass(frozen=True)
class SandboxAccount:
    name: str
    api_url: str
    api_key: str

    def __repr__(self) -> str:  # the key stays out of reprs, even in the sandbox
        return f"SandboxAccount(name={self.name!r}, api_url={self.api_url!r})"


class Sandbox:
    """A threaded HTTP server speaking the ActiveCampaign API for one or more demo accounts."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: int = 1, contacts: int = 2500,
                 accounts: int = 1, rate: float = 5.0, latency: float = 0.0, jitter: float = 0.0,
                 fault_rate: float = 0.0, fault_kinds: tuple[str, ...] = FAULT_KINDS, slow_seconds: float = 3.0,
                 api_keys: list[str] | None = None) -> None:
        if accounts < 1:
            raise ValueError("a sandbox needs at least one account")
        unknown = set(fault_kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {', '.join(FAULT_KINDS)}")
        self.host, self.port, self.seed = host, port, seed
        self.faults = FaultPlan(seed=seed, rate=fault_rate, kinds=tuple(fault_kinds), slow_seconds=slow_seconds)
        self._states: dict[str, AccountState] = {}
        for index in range(accounts):
            name = "demo" if index == 0 else f"demo{index + 1}"
            key = api_keys[index] if api_keys and index < len(api_keys) else self._derive_key(seed, name)
            store = AccountStore(ACCOUNT_OFFSETS[index % len(ACCOUNT_OFFSETS)])
            populate(store, seed=seed * 1000 + index, contacts=contacts,
                     offset_hours=ACCOUNT_OFFSETS[index % len(ACCOUNT_OFFSETS)])
            self._states[name] = AccountState(name, key, store, TokenBucket(rate))
        self._latency, self._jitter = latency, jitter
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _derive_key(seed: int, name: str) -> str:
        digest = hashlib.sha256(f"acn-sandbox|{seed}|{name}".encode()).hexdigest()
        return (digest + digest)[:72]  # real keys are 72 hex characters

    # ---- life cycle ------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._server = SandboxServer((self.host, self.port), self._states, self.faults, self._latency, self._jitter)
        self.port = self._server.server_address[1]
        for state in self._states.values():
            state.api_url = f"{self.url}/{state.name}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="acn-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what clients need -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def accounts(self) -> list[SandboxAccount]:
        return [SandboxAccount(s.name, s.api_url, s.api_key) for s in self._states.values()]

    def store(self, account: int | str = 0) -> AccountStore:
        """The account's data, for tests that change it behind the API's back."""
        return self._state(account).store

    def _state(self, account: int | str) -> AccountState:
        if isinstance(account, int):
            return list(self._states.values())[account]
        return self._states[account]

    # ---- knobs and observations ------------------------------------------------------------------

    def set_rate(self, rate: float, account: int | str | None = None) -> None:
        for state in self._states.values() if account is None else [self._state(account)]:
            state.bucket = TokenBucket(rate)

    def set_faults(self, rate: float, kinds: tuple[str, ...] = FAULT_KINDS, slow_seconds: float | None = None) -> None:
        self.faults.rate = rate
        self.faults.kinds = tuple(kinds)
        if slow_seconds is not None:
            self.faults.slow_seconds = slow_seconds

    def set_latency(self, latency: float, jitter: float = 0.0) -> None:
        self._latency, self._jitter = latency, jitter
        if self._server is not None:
            self._server.latency, self._server.jitter = latency, jitter

    def requests(self, account: int | str | None = None) -> list[ServedRequest]:
        """Every request served so far (optionally for one account), oldest first."""
        if self._server is None:
            return []
        with self._server.log_lock:
            log = list(self._server.log)
        if account is None:
            return log
        name = self._state(account).name
        return [r for r in log if r.account == name]

    def clear_requests(self) -> None:
        if self._server is not None:
            with self._server.log_lock:
                self._server.log.clear()

    # ---- settings.xml ------------------------------------------------------------------------------

    def settings_xml(self, attributes: dict[str, str] | None = None) -> str:
        """An Invantive settings.xml with one connection holding every account (aliases acn, acn2, ...).

        `attributes` are driver attributes added to every connectionString.
        """
        extra = "".join(f";{name}={value}" for name, value in (attributes or {}).items())
        lines = ['<?xml version="1.0" encoding="utf-8"?>',
                 '<settings xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" version="5" forcedefault="false">',
                 '  <group name="Sandbox">',
                 '    <connection name="ActiveCampaign sandbox">']
        for index, account in enumerate(self.accounts):
            alias = "acn" if index == 0 else f"acn{index + 1}"
            connection_string = f"api-url={account.api_url};api-key={account.api_key}{extra}"
            lines.append(f'      <database order="{(index + 1) * 10}" alias="{alias}" provider="ActiveCampaign" '
                         f'connectionString={quoteattr(connection_string)}/>')
        lines += ["    </connection>", "  </group>", "</settings>", ""]
        return "\n".join(lines)

    def write_settings(self, path: str | os.PathLike[str], attributes: dict[str, str] | None = None) -> Path:
        """Write settings_xml() readable by its owner only (it holds API keys)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.settings_xml(attributes))
        os.chmod(target, 0o600)
        return target
