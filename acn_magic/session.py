"""The shared core every front end calls: connect(), Session.sql() and Session.execute()."""
from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from acn_magic import (
    attributes,
    commands,
    datadictionary,
    dml,
    frames,
    hints,
    planner,
    query,
    settings,
    statements,
)
from acn_magic.engine import Engine
from acn_magic.errors import (
    AcnError,
    InternalError,
    QueryCancelled,
    SqlError,
    UnknownTable,
    UnsupportedProvider,
    UnsupportedStatement,
)
from acn_magic.fetch import FetchResult, fetch_table
from acn_magic.iolog import IoLog, RequestContext
from acn_magic.progress import Progress
from acn_magic.transport import Transport

SANDBOX_CONTACTS = 1000
SELECT_KINDS = {"select", "with", "values", "from", "table", "("}
DML_KINDS = {"insert", "update", "delete"}


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
    cache_hits: int = 0
    waited_seconds: float = 0.0  # the longest any one request waited for its slot

    def summary(self) -> str:
        """One line of what the statement cost, from the same data as SessionIOs."""
        if self.kind not in SELECT_KINDS and self.kind not in DML_KINDS:
            return ""
        cached = f" ({self.cache_hits} from cache)" if self.cache_hits else ""
        waited = f", up to {self.waited_seconds:.1f} s queued for the rate limit" if self.waited_seconds >= 0.05 else ""
        return (f"{self.requests:,} API request{'s' if self.requests != 1 else ''}{cached}, "
                f"{self.rows_retrieved:,} rows retrieved, {len(self.frame):,} returned, "
                f"{_size(self.bytes_received)}, {self.seconds:.1f} s{waited}")


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if count < 1024 or unit == "MB":
            return f"{count:,} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count = count / 1024  # type: ignore[assignment]
    return f"{count} bytes"


