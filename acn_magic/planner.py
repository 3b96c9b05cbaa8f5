"""API pushdown: which requests a prepared query needs, and what `explain` prints.

Every predicate is still applied by DuckDB, so a pushed filter only has to return a superset of the
matching rows. LIMIT and count(*) are pushed only when every predicate was pushed *exactly*
(the API returns precisely the matching rows), so cutting the fetch short can never lose a row.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pandas as pd
from sqlglot import exp

from acn_magic.catalog import Filter, TableSpec
from acn_magic.query import PreparedQuery, TableRef

PAGE_SIZE = 100
IDS_PER_REQUEST = 100
Params = list[tuple[str, str]]


@dataclass
class TablePlan:
    ref: TableRef
    batches: list[Params]  # one paged fetch per batch (several only for long id lists)
    pushed: list[str] = field(default_factory=list)  # the SQL of the predicates sent to the API
    local: list[str] = field(default_factory=list)  # predicates on this table the API cannot evaluate
    orders: Params = field(default_factory=list)
    limit: int | None = None  # stop after this many rows (LIMIT pushed)
    count_only: bool = False  # only meta.total is needed
    all_exact: bool = True  # every predicate on the table went to the API exactly

    @property
    def spec(self) -> TableSpec:
        return self.ref.spec

    def expected_requests(self) -> int | None:
        """Known in advance for count(*), a pushed LIMIT and id lists; otherwise it depends on meta.total."""
        if self.count_only:
            return len(self.batches)
        if self.limit is not None:
            return max(1, math.ceil(self.limit / PAGE_SIZE)) * len(self.batches)
        if any(p[0] == "ids[]" for batch in self.batches for p in batch):
            return len(self.batches)
        return None


@dataclass
class QueryPlan:
    tables: list[TablePlan]
    count_alias: str | None = None  # set when the whole answer is one meta.total

    def describe(self) -> pd.DataFrame:
        rows = []
        for plan in self.tables:
            params = plan.batches[0] if plan.batches else []
            rows.append({
                "container": plan.ref.container, "table": plan.spec.name,
                "endpoint": "none: built in the session" if plan.spec.virtual else f"GET /{plan.spec.path}",
                "parameters": "&".join(f"{k}={v}" for k, v in [*params, *plan.orders]),
                "batches": len(plan.batches), "pushed_predicates": " and ".join(plan.pushed) or None,
                "local_predicates": " and ".join(plan.local) or None,
                "order_pushed": bool(plan.orders), "limit_pushed": plan.limit,
                "count_from_meta_total": plan.count_only,
                "expected_requests": 0 if plan.spec.virtual else plan.expected_requests(),
            })
        frame = pd.DataFrame(rows, columns=["container", "table", "endpoint", "parameters", "batches",
                                            "pushed_predicates", "local_predicates", "order_pushed", "limit_pushed",
                                            "count_from_meta_total", "expected_requests"])
        return frame.astype({"batches": "Int64", "limit_pushed": "Int64", "expected_requests": "Int64"})


def plan(prepared: PreparedQuery, pushdown: bool = True) -> QueryPlan:
    """The requests for a query; with `pushdown` off, every table is read in full."""
    tree = prepared.tree
    plans = {ref.registered_name: TablePlan(ref, [[*ref.spec.list_params.items(), *ref.params]])
             for ref in prepared.tables}
    select = tree if isinstance(tree, exp.Select) else None
    if select is None or not pushdown:
        return QueryPlan(list(plans.values()))
    occurrences = Counter(t.name for t in tree.find_all(exp.Table))
    sources = _sources(select, plans)
    pushable = {alias: name for alias, name in sources.items()
                if occurrences[name] == 1 and not plans[name].spec.virtual}
    where = select.args.get("where")
    conjuncts: list[exp.Expression] = []
    if where is not None:
        conjuncts = [cast(exp.Expression, c) for c in where.this.flatten()] if isinstance(where.this, exp.And) \
            else [where.this]
        conjuncts = [part for c in conjuncts for part in _between_parts(c)]
    unplaced = False
    for conjunct in conjuncts:
        alias = _owner(conjunct, sources, plans)
        if alias is None:
            unplaced = True
            continue
        target = plans[sources[alias]]
        if alias not in pushable:
            target.local.append(conjunct.sql("duckdb"))
            target.all_exact = False
            continue
        translated = _translate(conjunct, target.spec)
        if translated is None or _param_taken(target, translated[0]):
            target.local.append(conjunct.sql("duckdb"))
            target.all_exact = False
            continue
        params, exact = translated
        _add(target, params)
        target.pushed.append(conjunct.sql("duckdb"))
        target.all_exact = target.all_exact and exact
    _push_membership(select, conjuncts, sources, pushable, plans)
    result = QueryPlan(list(plans.values()))
    if len(sources) == 1 and len(pushable) == 1 and not unplaced and len(plans) == 1:  # one API table alone
        only = plans[next(iter(pushable.values()))]
        if only.all_exact:
            _push_count_or_limit(select, only, result)
    return result


def _push_membership(select: exp.Select, conjuncts: list[exp.Expression], sources: dict[str, str],
                     pushable: dict[str, str], plans: dict[str, TablePlan]) -> None:
    """Join filters the catalog declares: `Contacts c join ContactTags ct on ct.contact = c.id where ct.tag = 5`
    also sends tagid=5 for Contacts (inner joins only: an outer join keeps rows without a match)."""
    for join in select.args.get("joins") or []:
        if join.side or (join.kind and join.kind.upper() not in ("INNER",)):
            continue
        on = join.args.get("on")
        if not isinstance(on, exp.EQ) or not all(isinstance(side, exp.Column) for side in (on.this, on.expression)):
            continue
        ends = [((c.table or "").lower(), c.name.lower()) for c in (on.this, on.expression)]
        for (target_alias, target_col), (assoc_alias, assoc_col) in (ends, ends[::-1]):
            if target_alias not in pushable or assoc_alias not in sources:
                continue
            target = plans[pushable[target_alias]]
            assoc_table = plans[sources[assoc_alias]].spec.name
            if target_col != target.spec.primary_key[0].lower():
                continue
            filters = {f.column.lower(): f for f in target.spec.join_filters
                       if f.table == assoc_table and f.key.lower() == assoc_col}
            for conjunct in conjuncts:
                condition = _condition(conjunct) if _owner(conjunct, sources, plans) == assoc_alias else None
                if condition is None or condition[1] != "=" or condition[0].lower() not in filters:
                    continue
                number = _int(condition[2][0])
                param = filters[condition[0].lower()].param
                if number is not None and not _param_taken(target, [(param, str(number))]):
                    _add(target, [(param, str(number))])
                    target.pushed.append(f"(via {assoc_alias}) {conjunct.sql('duckdb')}")


def _between_parts(node: exp.Expression) -> list[exp.Expression]:
    """`x between a and b` is `x >= a and x <= b`, which the filters understand."""
    if isinstance(node, exp.Between) and isinstance(node.this, exp.Column):
        return [exp.GTE(this=node.this.copy(), expression=node.args["low"].copy()),
                exp.LTE(this=node.this.copy(), expression=node.args["high"].copy())]
    return [node]


def _sources(select: exp.Select, plans: dict[str, TablePlan]) -> dict[str, str]:
    """alias -> registered name of the catalog tables directly in this SELECT's FROM and JOINs."""
    found: dict[str, str] = {}
    from_ = select.args.get("from") or select.args.get("from_")
    candidates = [from_.this] if from_ is not None else []
    candidates += [join.this for join in select.args.get("joins") or []]
    for node in candidates:
        if isinstance(node, exp.Table) and node.name in plans:
            found[(node.alias or node.name).lower()] = node.name
    return found


