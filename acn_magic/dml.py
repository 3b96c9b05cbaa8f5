"""insert, update and delete on ActiveCampaign tables: one API write per affected row, nothing lost.

UPDATE and DELETE first resolve their WHERE with the planner (pushdown applies) by running the
equivalent SELECT; INSERT evaluates its VALUES or SELECT the same way. Every refusal (read-only
table or column, missing required column, type mismatch, no WHERE, too many rows) happens before
any request. Each row's outcome is reported; rows after a failure are still attempted.
"""
from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlglot import exp

from acn_magic import query
from acn_magic.catalog import TableSpec
from acn_magic.errors import AcnError, ApiError, QueryCancelled, SqlError, TransportError
from acn_magic.iolog import RequestContext
from acn_magic.transport import Transport

if TYPE_CHECKING:
    from acn_magic.session import Session

OUTCOME_COLUMNS = ["row", "operation", "key", "http_status", "new_id", "outcome", "error_message"]


class DmlError(AcnError):
    """Some writes of a DML statement failed or have an unknown outcome; `outcomes` tells which."""

    def __init__(self, message: str, outcomes: pd.DataFrame) -> None:
        super().__init__(message)
        self.outcomes = outcomes


@dataclass
class Write:
    row: int  # 1-based, in the order of the statement's rows
    operation: str  # insert, update or delete
    key: Any  # the primary key (None for inserts)
    method: str
    path: str
    body: dict[str, Any] | None


@dataclass
class Target:
    spec: TableSpec
    alias: str  # the data container
    transport: Transport
    attributes: dict[str, Any]


def run(session: Session, text: str, params: Any, context: RequestContext, *, explain: bool) -> pd.DataFrame:
    tree = query.parse(text)
    query.bind(tree, text, params or {})
    if isinstance(tree, exp.Insert):
        target, writes = _insert(session, tree, text, context)
    elif isinstance(tree, exp.Update):
        target, writes = _update(session, tree, text, context)
    elif isinstance(tree, exp.Delete):
        target, writes = _delete(session, tree, text, context)
    else:
        raise SqlError("This statement is not an insert, update or delete acn_magic understands.", line=1, column=1)
    if explain:
        return describe(writes)
    outcomes = execute(target, writes, context, session.cancel_event)
    _raise_on_failures(target.spec, outcomes)
    return outcomes


# ---- the three statements ----------------------------------------------------------------------------

def _insert(session: Session, tree: exp.Insert, text: str, context: RequestContext) -> tuple[Target, list[Write]]:
    schema = tree.this
    table = schema.this if isinstance(schema, exp.Schema) else schema
    target = _target(session, table, text, "insert")
    spec = target.spec
    if not isinstance(schema, exp.Schema) or not schema.expressions:
        raise SqlError(f"Name the columns to insert: insert into {spec.name} ({', '.join(spec.required)}) values (...).",
                       line=1, column=1)
    names = [_column_name(spec, c.name, text) for c in schema.expressions]
    _check_writable(spec, names, text)
    missing = [c for c in spec.required if c not in names]
    if missing:
        raise SqlError(f"An insert into {spec.name} needs {', '.join(missing)} (required: "
                       f"{', '.join(spec.required)}).", line=1, column=1)
    source = tree.expression
    if source is None:
        raise SqlError(f"Give the rows: insert into {spec.name} (...) values (...) or ... select ...", line=1, column=1)
    frame = _evaluate(session, source, text, context)
    if len(frame.columns) != len(names):
        raise SqlError(f"The insert names {len(names)} columns but its rows have {len(frame.columns)} values.",
                       line=1, column=1)
    frame.columns = names
    writes = []
    for number, record in enumerate(frame.to_dict("records"), start=1):
        values = {name: _api_value(spec, name, record[name], number) for name in names}
        for name in spec.required:
            if values.get(name) is None:
                raise SqlError(f"Row {number}: {spec.name}.{name} is required but NULL.", line=1, column=1)
        body = {k: v for k, v in values.items() if v is not None}
        writes.append(Write(number, "insert", None, "POST", f"/{spec.path}", {spec.single_key: body}))
    _check_count(target, len(writes))
    return target, writes


