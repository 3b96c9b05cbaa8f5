"""`%acn` and `%%acn`: SQL over ActiveCampaign in any IPython notebook. A thin front end over Session.

    %load_ext acn_magic
    %acn select count(*) from Contacts
    df = %acn select * from Deals where status = 0

    %%acn top_tags <<
    select tag, subscriber_count from Tags order by subscriber_count desc limit 10
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, needs_local_scope
from traitlets import Bool, Int

from acn_magic import completion, display
from acn_magic.errors import AcnError, QueryCancelled
from acn_magic.session import Session, StatementResult, connect

_VALUE_OPTIONS = {"-c": "connection", "--connection": "connection", "--settings": "settings", "-f": "file",
                  "--file": "file"}
_FLAGS = {"--explain": "explain", "--no-cache": "no_cache", "--sessionios": "sessionios"}
_OPTION = re.compile(r"""\s*(-{1,2}[A-Za-z][\w-]*)(?:(?:\s*=\s*|\s+)("[^"]*"|'[^']*'|\S+))?""")
_TARGET = re.compile(r"\s*([A-Za-z_]\w*)\s*(=)?\s*<<")


class UserNamespace(Mapping[str, Any]):
    """`:name` parameters read the notebook's variables; nothing is pasted into the SQL text."""

    def __init__(self, *namespaces: Mapping[str, Any]) -> None:
        self._namespaces = namespaces

    def __getitem__(self, key: str) -> Any:
        for namespace in self._namespaces:
            if key in namespace:
                return namespace[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for namespace in self._namespaces:
            for key in namespace:
                if key not in seen and not key.startswith("_"):
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


@magics_class
class AcnMagic(Magics):
    """Run SQL against ActiveCampaign. Options: %config AcnMagic.displaylimit = 50 and friends."""

    displaylimit = Int(20, help="Rows shown of a result; the footer says how many there are.").tag(config=True)
    feedback = Int(1, help="0: no line of API cost under results; 1: show it.").tag(config=True)
    short_errors = Bool(True, help="Errors as one message without a traceback (False: the full traceback).").tag(
        config=True)
    progress = Bool(True, help="Show a progress bar for long fetches.").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.sessions: dict[tuple[str | None, str | None], Session] = {}

    @needs_local_scope
    @line_cell_magic
    def acn(self, line: str = "", cell: str | None = None, local_ns: dict[str, Any] | None = None) -> Any:
        """Run SQL against ActiveCampaign and get a pandas DataFrame.

        Line:  %acn [options] SQL            (df = %acn select ... stores the result)
        Cell:  %%acn [options] [df <<|df = <<]
               SQL; more SQL;                (every statement runs; the last result is shown)

        Options:
          -c, --connection NAME   a connection of settings.xml (each connection's session is reused)
          --settings FILE         the settings.xml to read
          -f, --file FILE.sql     run the SQL in a file
          --explain               show the plan (API requests, pushed filters) instead of running
          --no-cache              answer from the API, not from the session's cache
          --sessionios            show the API requests this cell made instead of the result

        Parameters: `:name` binds the Python variable `name` as a value (never pasted into the SQL).

        Examples:
          %acn select count(*) from Contacts
          %acn select * from Contacts where email = :email
          %%acn deals = <<
          select stage, count(*) as deals, sum(value) / 100.0 as value from Deals group by stage
          %acn --explain select * from Contacts where id in (1, 2, 3)
          %acn select * from SessionIOs@DataDictionary

        Configuration: %config AcnMagic.displaylimit = 50, AcnMagic.feedback = 0,
        AcnMagic.short_errors = False, AcnMagic.progress = False.
        """
        try:
            return self._run(line, cell, local_ns or {})
        except (AcnError, KeyboardInterrupt) as exc:
            if isinstance(exc, KeyboardInterrupt):
                exc = QueryCancelled("The statement was cancelled; the session is still usable.")
            outcomes = getattr(exc, "outcomes", None)
            if outcomes is not None and self.shell is not None:
                self.shell.user_ns["acn_outcomes"] = outcomes
                exc.args = (f"{exc.args[0]} The outcome table is in the variable acn_outcomes.",)
            if self.short_errors:
                raise UsageError(str(exc)) from None
            raise

    # ---- the parts ---------------------------------------------------------------------------------

    def _run(self, line: str, cell: str | None, local_ns: dict[str, Any]) -> Any:
        options, rest = parse_options(line)
        target = _TARGET.match(rest)
        store_as, show_too = None, True
        if target is not None:
            store_as, show_too = target.group(1), bool(target.group(2))
            rest = rest[target.end():]
        sql = rest if cell is None else f"{rest}\n{cell}"
        if options.get("file"):
            path = Path(str(options["file"])).expanduser()
            try:
                sql = path.read_text(encoding="utf-8") + "\n" + sql
            except OSError as exc:
                raise UsageError(f"Cannot read {path}: {exc.strerror}.") from None
        if not sql.strip():
            raise UsageError("No SQL given. Example: %acn select count(*) from Contacts   (see %acn?)")
        session = self._session(options.get("connection"), options.get("settings"))
        namespace = UserNamespace(local_ns, self.shell.user_ns if self.shell is not None else {})
        first_io = len(session.iolog)
        session.show_progress = self.progress
        results = session.execute(sql, namespace, explain=bool(options.get("explain")),
                                  no_cache=bool(options.get("no_cache")))
        if options.get("sessionios"):
            frame = session.data_dictionary("SessionIOs").iloc[first_io:].reset_index(drop=True)
            return self._present(frame, f"{len(frame)} API requests made by this cell", store_as, show_too)
        if not results:
            return None
        last = results[-1]
        for result in results:
            for warning in result.warnings:
                print(f"warning: {warning}")
        return self._present(last.frame, self._summary(last), store_as, show_too)

    def _present(self, frame: pd.DataFrame, summary: str, store_as: str | None, show_too: bool) -> Any:
        if store_as is not None and self.shell is not None:
            self.shell.user_ns[store_as] = frame
            if not show_too:
                return None
        return display.result_frame(frame, self.displaylimit, summary)

    def _summary(self, result: StatementResult) -> str:
        return result.summary() if self.feedback else ""

    def _session(self, connection: str | None, settings: str | None) -> Session:
        key = (connection, settings)
        session = self.sessions.get(key)
        if session is None:
            session = connect(connection, settings_file=settings, quiet=True)
            for notice in session.notices:
                print(notice)
            self.sessions[key] = session
        return session

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()


def parse_options(line: str) -> tuple[dict[str, Any], str]:
    """Leading options of the magic line; the rest is SQL (a `-- comment` is SQL, not an option)."""
    options: dict[str, Any] = {}
    rest = line
    while True:
        match = _OPTION.match(rest)
        if match is None:
            return options, rest
        name, value = match.group(1), match.group(2)
        if name in _FLAGS:
            options[_FLAGS[name]] = True
            rest = rest[match.start(2):] if value is not None else rest[match.end():]
            continue
        if name in _VALUE_OPTIONS:
            if value is None:
                raise UsageError(f"{name} needs a value, e.g. {name} NAME.")
            options[_VALUE_OPTIONS[name]] = value.strip("\"'")
            rest = rest[match.end():]
            continue
        raise UsageError(f"Unknown option {name}. Options: -c/--connection NAME, --settings FILE, -f/--file FILE.sql, "
                         f"--explain, --no-cache, --sessionios (see %acn?).")


def complete_sql(magic: AcnMagic, text: str, cursor: int) -> list[completion.Completion]:
    aliases = None
    if magic.sessions:
        session = next(iter(magic.sessions.values()))
        aliases = [c.alias for c in session.containers.values()]
    return completion.complete(text, cursor, aliases)


def register_completer(shell: Any, magic: AcnMagic) -> None:
    """Tab completion inside %acn lines and %%acn cells, from the catalog."""
    try:
        from IPython.core.completer import SimpleCompletion, SimpleMatcherResult, context_matcher
    except ImportError:  # IPython < 8.6: no context matchers
        return

    @context_matcher()
    def acn_matcher(context: Any) -> SimpleMatcherResult:
        full = context.full_text
        offset = _offset(full, context.cursor_line, context.cursor_position)
        magic_at = max(full.rfind("%acn", 0, offset), full.rfind("%%acn", 0, offset))
        if magic_at < 0:
            return cast(SimpleMatcherResult, {"completions": [], "suppress": False})
        sql_start = magic_at + len(full[magic_at:].split(None, 1)[0])
        found = complete_sql(magic, full[sql_start:], offset - sql_start)
        token = context.token
        items = []
        for f in found:
            replaced = offset - sql_start - f.start  # the characters of the statement this completion replaces
            text = token[: len(token) - replaced] + f.text if replaced <= len(token) else f.text
            items.append(SimpleCompletion(text=text, type=f.kind))
        return cast(SimpleMatcherResult, {"completions": items, "suppress": bool(items)})

    shell.Completer.custom_matchers.append(acn_matcher)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line]) + column
