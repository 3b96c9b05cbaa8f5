"""A SELECT statement prepared for DuckDB: parsed, table names resolved, parameters bound as literals."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from acn_magic import catalog, statements
from acn_magic.catalog import TableSpec
from acn_magic.errors import SqlError

# Given the alias written after "@" (or None), the canonical container alias.
ContainerResolver = Callable[[str | None], str]


@dataclass(frozen=True)
class TableRef:
    container: str
    spec: TableSpec

    @property
    def registered_name(self) -> str:
        """The name the fetched rows get in DuckDB."""
        return f"{self.container}__{self.spec.name}"


@dataclass
class PreparedQuery:
    tree: exp.Expression
    tables: list[TableRef]

    @property
    def sql(self) -> str:
        return self.tree.sql(dialect="duckdb")


def parse(text: str) -> exp.Expression:
    """sqlglot's tree for one statement, with `@alias` marked and `top n` taken as a limit."""
    marked = statements.mark_parameters(statements.mark_aliases(text))
    marked, top = statements.take_top(marked)
    try:
        tree = sqlglot.parse_one(marked, read="duckdb")
    except ParseError as exc:
        detail = exc.errors[0] if exc.errors else {}
        near = (detail.get("highlight") or "").strip()
        description = str(detail.get("description") or "").split(". Line")[0]
        hint = f' near "{near}"' if near else ""
        raise SqlError(f"Syntax error{hint}: {_plain(description)}.", line=detail.get("line"),
                       column=detail.get("col")) from None
    except TokenError as exc:
        raise SqlError(f"Syntax error: {_plain(str(exc))}. Check for an unclosed quote or comment.") from None
    if tree is None:
        raise SqlError("The statement is empty.")
    if top is not None and isinstance(tree, exp.Select) and not tree.args.get("limit"):
        tree = tree.limit(top)
    return cast(exp.Expression, tree)


def prepare(text: str, resolve_container: ContainerResolver, params: Mapping[str, Any] | None = None) -> PreparedQuery:
    tree = parse(text)
    bind(tree, text, params or {})
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables: dict[tuple[str, str], TableRef] = {}
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            continue  # table functions and the like are not catalog tables
        raw_name = table.name
        written_alias: str | None = None
        if statements.ALIAS_MARK in raw_name:
            raw_name, _, written_alias = raw_name.rpartition(statements.ALIAS_MARK)
        if written_alias is None and not table.args.get("db") and raw_name.lower() in cte_names:
            continue
        spec = _lookup(table, raw_name, text)
        try:
            container = resolve_container(written_alias)
        except SqlError as exc:
            exc.line, exc.column = locate(text, f"@{written_alias}")
            raise
        ref = tables.setdefault((container.lower(), spec.name), TableRef(container, spec))
        alias = table.alias
        table.set("this", exp.to_identifier(ref.registered_name, quoted=True))
        table.set("db", None)
        table.set("catalog", None)
        if not alias:  # keep `Contacts.id` working after the rename
            table.set("alias", exp.TableAlias(this=exp.to_identifier(raw_name, quoted=True)))
    return PreparedQuery(tree, list(tables.values()))


def _lookup(table: exp.Table, name: str, text: str) -> TableSpec:
    try:
        return catalog.lookup(name, table.catalog, table.db)
    except SqlError as exc:
        line, column = locate(text, name)
        exc.line, exc.column = line, column
        raise


def bind(tree: exp.Expression, text: str, params: Mapping[str, Any]) -> None:
    """Replace `:name` placeholders by literals: values are never pasted into SQL text."""
    for placeholder in list(tree.find_all(exp.Placeholder)):
        name = placeholder.name
        if not name:
            raise SqlError("Positional parameters (?) are not supported; use :name and pass params={'name': ...}.",
                           line=locate(text, "?")[0])
        if name not in params:
            line, column = locate(text, f":{name}")
            known = f" Parameters given: {', '.join(sorted(params))}." if params else " No parameters were given."
            raise SqlError(f'No value for parameter ":{name}".{known}', line=line, column=column)
        placeholder.replace(literal(params[name]))


def literal(value: Any) -> exp.Expression:
    try:
        return cast(exp.Expression, exp.convert(value))
    except ValueError:
        raise SqlError(f"A parameter value of type {type(value).__name__} cannot be used in SQL; pass a string, "
                       f"number, boolean, date, None or a list of those.") from None


def locate(text: str, needle: str) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the first case-insensitive occurrence of `needle` in `text`."""
    index = text.lower().find(needle.lower())
    if index < 0:
        return None, None
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


_TOKEN = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+.*?>")


def _plain(message: str) -> str:
    """sqlglot's wording without terminal colours and token reprs."""
    message = message.replace("\x1b[4m", "").replace("\x1b[0m", "")
    message = _TOKEN.sub(lambda m: "the end of the statement" if m.group(1) == "SENTINEL" else f'"{m.group(2)}"',
                         message)
    return message.strip().rstrip(".")