def _update(session: Session, tree: exp.Update, text: str, context: RequestContext) -> tuple[Target, list[Write]]:
    table = tree.this
    target = _target(session, table, text, "update")
    spec = target.spec
    assignments: list[tuple[str, exp.Expression]] = []
    for assignment in tree.expressions:
        if not isinstance(assignment, exp.EQ) or not isinstance(assignment.this, exp.Column):
            raise SqlError("Write the changes as set column = expression, ...", line=1, column=1)
        assignments.append((_column_name(spec, assignment.this.name, text), assignment.expression))
    _check_writable(spec, [name for name, _ in assignments], text)
    where = tree.args.get("where")
    _check_bounded(target, where)
    keys = list(dict.fromkeys([*spec.primary_key, *spec.update_by_post]))
    projections: list[Any] = [exp.column(k, table=table.alias_or_name).as_(f"__key_{k}") for k in keys]
    projections += [value.copy().as_(f"__set_{name}") for name, value in assignments]
    rows = _select_rows(session, table, projections, where, text, context)
    _check_count(target, len(rows))
    writes = []
    for number, record in enumerate(rows, start=1):
        changes = {name: _api_value(spec, name, record[f"__set_{name}"], number) for name, _ in assignments}
        key = record[f"__key_{spec.primary_key[0]}"]
        if spec.update_by_post:
            body = {**{k: _api_value(spec, k, record[f"__key_{k}"], number) for k in spec.update_by_post}, **changes}
            writes.append(Write(number, "update", key, "POST", f"/{spec.path}", {spec.single_key: body}))
        else:
            writes.append(Write(number, "update", key, "PUT", f"/{spec.path}/{key}", {spec.single_key: changes}))
    return target, writes


def _delete(session: Session, tree: exp.Delete, text: str, context: RequestContext) -> tuple[Target, list[Write]]:
    table = tree.this
    target = _target(session, table, text, "delete")
    spec = target.spec
    where = tree.args.get("where")
    _check_bounded(target, where)
    key = spec.primary_key[0]
    rows = _select_rows(session, table, [exp.column(key, table=table.alias_or_name).as_("__key")], where, text, context)
    _check_count(target, len(rows))
    return target, [Write(n, "delete", r["__key"], "DELETE", f"/{spec.path}/{r['__key']}", None)
                    for n, r in enumerate(rows, start=1)]


# ---- resolving, checking and evaluating --------------------------------------------------------------

def _target(session: Session, table: exp.Expression, text: str, operation: str) -> Target:
    if not isinstance(table, exp.Table):
        raise SqlError(f"{operation} needs a table name.", line=1, column=1)
    probe = exp.select("*").from_(table.copy())
    prepared = query.resolve(probe, text, session.resolve_container)
    if not prepared.tables:
        raise SqlError(f"{operation} needs an ActiveCampaign table.", line=1, column=1)
    ref = prepared.tables[0]
    spec = ref.spec
    if spec.virtual or operation not in spec.operations:
        allowed = ", ".join(op for op in ("insert", "update", "delete") if op in spec.operations) or "none"
        line, column = query.locate(text, table.name.split("$")[0])
        raise SqlError(f"{spec.name} does not allow {operation} (the ActiveCampaign API offers: {allowed}).",
                       line=line, column=column)
    container = session.containers[ref.container.lower()]
    assert container.transport is not None
    return Target(spec, container.alias, container.transport, container.attributes)


def _column_name(spec: TableSpec, name: str, text: str) -> str:
    column = spec.column(name)
    if column is None:
        from acn_magic.errors import UnknownColumn, did_you_mean
        line, col = query.locate(text, name)
        raise UnknownColumn(f'{spec.name} has no column "{name}".{did_you_mean(name, spec.column_names())}',
                            line=line, column=col)
    return column.name


def _check_writable(spec: TableSpec, names: list[str], text: str) -> None:
    for name in names:
        if name not in spec.writable:
            line, column = query.locate(text, name)
            raise SqlError(f"{spec.name}.{name} is read-only; the writable columns are "
                           f"{', '.join(spec.writable)}.", line=line, column=column)


def _check_bounded(target: Target, where: Any) -> None:
    """Refused before any request: the rows are not even read."""
    if where is None and not target.attributes["allow-dml-without-where"]:
        raise SqlError(f"An update or delete of {target.spec.name} without a where clause is refused, as it would "
                       f"change every row. Add a where clause, or opt in with set allow-dml-without-where true.",
                       line=1, column=1)


def _check_count(target: Target, count: int) -> None:
    limit = int(target.attributes["dml-row-limit"])
    if count > limit:
        raise SqlError(f"This statement would write {count} rows of {target.spec.name}, more than dml-row-limit "
                       f"({limit}). Check the where clause with explain, then opt in with set dml-row-limit {count}.",
                       line=1, column=1)


def _evaluate(session: Session, source: exp.Expression, text: str, context: RequestContext) -> pd.DataFrame:
    prepared = query.resolve(source, text, session.resolve_container, session.local_table_names())
    frame, _warnings = session.run_query(prepared, text, context)
    return frame


def _select_rows(session: Session, table: exp.Table, projections: list[Any], where: Any, text: str,
                 context: RequestContext) -> list[dict[str, Any]]:
    select = exp.select(*projections).from_(table.copy())
    if where is not None:
        select = select.where(where.this.copy())
    frame = _evaluate(session, select, text, context)
    return [dict(r) for r in frame.to_dict("records")]


