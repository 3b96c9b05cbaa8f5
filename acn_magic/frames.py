"""API rows to typed DataFrames, column by column as the table spec declares."""
from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from acn_magic.catalog import Column, TableSpec

_TRUE = {"1", "true", "yes"}
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_FALSE = {"0", "false", "no", ""}


def to_frame(spec: TableSpec, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame with exactly the spec's columns and dtypes (also when there are no rows)."""
    data = {c.name: convert(c, [row.get(c.name) for row in rows]) for c in spec.columns}
    return pd.DataFrame(data, columns=spec.column_names())


def convert(column: Column, values: list[Any]) -> pd.Series:
    kind = column.type
    if kind == "int":
        return pd.Series([_to_int(v) for v in values], dtype="Int64")
    if kind == "float":
        return pd.Series(pd.to_numeric(pd.Series([_blank_to_none(v) for v in values], dtype=object), errors="coerce"),
                         dtype="float64")
    if kind == "ts":
        cleaned = [_timestamp_text(v) for v in values]
        return pd.Series(pd.to_datetime(pd.Series(cleaned, dtype=object), utc=True, errors="coerce", format="ISO8601"),
                         dtype="datetime64[us, UTC]")
    if kind == "lts":
        # Wall-clock fields: keep the wall time whether or not the API added an offset.
        cleaned = [_OFFSET.sub("", t) if t else t for t in (_timestamp_text(v) for v in values)]
        return pd.Series(pd.to_datetime(pd.Series(cleaned, dtype=object), errors="coerce", format="ISO8601"),
                         dtype="datetime64[us]")
    if kind == "bool":
        return pd.Series([_to_bool(v) for v in values], dtype="boolean")
    if kind == "json":
        return pd.Series([None if v is None else json.dumps(v, ensure_ascii=False) for v in values], dtype="string")
    return pd.Series([None if v is None else v if isinstance(v, str) else
                      json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else str(v) for v in values],
                     dtype="string")


def _blank_to_none(value: Any) -> Any:
    return None if value is None or value == "" else value


def _to_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def _to_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _timestamp_text(value: Any) -> str | None:
    # Old accounts use all-zero dates for "no date".
    if not value or not isinstance(value, str) or value.startswith("0000-00-00"):
        return None
    return value