class Session:
    """A connection to one settings.xml connection (or the embedded sandbox) and its DuckDB."""

    def __init__(self, connection: settings.Connection, source: str, sandbox: Any = None) -> None:
        self.connection = connection
        self.source = source
        self.notices: list[str] = []
        self.iolog = IoLog()
        self.engine = Engine()
        self.cancel_event = threading.Event()
        self.show_progress = True
        self.pushdown = True  # off: every table is read in full (a reference for tests and benchmarks)
        self.defines: dict[str, str] = {}
        self.frames: dict[str, pd.DataFrame] = {}  # user DataFrames usable as tables
        self.statement_log: list[datadictionary.StatementLog] = []
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

    def execute(self, text: str, params: Mapping[str, Any] | None = None, *, explain: bool = False,
                no_cache: bool = False) -> list[StatementResult]:
        """Run the statements of `text` in order, stopping at the first error (which names the statement).

        `explain`: plan every statement instead of running it; `no_cache`: answer reads from the API.
        """
        results: list[StatementResult] = []
        for statement in statements.split(text):
            log = datadictionary.StatementLog(next(self._statement_ids), statement.text, statement.kind,
                                              datetime.now(timezone.utc))
            self.statement_log.append(log)
            started = time.monotonic()
            try:
                result = self._run(statement, params or {}, log.id, explain, no_cache)
            except SqlError as exc:
                located = exc.located(statement.number, statement.line_offset)
                self._close_log(log, started, None, str(located))
                raise located from None
            except AcnError as exc:
                exc.args = (f"{exc.args[0] if exc.args else exc} (statement {statement.number})",)
                self._close_log(log, started, None, str(exc))
                raise
            except RecursionError:
                error = SqlError("The statement is nested too deeply; simplify it.").located(statement.number, 0)
                self._close_log(log, started, None, str(error))
                raise error from None
            except Exception as exc:  # a bug of ours: a message, not a raw traceback from deep inside
                internal = InternalError(f"Internal error ({type(exc).__name__}: {exc}) in statement {statement.number}. "
                                         f"This is a bug in acn_magic; please report it with the statement.")
                self._close_log(log, started, None, str(internal))
                raise internal from exc
            self._close_log(log, started, result, None)
            results.append(result)
        return results

    def _close_log(self, log: datadictionary.StatementLog, started: float, result: StatementResult | None,
                   error: str | None) -> None:
        log.duration_ms = round((time.monotonic() - started) * 1000, 1)
        log.requests = len(self.iolog.rows(log.id))
        log.rows_returned = len(result.frame) if result is not None and result.kind in SELECT_KINDS else None
        log.error_message = error

    def set_attribute(self, name: str, alias: str | None, value: str) -> list[tuple[str, Any]]:
        """`set NAME[@ALIAS] VALUE`: effective at once for that container, or for every ActiveCampaign one."""
        targets = [c for c in self.containers.values() if c.transport is not None]
        if alias is not None:
            self.resolve_container(alias)
            container = self.containers.get(alias.lower())
            if container is None or container.transport is None:
                raise SqlError(f"@{alias} has no driver attributes; set them on an ActiveCampaign data container.",
                               line=1, column=1)
            targets = [container]
        changed = []
        for container in targets:
            where = f'set {name}@{container.alias}'
            container.attributes[name.lower()] = attributes.parse_attribute(name, value, where)
            assert container.transport is not None
            container.transport.apply_attributes()
            changed.append((container.alias, container.attributes[name.lower()]))
        return changed

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

    def _run(self, statement: statements.Statement, params: Mapping[str, Any], statement_id: int,
             explain_all: bool = False, no_cache: bool = False) -> StatementResult:
        kind, text = statement.kind, commands.substitute(statement.text, self.defines)
        client_side = {"set": lambda: commands.run_set(text, self.set_attribute), "use": lambda: commands.run_use(text),
                       "local": lambda: commands.run_local(text, self.defines)}
        if kind in client_side:
            if explain_all:
                return StatementResult(statement.number, statement.text, kind, commands.message(
                    f"{kind} changes the session and makes no API request; not run under explain."))
            text = statements.without_comments(text)
            return StatementResult(statement.number, statement.text, kind, client_side[kind]())
        explain = kind == "explain" or explain_all
        if kind == "explain":
            text = statements.blank_first_word(text)
            kind = statements.first_word(text)
        if kind not in SELECT_KINDS and kind not in DML_KINDS:
            raise UnsupportedStatement(f'"{kind}" statements are not supported; acn_magic runs select, insert, '
                                       f"update and delete, and set, use and local.", line=1, column=1)
        self.cancel_event.clear()
        started = time.monotonic()
        context = RequestContext(statement_id, statement.first_line)
        if kind in DML_KINDS:
            frame = dml.run(self, text, params, context, explain=explain)
            warnings: list[str] = []
        else:
            prepared = query.prepare(text, self.resolve_container, params, self.local_table_names())
            if explain:
                return StatementResult(statement.number, statement.text, "explain",
                                       planner.plan(prepared, self.pushdown).describe())
            frame, warnings = self.run_query(prepared, text, context, no_cache)
        ios = self.iolog.rows(statement_id)
        return StatementResult(statement.number, statement.text, statement.kind, frame, requests=len(ios),
                               rows_retrieved=sum(io.rows_retrieved for io in ios),
                               bytes_received=sum(io.bytes_received for io in ios),
                               seconds=time.monotonic() - started, warnings=warnings,
                               cache_hits=sum(1 for io in ios if io.from_cache),
                               waited_seconds=max((io.waited_for_rate_limit_ms for io in ios), default=0) / 1000)

    def run_query(self, prepared: query.PreparedQuery, text: str, context: RequestContext,
                  no_cache: bool = False) -> tuple[pd.DataFrame, list[str]]:
        """Plan, fetch and evaluate a prepared SELECT: its result and any warnings."""
        query_plan = planner.plan(prepared, self.pushdown)
        cache = hints.http_memory_cache(text)
        if no_cache:  # fresh answers from the API, still kept for later statements
            cache = hints.CacheHint(use=False, store=cache.store, max_age=cache.max_age)
        warnings: list[str] = []
        with self._lock:
            try:
                fetched = self._fetch_all(query_plan, context, cache)
            except KeyboardInterrupt:
                self.cancel_event.set()
                raise QueryCancelled("The statement was cancelled; the session is still usable.") from None
            if query_plan.count_alias is not None:
                total = fetched[0][1].total or 0
                frame = pd.DataFrame({query_plan.count_alias: pd.array([total], dtype="Int64")})
            else:
                frame = self._evaluate(prepared, fetched, text)
            for _plan, result in fetched:
                warnings += result.warnings
        return frame, warnings

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make a DataFrame usable as a table in SQL (e.g. insert into Contacts (...) select ... from name)."""
        if not name.replace("_", "").isalnum():
            raise AcnError(f'"{name}" cannot name a table; use letters, digits and underscores.')
        self.frames[name.lower()] = frame
        self.engine.register(name, frame)

    def local_table_names(self) -> frozenset[str]:
        return frozenset(self.frames)

    def _fetch_all(self, query_plan: planner.QueryPlan, context: RequestContext,
                   cache: hints.CacheHint) -> list[tuple[planner.TablePlan, FetchResult]]:
        """Every table of the plan, fetched in parallel (each container keeps its own rate budget)."""
        api_tables = [p for p in query_plan.tables if not p.spec.virtual]
        if not api_tables:
            return []
        progress = Progress(enabled=self.show_progress)

        def one(table_plan: planner.TablePlan) -> FetchResult:
            container = self.containers[table_plan.ref.container.lower()]
            assert container.transport is not None
            table_context = RequestContext(context.statement_id, context.sql_text, table_plan.spec.name)
            return fetch_table(container.transport, table_plan, table_context, self.cancel_event,
                               int(container.attributes["max-concurrent-requests"]), progress, cache)

        try:
            if len(api_tables) == 1:
                return [(api_tables[0], one(api_tables[0]))]
            with ThreadPoolExecutor(max_workers=len(api_tables), thread_name_prefix="acn-table") as pool:
                futures = [pool.submit(one, p) for p in api_tables]
                try:
                    return [(p, f.result()) for p, f in zip(api_tables, futures, strict=True)]
                except BaseException:
                    self.cancel_event.set()
                    raise
        finally:
            progress.close()

    def _evaluate(self, prepared: query.PreparedQuery, fetched: list[tuple[planner.TablePlan, FetchResult]],
                  text: str) -> pd.DataFrame:
        registered = []
        try:
            for table_plan, result in fetched:
                self.engine.register(table_plan.ref.registered_name, frames.to_frame(table_plan.spec, result.rows))
                registered.append(table_plan.ref.registered_name)
            for ref in prepared.tables:
                if ref.spec.virtual:  # DataDictionary tables: built now, no request
                    self.engine.register(ref.registered_name, self.data_dictionary(ref.spec.name))
                    registered.append(ref.registered_name)
            return self.engine.run(prepared.sql, text)
        finally:
            for name in registered:
                self.engine.unregister(name)

    def data_dictionary(self, table: str) -> pd.DataFrame:
        """A DataDictionary table as a DataFrame (also what SessionIOs@DataDictionary returns)."""
        containers = [datadictionary.ContainerInfo(c.alias, c.config.provider, self.connection.name, c.config.api_url,
                                                   c.config.file, c.config.line, c.attributes)
                      for c in self.containers.values()]
        return datadictionary.build(datadictionary.lookup(table), self.iolog.rows(), list(self.statement_log),
                                    containers)

    def resolve_container(self, alias: str | None) -> str:
        if alias is None:
            return self.default_alias
        if alias.lower() == datadictionary.ALIAS.lower():
            return datadictionary.ALIAS
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
