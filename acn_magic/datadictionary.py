"""The DataDictionary data container: the session's own tables, built locally without API requests.

`SessionIOs` (every request attempt), `SystemTables`, `SystemTableColumns`, `SystemTableParameters`,
`SystemDataContainers` and `SystemSessionStatements`, in Invantive's UPPER_SNAKE style.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from acn_magic import catalog, frames
from acn_magic.catalog import TableSpec
from acn_magic.catalog.spec import columns
from acn_magic.errors import UnknownTable, did_you_mean
from acn_magic.iolog import IO_COLUMNS, SessionIO

ALIAS = "DataDictionary"


def _virtual(name: str, description: str, cols: str) -> TableSpec:
    return TableSpec(name, "", description, columns(cols), primary_key=(), virtual=True)


TABLES: tuple[TableSpec, ...] = (
    _virtual("SessionIOs", "One row per API request attempt in this session, newest last.",
             "ID:int STATEMENT_ID:int SQL_TEXT PROVIDER_DATA_CONTAINER_ALIAS TABLE_NAME HTTP_METHOD URL "
             "HTTP_STATUS_CODE:int START_UTC:ts END_UTC:ts DURATION_MS:float BYTES_SENT:int BYTES_RECEIVED:int "
             "ROWS_RETRIEVED:int FROM_CACHE:bool RETRY_COUNT:int WAITED_FOR_RATE_LIMIT_MS:float ERROR_MESSAGE"),
    _virtual("SystemTables", "Every table of every data container.",
             "CATALOG SCHEMA NAME FULL_NAME PROVIDER_DATA_CONTAINER_ALIAS DESCRIPTION ENDPOINT PRIMARY_KEY "
             "CAN_SELECT:bool CAN_INSERT:bool CAN_UPDATE:bool CAN_DELETE:bool COLUMN_COUNT:int"),
    _virtual("SystemTableColumns", "Every column of every table, with the filters the API evaluates.",
             "CATALOG SCHEMA TABLE_NAME PROVIDER_DATA_CONTAINER_ALIAS COLUMN_NAME POSITION:int DATA_TYPE "
             "IS_PRIMARY_KEY:bool CAN_FILTER_SERVER_SIDE:bool FILTER_OPERATORS FILTER_PARAMETERS SORTABLE:bool"),
    _virtual("SystemTableParameters", "The parameters of each table used as a table function.",
             "TABLE_NAME POSITION:int PARAMETER_NAME API_PARAMETER DESCRIPTION"),
    _virtual("SystemDataContainers", "The data containers of this connection (API host without key).",
             "ALIAS PROVIDER CONNECTION_NAME API_HOST SETTINGS_FILE SETTINGS_LINE:int ATTRIBUTES"),
    _virtual("SystemSessionStatements", "Each statement run in this session.",
             "ID:int STATEMENT_TEXT KIND START_UTC:ts DURATION_MS:float ROWS_RETURNED:int REQUESTS:int "
             "ERROR_MESSAGE"),
)
_BY_LOWER = {t.name.lower(): t for t in TABLES}


def lookup(name: str) -> TableSpec:
    spec = _BY_LOWER.get(name.lower())
    if spec is None:
        raise UnknownTable(f'Unknown DataDictionary table "{name}".{did_you_mean(name, _BY_LOWER)} '
                           f"It has: {', '.join(t.name for t in TABLES)}.")
    return spec


@dataclass
class StatementLog:
    id: int
    statement_text: str
    kind: str
    start_utc: datetime
    duration_ms: float | None = None
    rows_returned: int | None = None
    requests: int | None = None
    error_message: str | None = None


@dataclass
class ContainerInfo:
    alias: str
    provider: str
    connection: str
    api_url: str
    file: str
    line: int
    attributes: dict[str, Any]


def build(spec: TableSpec, ios: list[SessionIO], statements: list[StatementLog],
          containers: list[ContainerInfo]) -> pd.DataFrame:
    """The rows of a DataDictionary table, typed like any other table."""
    rows: Iterable[dict[str, Any]]
    if spec.name == "SessionIOs":
        rows = ({name.upper(): getattr(io, name) for name in IO_COLUMNS} for io in ios)
    elif spec.name == "SystemSessionStatements":
        rows = ({k.upper(): v for k, v in vars(s).items()} for s in statements)
    elif spec.name == "SystemDataContainers":
        rows = ({"ALIAS": c.alias, "PROVIDER": c.provider, "CONNECTION_NAME": c.connection,
                 "API_HOST": urlsplit(c.api_url).netloc or None, "SETTINGS_FILE": c.file, "SETTINGS_LINE": c.line,
                 "ATTRIBUTES": ";".join(f"{k}={_text(v)}" for k, v in sorted(c.attributes.items()))}
                for c in containers)
    else:
        rows = _catalog_rows(spec.name, [c.alias for c in containers if c.provider.lower() == "activecampaign"])
    return frames.to_frame(spec, [_plain(r) for r in rows])


def _catalog_rows(name: str, aliases: list[str]) -> list[dict[str, Any]]:
    tables = [(alias, t, catalog.CATALOG_NAME, catalog.SCHEMA_NAME) for alias in aliases for t in catalog.TABLES]
    tables += [(ALIAS, t, ALIAS, "Session") for t in TABLES]
    if name == "SystemTables":
        return [{"CATALOG": cat, "SCHEMA": schema, "NAME": t.name, "FULL_NAME": f"{cat}.{schema}.{t.name}@{alias}",
                 "PROVIDER_DATA_CONTAINER_ALIAS": alias, "DESCRIPTION": t.description,
                 "ENDPOINT": f"/api/3/{t.path}" if t.path else None, "PRIMARY_KEY": ", ".join(t.primary_key) or None,
                 "CAN_SELECT": True, "CAN_INSERT": "insert" in t.operations, "CAN_UPDATE": "update" in t.operations,
                 "CAN_DELETE": "delete" in t.operations, "COLUMN_COUNT": len(t.columns)}
                for alias, t, cat, schema in tables]
    if name == "SystemTableColumns":
        rows = []
        for alias, t, cat, schema in tables:
            for position, column in enumerate(t.columns, start=1):
                filters = [f for f in t.filters if f.column == column.name]
                rows.append({"CATALOG": cat, "SCHEMA": schema, "TABLE_NAME": t.name,
                             "PROVIDER_DATA_CONTAINER_ALIAS": alias, "COLUMN_NAME": column.name, "POSITION": position,
                             "DATA_TYPE": column.sql_type, "IS_PRIMARY_KEY": column.name in t.primary_key,
                             "CAN_FILTER_SERVER_SIDE": bool(filters),
                             "FILTER_OPERATORS": ", ".join(dict.fromkeys(op for f in filters for op in f.ops)) or None,
                             "FILTER_PARAMETERS": ", ".join(f.param for f in filters) or None,
                             "SORTABLE": column.name in t.sortable})
        return rows
    return [{"TABLE_NAME": t.name, "POSITION": position, "PARAMETER_NAME": p.name, "API_PARAMETER": p.api_param,
             "DESCRIPTION": p.description}
            for t in catalog.TABLES for position, p in enumerate(t.parameter_list(), start=1)]


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Datetimes as ISO text, which the typed frame conversion reads back."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