def _owner(conjunct: exp.Expression, sources: dict[str, str], plans: dict[str, TablePlan]) -> str | None:
    """The one source whose columns the conjunct uses, or None (several, none, or a subquery)."""
    if conjunct.find(exp.Select) is not None:
        return None
    owners = set()
    for column in conjunct.find_all(exp.Column):
        if column.table:
            if column.table.lower() not in sources:
                return None
            owners.add(column.table.lower())
            continue
        having = [a for a, name in sources.items() if plans[name].spec.column(column.name) is not None]
        if len(having) != 1:
            return None
        owners.add(having[0])
    return owners.pop() if len(owners) == 1 else None


def _param_taken(target: TablePlan, params: Params) -> bool:
    names = {k for batch in target.batches for k, _ in batch}
    return any(k in names and k != "ids[]" for k, _ in params) or \
        (any(k == "ids[]" for k, _ in params) and "ids[]" in names)


def _add(target: TablePlan, params: Params) -> None:
    ids = [v for k, v in params if k == "ids[]"]
    others = [(k, v) for k, v in params if k != "ids[]"]
    base = target.batches[0] + others
    if ids:
        target.batches = [base + [("ids[]", v) for v in ids[i:i + IDS_PER_REQUEST]]
                          for i in range(0, len(ids), IDS_PER_REQUEST)]
    else:
        target.batches = [batch + others for batch in target.batches]


# ---- one conjunct to API parameters ----------------------------------------------------------------

