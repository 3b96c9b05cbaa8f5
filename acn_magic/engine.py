"""The in-process DuckDB where fetched rows become tables and the user's SQL runs."""
from __future__ import annotations

import re
import threading

import duckdb
import pandas as pd

from acn_magic.errors import SqlError, UnknownColumn, did_you_mean
from acn_magic.query import locate

_MISSING_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')
_CANDIDATES = re.compile(r'Candidate bindings: (.*)')
_TABLE_COLUMN = re.compile(r'(?:Table|Values list) "([^"]+)" does not have a column named "([^"]+)"')


class Engine:
    def __init__(self) -> None:
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET TimeZone = 'UTC'")
        self._lock = threading.Lock()

    def register(self, name: str, frame: pd.DataFrame) -> None:
        with self._lock:
            self._con.register(name, frame)

    def unregister(self, name: str) -> None:
        with self._lock:
            self._con.unregister(name)

    def run(self, sql: str, original: str) -> pd.DataFrame:
        """Run generated SQL; errors are explained in terms of the user's own statement text."""
        with self._lock:
            try:
                relation = self._con.sql(sql)
                if relation is None:
                    return pd.DataFrame()
                return typed(relation.df(), [str(t) for t in relation.types])
            except duckdb.Error as exc:
                raise translate(exc, original) from None

    def close(self) -> None:
        with self._lock:
            self._con.close()


# DuckDB column types to the pandas dtypes the catalog promises (nullable ints and booleans,
# tz-aware timestamps, strings), also for empty results.
_DTYPES = {"BIGINT": "Int64", "INTEGER": "Int64", "SMALLINT": "Int64", "TINYINT": "Int64", "HUGEINT": "Int64",
           "UBIGINT": "Int64", "UINTEGER": "Int64", "BOOLEAN": "boolean", "DOUBLE": "float64", "FLOAT": "float64",
           "VARCHAR": "string", "TIMESTAMP WITH TIME ZONE": "datetime64[us, UTC]", "TIMESTAMP": "datetime64[us]"}


def typed(frame: pd.DataFrame, sql_types: list[str]) -> pd.DataFrame:
    for position, sql_type in enumerate(sql_types):
        wanted = _DTYPES.get(sql_type)
        column = frame.iloc[:, position]
        if wanted is not None and str(column.dtype) != wanted:
            try:
                frame.isetitem(position, column.astype(wanted))
            except (TypeError, ValueError, OverflowError):
                pass  # keep DuckDB's own conversion when pandas cannot hold the values in the promised dtype
    return frame


def translate(exc: duckdb.Error, original: str) -> SqlError:
    message = str(exc)
    missing = _MISSING_COLUMN.search(message) or _TABLE_COLUMN.search(message)
    if missing:
        name = missing.group(missing.lastindex or 1)
        candidates = _CANDIDATES.search(message)
        options = [c.strip().strip('"').split(".")[-1].strip('"') for c in candidates.group(1).split(",")] \
            if candidates else []
        line, column = locate(original, name)
        return UnknownColumn(f'Unknown column "{name}".{did_you_mean(name, options)}', line=line, column=column)
    first = message.split("\n", 1)[0]
    first = re.sub(r'"\w+__(\w+)"', r"\1", first)  # show table names as the user wrote them
    return SqlError(first.rstrip(".") + ".")
