"""Completions for SQL being typed, from the catalog only (never the API): shared by the magic and the kernel.

Tables after FROM/JOIN/INTO/UPDATE, columns after `alias.` and elsewhere for the tables in the
statement, data container aliases after `@`, and keywords.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from acn_magic import catalog, datadictionary
from acn_magic.catalog import TableSpec

KEYWORDS = [
    "select", "from", "where", "join", "left join", "inner join", "on", "group by", "order by", "having", "limit",
    "offset", "top", "distinct", "as", "and", "or", "not", "in", "like", "between", "is null", "is not null",
    "union all", "with", "case", "when", "then", "else", "end", "count(*)", "insert into", "values", "update",
    "set", "delete from", "explain", "asc", "desc", "use all", "local define",
]
TABLE_CONTEXT = {"from", "join", "into", "update", "table"}
_WORD = re.compile(r"[\w.@$\"]*$")
_TABLE_REF = re.compile(r'(?is)\b(?:from|join|into|update)\s+([\w."]+(?:@\w+)?)(?:\s*\([^)]*\))?(?:\s+(?:as\s+)?(\w+))?')
_NOT_ALIAS = {"where", "join", "left", "right", "inner", "outer", "full", "cross", "on", "group", "order", "limit",
              "set", "values", "select", "union", "having", "as"}


@dataclass(frozen=True)
class Completion:
    text: str
    kind: str  # table, column, alias, keyword
    start: int  # where the replaced text starts in the given text


def complete(text: str, cursor: int | None = None, aliases: list[str] | None = None) -> list[Completion]:
    """Completions for `text` at `cursor` (default: the end)."""
    cursor = len(text) if cursor is None else cursor
    before = text[:cursor]
    token = _WORD.search(before).group(0)  # type: ignore[union-attr]
    start = cursor - len(token)
    containers = [*(aliases or ["acn"]), datadictionary.ALIAS]
    if "@" in token:
        head, _, partial = token.rpartition("@")
        is_dd = partial.lower().startswith("d") and head.lower() in {t.name.lower() for t in datadictionary.TABLES}
        options = [a for a in containers if a.lower().startswith(partial.lower())]
        if is_dd:
            options = [datadictionary.ALIAS]
        return [Completion(a, "alias", cursor - len(partial)) for a in options]
    references = _references(text)
    if "." in token:
        qualifier, _, partial = token.rpartition(".")
        spec = references.get(qualifier.strip('"').lower()) or _spec(qualifier)
        if spec is None:
            return []
        return [Completion(c.name, "column", cursor - len(partial)) for c in spec.columns
                if c.name.lower().startswith(partial.lower())]
    previous = _previous_word(before[:start])
    lowered = token.lower()
    if previous in TABLE_CONTEXT:
        names = [*catalog.table_names(), *(t.name for t in datadictionary.TABLES)]
        return [Completion(n, "table", start) for n in names if n.lower().startswith(lowered)]
    found: list[Completion] = []
    seen: set[str] = set()
    for spec in references.values():
        for column in spec.columns:
            if column.name.lower().startswith(lowered) and column.name not in seen:
                seen.add(column.name)
                found.append(Completion(column.name, "column", start))
    if token:
        found += [Completion(k, "keyword", start) for k in KEYWORDS if k.startswith(lowered)]
        found += [Completion(n, "table", start) for n in catalog.table_names() if n.lower().startswith(lowered)]
    return found


def _spec(name: str) -> TableSpec | None:
    bare = name.split("@")[0].split(".")[-1].strip('"')
    for spec in (*catalog.TABLES, *datadictionary.TABLES):
        if spec.name.lower() == bare.lower():
            return spec
    return None


def _references(text: str) -> dict[str, TableSpec]:
    """Alias (or table name) -> spec for every table the statement names."""
    found: dict[str, TableSpec] = {}
    for match in _TABLE_REF.finditer(text):
        spec = _spec(match.group(1))
        if spec is None:
            continue
        found[spec.name.lower()] = spec
        alias = match.group(2)
        if alias and alias.lower() not in _NOT_ALIAS:
            found[alias.lower()] = spec
    return found


def _previous_word(text: str) -> str:
    words = re.findall(r"[A-Za-z_]+", text)
    return words[-1].lower() if words else ""


def describe(name: str) -> str | None:
    """What inspection shows for a table or column name (table, or table.column)."""
    table, _, column = name.partition(".")
    spec = _spec(table)
    if spec is None:
        specs = [s for s in catalog.TABLES if s.column(name) is not None]
        if not specs:
            return None
        lines = [f"{name}: a column of {', '.join(s.name for s in specs[:8])}"]
        first = specs[0].column(name)
        assert first is not None
        lines.append(f"type {first.sql_type}")
        return "\n".join(lines)
    if column:
        col = spec.column(column)
        if col is None:
            return None
        filters = [f for f in spec.filters if f.column == col.name]
        pushes = ", ".join(f"{op} via {f.param}" for f in filters for op in f.ops) or "no (filtered locally)"
        return (f"{spec.name}.{col.name}\ntype: {col.sql_type}\npushed to the API: {pushes}\n"
                f"sortable by the API: {'yes' if col.name in spec.sortable else 'no'}\n"
                f"writable: {'yes' if col.name in spec.writable else 'no'}\n"
                f"primary key: {'yes' if col.name in spec.primary_key else 'no'}")
    operations = ", ".join(op for op in ("select", "insert", "update", "delete") if op in spec.operations)
    columns = ", ".join(f"{c.name} {c.sql_type}" for c in spec.columns)
    endpoint = f"GET /api/3/{spec.path}" if spec.path else "built in the session"
    return (f"{spec.name}: {spec.description}\nendpoint: {endpoint}\noperations: {operations}\n"
            f"primary key: {', '.join(spec.primary_key) or '-'}\n"
            f"pushed filters: {', '.join(sorted({f.column for f in spec.filters})) or 'none'}\ncolumns: {columns}")