_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "="}
_OPS = {exp.EQ: "=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


def _translate(conjunct: exp.Expression, spec: TableSpec) -> tuple[Params, bool] | None:
    """(parameters, exact) for a conjunct the API can evaluate, else None."""
    condition = _condition(conjunct)
    if condition is None:
        return None
    column_name, op, values = condition
    column = spec.column(column_name)
    if column is None or not values or any(v is None for v in values):
        return None
    for candidate in spec.filters:
        if candidate.column.lower() == column.name.lower() and op in candidate.ops:
            translated = _apply(candidate, op, values, column.type)
            if translated is not None:
                return translated
    return None


def _condition(node: exp.Expression) -> tuple[str, str, list[Any]] | None:
    for kind, op in _OPS.items():
        if isinstance(node, kind):
            left, right = node.this, node.expression
            if isinstance(left, exp.Column) and _is_literal(right):
                return left.name, op, [_value(right)]
            if isinstance(right, exp.Column) and _is_literal(left):
                return right.name, _FLIP[op], [_value(left)]
            return None
    if isinstance(node, exp.In) and isinstance(node.this, exp.Column) and not node.args.get("query") \
            and node.expressions and all(_is_literal(e) for e in node.expressions):
        return node.this.name, "in", [_value(e) for e in node.expressions]
    if isinstance(node, exp.Like) and isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Literal) \
            and node.expression.is_string:
        return node.this.name, "like", [node.expression.this]
    return None


def _is_literal(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) or (isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal))


def _value(node: exp.Expression) -> Any:
    if isinstance(node, exp.Neg):
        return -float(node.this.this)
    return node.this if node.is_string else float(node.this)


_PATTERN = re.compile(r"^(%?)([^%_]+)(%?)$")


def _apply(f: Filter, op: str, values: list[Any], column_type: str) -> tuple[Params, bool] | None:
    kind = f.kind
    if kind == "ids":
        ids = [_int(v) for v in values]
        return (None if any(i is None for i in ids) else ([("ids[]", str(i)) for i in dict.fromkeys(ids)], True))
    value = values[0]
    if kind == "eq":
        if column_type == "int":
            number = _int(value)
            return None if number is None else ([(f.param, str(number))], True)
        # Text equality at the API ignores case: a superset of SQL's case-sensitive match.
        return [(f.param, str(value))], False
    if kind in ("like", "prefix"):
        match = _PATTERN.match(str(value))
        if match is None or (kind == "prefix" and (match.group(1) or not match.group(3))):
            return None
        return [(f.param, match.group(2))], False
    if kind in ("gt_int", "lt_int"):
        number = _int(value)
        if number is None:
            return None
        bound = number - 1 if op == ">=" else number + 1 if op == "<=" else number
        return [(f.param, str(bound))], True
    if kind in ("after", "before"):
        moment = _timestamp(value)
        if moment is None:
            return None
        # The API reads a date in the account's own zone (UTC-12..UTC+14): widen so none is missed.
        day = (moment - timedelta(days=1)) if kind == "after" else (moment + timedelta(days=2))
        return [(f.param, day.strftime("%Y-%m-%d"))], False
    if kind in ("min_dollars", "max_dollars"):
        try:
            cents = float(value)
        except (TypeError, ValueError):
            return None
        dollars = math.floor(cents / 100) if kind == "min_dollars" else math.ceil(cents / 100)
        return [(f.param, str(dollars))], False
    return None


def _int(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _timestamp(value: Any) -> pd.Timestamp | None:
    if not isinstance(value, str):
        return None
    try:
        moment = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if pd.isna(moment):
        return None
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


# ---- LIMIT, ORDER BY and count(*) ------------------------------------------------------------------

def _push_count_or_limit(select: exp.Select, target: TablePlan, result: QueryPlan) -> None:
    grouped = any(select.args.get(k) for k in ("group", "having", "distinct", "qualify")) or \
        select.find(exp.Window) is not None
    projections = select.expressions
    if len(projections) == 1 and not grouped and not select.args.get("limit") and not select.args.get("offset"):
        only = projections[0].unalias()
        if isinstance(only, exp.Count) and isinstance(only.this, exp.Star) and not only.args.get("distinct") \
                and len(target.batches) == 1:
            target.count_only = True
            result.count_alias = projections[0].alias_or_name if isinstance(projections[0], exp.Alias) \
                else "count_star()"
            return
    if grouped or any(p.find(exp.AggFunc) is not None for p in projections):
        return
    limit = _literal_int(select.args.get("limit"))
    offset = _literal_int(select.args.get("offset")) if select.args.get("offset") else 0
    if limit is None or offset is None:
        return
    orders: Params = []
    order = select.args.get("order")
    for ordered in (order.expressions if order is not None else []):
        column = ordered.this
        spec_column = target.spec.column(column.name) if isinstance(column, exp.Column) else None
        field_name = target.spec.sortable.get(spec_column.name) if spec_column else None
        # Text sorts differ (the API ignores case), so only numbers and timestamps are pushed.
        if spec_column is None or field_name is None or spec_column.type in ("text", "json"):
            return
        orders.append((f"orders[{field_name}]", "DESC" if ordered.args.get("desc") else "ASC"))
    target.orders = orders
    target.limit = limit + offset


def _literal_int(node: exp.Expression | None) -> int | None:
    if node is None:
        return None
    value = node.expression if isinstance(node, (exp.Limit, exp.Offset)) else node
    if isinstance(value, exp.Literal) and not value.is_string:
        return _int(value.this)
    return None
