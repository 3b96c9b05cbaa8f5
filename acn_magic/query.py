"""A SELECT statement prepared for DuckDB: parsed, table names resolved, parameters bound as literals."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError

from acn_magic import catalog, datadictionary, statements
from acn_magic.catalog import TableSpec
from acn_magic.errors import SqlError

# Given the alias written after "@" (or None), the canonical container alias.
ContainerResolver = Callable[[str | None], str]


@dataclass(frozen=True)
class TableRef:
    container: str
    spec: TableSpec
    params: tuple[tuple[str, str], ...] = ()  # table-function arguments, as API parameters

    @property
    def registered_name(self) -> str:
        """The name the fetched rows get in DuckDB (table functions with other arguments get their own)."""
        base = f"{self.container}__{self.spec.name}"
        if not self.params:
            return base
        digest = hashlib.sha1(repr(self.params).encode()).hexdigest()[:8]
        return f"{base}__{digest}"


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
    except RecursionError:
        raise SqlError("The statement is nested too deeply to parse; simplify it.") from None
    except SqlglotError as exc:
        raise SqlError(f"The statement cannot be read: {_plain(str(exc))}.") from None
    if tree is None:
        raise SqlError("The statement is empty.")
    if top is not None and isinstance(tree, exp.Select) and not tree.args.get("limit"):
        tree = tree.limit(top)
    return cast(exp.Expression, tree)


def prepare(text: str, resolve_container: ContainerResolver, params: Mapping[str, Any] | None = None,
            local_tables: frozenset[str] = frozenset()) -> PreparedQuery:
    tree = parse(text)
    bind(tree, text, params or {})
    return resolve(tree, text, resolve_container, local_tables)


def resolve(tree: exp.Expression, text: str, resolve_container: ContainerResolver,
            local_tables: frozenset[str] = frozenset()) -> PreparedQuery:
    """Resolve every table name of a parsed statement to a container and spec, renaming it for DuckDB.

    `local_tables` are DataFrames the user registered in the session: they keep their own names.
    """
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables: dict[tuple[str, str, tuple[tuple[str, str], ...]], TableRef] = {}
    for table in list(tree.find_all(exp.Table)):
        arguments: list[exp.Expression] | None = None
        if isinstance(table.this, exp.Anonymous):
            raw_name, arguments = str(table.this.this), list(table.this.expressions)
        elif isinstance(table.this, exp.Identifier):
            raw_name = table.name
        else:
            continue
        written_alias: str | None = None
        if statements.ALIAS_MARK in raw_name:
            raw_name, _, written_alias = raw_name.rpartition(statements.ALIAS_MARK)
        if written_alias is None and not table.args.get("db") and arguments is None and \
                (raw_name.lower() in cte_names or raw_name.lower() in local_tables):
            continue
        try:
            container = resolve_container(written_alias)
        except SqlError as exc:
            exc.line, exc.column = locate(text, f"@{written_alias}")
            raise
        spec = _lookup(table, raw_name, text, container)
        api_args = function_params(spec, arguments, text) if arguments is not None else ()
        ref = tables.setdefault((container.lower(), spec.name, api_args), TableRef(container, spec, api_args))
        alias = table.alias
        table.set("this", exp.to_identifier(ref.registered_name, quoted=True))
        table.set("db", None)
        table.set("catalog", None)
        if not alias:  # keep `Contacts.id` working after the rename
            table.set("alias", exp.TableAlias(this=exp.to_identifier(raw_name, quoted=True)))
    return PreparedQuery(tree, list(tables.values()))


def _lookup(table: exp.Table, name: str, text: str, container: str) -> TableSpec:
    try:
        if container.lower() == datadictionary.ALIAS.lower():
            return datadictionary.lookup(name)
        return catalog.lookup(name, table.catalog, table.db)
    except SqlError as exc:
        line, column = locate(text, name)
        exc.line, exc.column = line, column
        raise


def function_params(spec: TableSpec, arguments: list[exp.Expression], text: str) -> tuple[tuple[str, str], ...]:
    """`Contacts(listid => 3, 1)`: arguments by name or position, as the API parameters they stand for."""
    available = spec.parameter_list()
    by_name = {p.name.lower(): p for p in available}
    listing = ", ".join(p.name for p in available) or "none"
    params: list[tuple[str, str]] = []
    for position, argument in enumerate(arguments):
        if isinstance(argument, (exp.Kwarg, exp.PropertyEQ)):
            name = argument.this.name
            parameter = by_name.get(name.lower())
            value_node = argument.expression
            if parameter is None:
                line, column = locate(text, name)
                raise SqlError(f'{spec.name} has no parameter "{name}". Its parameters: {listing}.', line=line,
                               column=column)
        else:
            if position >= len(available):
                raise SqlError(f"{spec.name} takes at most {len(available)} parameters ({listing}); "
                               f"{len(arguments)} were given.")
            parameter, value_node = available[position], argument
        if not isinstance(value_node, (exp.Literal, exp.Neg, exp.Boolean)):
            raise SqlError(f'The value of parameter "{parameter.name}" of {spec.name} must be a constant, '
                           f"not {value_node.sql('duckdb')}.")
        value = value_node.sql("duckdb").strip("'") if not isinstance(value_node, exp.Literal) else \
            str(value_node.this)
        params.append((parameter.api_param, value))
    return tuple(params)


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