def _api_value(spec: TableSpec, name: str, value: Any, row: int) -> Any:
    """A SQL value as the API wants it; a value that does not fit the column is refused before any request."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    column = spec.column(name)
    kind = column.type if column else "text"

    def mismatch(expected: str) -> SqlError:
        return SqlError(f"Row {row}: {value!r} does not fit {spec.name}.{name}, which holds {expected}.",
                        line=1, column=1)

    if kind == "int":
        if isinstance(value, bool):
            raise mismatch("whole numbers")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise mismatch("whole numbers") from None
        if not number.is_integer():
            raise mismatch("whole numbers")
        return int(number)
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise mismatch("numbers") from None
    if kind == "bool":
        if isinstance(value, bool) or value in (0, 1):
            return 1 if value else 0
        raise mismatch("true or false")
    if kind in ("ts", "lts"):
        try:
            moment = pd.Timestamp(value)
        except (TypeError, ValueError):
            raise mismatch("timestamps") from None
        return moment.isoformat()
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise mismatch("JSON") from None
        return value
    return value if isinstance(value, str) else str(value)


# ---- executing and reporting -----------------------------------------------------------------------------

def describe(writes: list[Write]) -> pd.DataFrame:
    """What `explain` shows for DML: the requests that would be made, none made."""
    return pd.DataFrame({
        "row": pd.array([w.row for w in writes], dtype="Int64"),
        "operation": pd.array([w.operation for w in writes], dtype="string"),
        "key": pd.array([None if w.key is None else str(w.key) for w in writes], dtype="string"),
        "method": pd.array([w.method for w in writes], dtype="string"),
        "path": pd.array([w.path for w in writes], dtype="string"),
        "body": pd.array([None if w.body is None else json.dumps(w.body, ensure_ascii=False) for w in writes],
                         dtype="string"),
    })


def execute(target: Target, writes: list[Write], context: RequestContext, cancel: Any) -> pd.DataFrame:
    """Send every write (concurrently, under the rate limit) and collect one outcome per row."""
    table_context = RequestContext(context.statement_id, context.sql_text, target.spec.name)

    def one(write: Write) -> dict[str, Any]:
        outcome: dict[str, Any] = {"row": write.row, "operation": write.operation,
                                   "key": None if write.key is None else str(write.key), "http_status": None,
                                   "new_id": None, "outcome": "ok", "error_message": None}
        if cancel.is_set():
            outcome.update(outcome="not attempted", error_message="the statement was cancelled")
            return outcome
        try:
            response = target.transport.send(write.method, write.path, write.body, table_context, cancel)
            outcome["http_status"] = response.status
            if write.operation == "insert" and isinstance(response.body, dict):
                created = response.body.get(target.spec.single_key) or {}
                outcome["new_id"] = str(created.get("id")) if created.get("id") is not None else None
            if response.headers.get("X-Ac-Error"):
                outcome.update(outcome="failed", error_message=f"the API answered {response.headers['X-Ac-Error']}")
        except ApiError as exc:
            outcome.update(http_status=exc.status, outcome="failed", error_message=exc.api_message or str(exc))
        except QueryCancelled:
            outcome.update(outcome="not attempted", error_message="the statement was cancelled")
        except TransportError as exc:
            unknown = "may or may not have been applied" in str(exc)
            outcome.update(outcome="unknown" if unknown else "failed", error_message=str(exc))
        return outcome

    workers = max(1, min(int(target.attributes["max-concurrent-requests"]), len(writes)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="acn-write") as pool:
        results = list(pool.map(one, writes))
    frame = pd.DataFrame(results, columns=OUTCOME_COLUMNS)
    return frame.astype({"row": "Int64", "operation": "string", "key": "string", "http_status": "Int64",
                         "new_id": "string", "outcome": "string", "error_message": "string"})


def _raise_on_failures(spec: TableSpec, outcomes: pd.DataFrame) -> None:
    bad = outcomes[outcomes["outcome"] != "ok"]
    if bad.empty:
        return
    total = len(outcomes)
    counts = bad["outcome"].value_counts().to_dict()
    parts = [f"{counts[k]} {k}" for k in ("failed", "unknown", "not attempted") if k in counts]
    first = bad.iloc[0]
    hint = " An unknown outcome means the request may have been applied: check before repeating it." \
        if "unknown" in counts else ""
    raise DmlError(f"{len(bad)} of {total} writes to {spec.name} did not succeed ({', '.join(parts)}); "
                   f"{total - len(bad)} succeeded. First: row {first['row']}: {first['error_message']}.{hint} "
                   f"The outcome of every row is in the error's outcomes and in SessionIOs@DataDictionary.", outcomes)
