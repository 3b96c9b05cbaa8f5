"""The shared core every front end calls: connect(), Session.sql() and Session.execute()."""
from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from acn_magic import attributes, frames, query, settings, statements
from acn_magic.engine import Engine
from acn_magic.errors import AcnError, SqlError, UnknownTable, UnsupportedProvider, UnsupportedStatement
from acn_magic.fetch import fetch_all
from acn_magic.iolog import IoLog, RequestContext
from acn_magic.transport import Transport

SANDBOX_CONTACTS = 1000
SELECT_KINDS = {"select", "with", "values", "from", "table", "("}


@dataclass
class Container:
    """A data container at run time: its settings, checked attributes and (for ActiveCampaign) transport."""

    config: settings.DataContainer
    attributes: dict[str, Any]
    transport: Transport | None

    @property
    def alias(self) -> str:
        return self.config.alias


@dataclass
class StatementResult:
    number: int
    text: str
    kind: str
    frame: pd.DataFrame
    requests: int = 0
    rows_retrieved: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


class Session:
    """A connection to one settings.xml connection (or the embedded sandbox) and its DuckDB."""

    def __init__(self, connection: settings.Connection, source: str, sandbox: Any = None) -> None:
        self.connection = connection
        self.source = source
        self.notices: list[str] = []
        self.iolog = IoLog()
        self.engine = Engine()
        self.cancel_event = threading.Event()
        self._sandbox = sandbox
        self._statement_ids = itertools.count(1)
        self._lock = threading.RLock()
        self.containers: dict[str, Container] = {}
        for config in connection.containers:
            where = f'data container "{config.alias}" ({config.file}, line {config.line})'
            values = attributes.resolve(config.attributes, where) if config.is_activecampaign else {}
            transport = Transport(config.alias, config.api_url, config.api_key, self.iolog, values) \
                if config.is_activecampaign else None
            self.containers[config.alias.lower()] = Container(config, values, transport)
        if not self.containers:
            raise AcnError(f'Connection "{connection.name}" holds no data containers; add a <database> element.')

    def __repr__(self) -> str:
        return f"Session(connection={self.connection.name!r}, containers={[c.alias for c in self.containers.values()]})"

    # ---- public face ---------------------------------------------------------------------------------

    @property
    def default_alias(self) -> str:
        first_ac = next((c for c in self.containers.values() if c.transport is not None), None)
        return (first_ac or next(iter(self.containers.values()))).alias

    def sql(self, text: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run every statement of `text`; the result of the last one."""
        results = self.execute(text, params)
        return results[-1].frame if results else pd.DataFrame()

    def execute(self, text: str, params: Mapping[str, Any] | None = None) -> list[StatementResult]:
        """Run the statements of `text` in order, stopping at the first error (which names the statement)."""
        results: list[StatementResult] = []
        for statement in statements.split(text):
            try:
                results.append(self._run(statement, params or {}))
            except SqlError as exc:
                raise exc.located(statement.number, statement.line_offset) from None
            except AcnError as exc:
                exc.args = (f"{exc.args[0] if exc.args else exc} (statement {statement.number})",)
                raise
        return results

    def cancel(self) -> None:
        """Stop the running statement at its next request or wait."""
        self.cancel_event.set()

    def close(self) -> None:
        for container in self.containers.values():
            if container.transport is not None:
                container.transport.close()
        self.engine.close()
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- statements --------------------------------------------------------------------------------

    def _run(self, statement: statements.Statement, params: Mapping[str, Any]) -> StatementResult:
        if statement.kind not in SELECT_KINDS:
            raise UnsupportedStatement(f'"{statement.kind}" statements are not supported; acn_magic runs SELECT '
                                       f"queries (with joins, CTEs, unions, aggregates and window functions).",
                                       line=1, column=1)
        self.cancel_event.clear()
        statement_id = next(self._statement_ids)
        started = time.monotonic()
        prepared = query.prepare(statement.text, self._resolve_container, params)
        context_base = RequestContext(statement_id, statement.first_line)
        warnings: list[str] = []
        registered = []
        with self._lock:
            try:
                for ref in prepared.tables:
                    container = self.containers[ref.container.lower()]
                    assert container.transport is not None
                    context = RequestContext(context_base.statement_id, context_base.sql_text, ref.spec.name)
                    fetched = fetch_all(container.transport, ref.spec, context, cancel=self.cancel_event)
                    warnings += fetched.warnings
                    self.engine.register(ref.registered_name, frames.to_frame(ref.spec, fetched.rows))
                    registered.append(ref.registered_name)
                frame = self.engine.run(prepared.sql, statement.text)
            finally:
                for name in registered:
                    self.engine.unregister(name)
        ios = self.iolog.rows(statement_id)
        return StatementResult(statement.number, statement.text, statement.kind, frame, requests=len(ios),
                               rows_retrieved=sum(io.rows_retrieved for io in ios),
                               bytes_received=sum(io.bytes_received for io in ios),
                               seconds=time.monotonic() - started, warnings=warnings)

    def _resolve_container(self, alias: str | None) -> str:
        if alias is None:
            return self.default_alias
        container = self.containers.get(alias.lower())
        if container is None:
            known = ", ".join(f"@{c.alias}" for c in self.containers.values())
            raise UnknownTable(f'Unknown data container "@{alias}"; connection "{self.connection.name}" has {known}.')
        if container.transport is None:
            raise UnsupportedProvider(f'Data container "@{container.alias}" uses provider '
                                      f'"{container.config.provider}", which acn_magic does not support; it speaks '
                                      f"ActiveCampaign only ({container.config.file}, line {container.config.line}).")
        return container.alias


def connect(connection: str | None = None, *, settings_file: str | os.PathLike[str] | None = None,
            quiet: bool = False, **kwargs: Any) -> Session:
    """A Session on the named connection of settings.xml, or on the embedded sandbox when none exists.

    Settings are looked for in: `settings_file` (also accepted as `settings=`), $ACN_SETTINGS,
    $INVANTIVE_SETTINGS_FILE_PATH, then every settings*.xml in ~/invantive.
    """
    settings_file = kwargs.pop("settings", settings_file)
    if kwargs:
        raise TypeError(f"connect() got unexpected arguments: {', '.join(kwargs)}")
    files, how = settings.discover_files(settings_file)
    name = connection or os.environ.get("ACN_CONNECTION") or None
    if files:
        loaded = settings.load(files)
        chosen = loaded.choose(name)
        session = Session(chosen, f"{', '.join(loaded.files)} ({how})")
        session.notices.append(f'Connected to "{chosen.label}" from {session.source}.')
    else:
        session = _sandbox_session(name)
    if not quiet:
        for notice in session.notices:
            print(notice, file=sys.stderr)
    return session


def _sandbox_session(name: str | None) -> Session:
    from acn_magic.sandbox import Sandbox

    if name:
        raise settings.ConnectionNotFound(
            f'No settings.xml was found, so there is no connection "{name}". Put your settings in ~/invantive/'
            f"settings.xml or point ACN_SETTINGS at the file.")
    sandbox = Sandbox(contacts=SANDBOX_CONTACTS).start()
    account = sandbox.accounts[0]
    container = settings.DataContainer("acn", "ActiveCampaign", "(embedded sandbox)", 0, account.api_url,
                                       account.api_key)
    conn = settings.Connection("ActiveCampaign sandbox", "Sandbox", "(embedded sandbox)", 0, [container])
    session = Session(conn, "the embedded sandbox", sandbox)
    session.notices.append(
        "No settings.xml found: connected to the embedded ActiveCampaign sandbox (demo data, not your account). "
        "To use your account, create ~/invantive/settings.xml or set ACN_SETTINGS (see the README).")
    return session
