"""What a table is: data, not code. Columns with types, the endpoint, filters, sort columns, writes."""
from __future__ import annotations

from dataclasses import dataclass, field

# Column types: how the API's JSON becomes a typed DataFrame column.
#   int    Int64 (ids, foreign keys, counters, money in cents: the API sends them as strings)
#   float  float64 (decimals)
#   ts     tz-aware UTC timestamp (ISO 8601 with the account's offset)
#   lts    naive timestamp: "YYYY-MM-DD HH:MM:SS" local wall time as the API gives it, zone unknown
#   bool   nullable boolean (flags sent as "0"/"1" or true/false)
#   json   nested values as JSON text
#   text   string
COLUMN_TYPES = ("int", "float", "ts", "lts", "bool", "json", "text")
SQL_TYPES = {"int": "BIGINT", "float": "DOUBLE", "ts": "TIMESTAMP WITH TIME ZONE", "lts": "TIMESTAMP",
             "bool": "BOOLEAN", "json": "VARCHAR", "text": "VARCHAR"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


# How a SQL condition becomes an API parameter, and the operators each kind serves.
#   eq        col = v                      param=v
#   ids       col = v, col in (...)        ids[]=v&ids[]=w (batches of 100)
#   like      col like '%x%' (or 'x%')     param=x ("contains", case-insensitive)
#   prefix    col like 'x%'                param=x ("starts with")
#   gt_int    col > n, col >= n            param=n / n-1 (exclusive lower bound)
#   lt_int    col < n, col <= n            param=n / n+1 (exclusive upper bound)
#   after     col >= t, col > t            param=<date before t>   (dates widened by the account's zone)
#   before    col < t, col <= t            param=<date after t>
#   min_dollars / max_dollars              a cents column bounded by whole dollars (rounded outward)
FILTER_OPS: dict[str, tuple[str, ...]] = {
    "eq": ("=",), "ids": ("=", "in"), "like": ("like",), "prefix": ("like",), "gt_int": (">", ">="),
    "lt_int": ("<", "<="), "after": (">=", ">"), "before": ("<", "<="), "min_dollars": (">=", ">"),
    "max_dollars": ("<=", "<"),
}


@dataclass(frozen=True)
class Filter:
    """A WHERE condition on `column` that the API can evaluate through query parameter `param`."""

    column: str
    param: str
    kind: str = "eq"

    @property
    def ops(self) -> tuple[str, ...]:
        return FILTER_OPS[self.kind]


@dataclass(frozen=True)
class JoinFilter:
    """A condition on an association table that restricts this table through an inner join.

    `Contacts c join ContactTags ct on ct.contact = c.id where ct.tag = 5` also sends tagid=5 for Contacts:
    `JoinFilter("ContactTags", "contact", "tag", "tagid")`.
    """

    table: str
    key: str  # the association table's column that equals this table's primary key
    column: str
    param: str


@dataclass(frozen=True)
class Parameter:
    """A table-function parameter: `Contacts(listid => 3)` sends listid=3 to the API."""

    name: str
    api_param: str
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str  # PascalCase plural, e.g. "Contacts"
    path: str  # the resource path below /api/3, e.g. "contacts"
    description: str
    columns: tuple[Column, ...]
    list_key: str = ""  # the list envelope key; defaults to the path
    single_key: str = ""  # the single envelope key
    primary_key: tuple[str, ...] = ("id",)
    filters: tuple[Filter, ...] = ()
    sortable: dict[str, str] = field(default_factory=dict)  # column -> orders[...] field
    list_params: dict[str, str] = field(default_factory=dict)  # sent with every list request
    total_is_int: bool = False  # `meta.total` arrives as a number on this endpoint
    operations: frozenset[str] = frozenset({"select"})
    parameters: tuple[Parameter, ...] = ()  # table-function parameters beyond those of the filters
    virtual: bool = False  # built in the session (DataDictionary), never fetched from the API
    required: tuple[str, ...] = ()  # columns an insert must give
    writable: tuple[str, ...] = ()  # columns insert and update may set
    update_by_post: tuple[str, ...] = ()  # updated by POSTing these key columns with the change (an upsert)
    join_filters: tuple[JoinFilter, ...] = ()  # equality filters that reach this table through an inner join

    def parameter_list(self) -> list[Parameter]:
        """Every table-function parameter: the declared ones, then one per filter parameter."""
        found = {p.name.lower(): p for p in self.parameters}
        for f in self.filters:
            name = f.param[len("filters["):-1] if f.param.startswith("filters[") else f.param.rstrip("[]")
            found.setdefault(name.lower(), Parameter(name, f.param, f"filter on {f.column} ({f.kind})"))
        return list(found.values())

    @property
    def envelope(self) -> str:
        return self.list_key or self.path

    def column(self, name: str) -> Column | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def columns(text: str) -> tuple[Column, ...]:
    """Columns from a compact notation: `id:int email cdate:ts` (type defaults to text)."""
    result = []
    for token in text.split():
        name, _, kind = token.partition(":")
        kind = kind or "text"
        if kind not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {kind!r} for {name}")
        result.append(Column(name, kind))
    names = [c.name.lower() for c in result]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate column in {text!r}")
    return tuple(result)
