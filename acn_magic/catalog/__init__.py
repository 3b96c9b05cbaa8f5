"""The ActiveCampaign catalog (`ActiveCampaign.V3.<Table>`): table specs and name resolution."""
from __future__ import annotations

from acn_magic.catalog.spec import Column, Filter, JoinFilter, TableSpec
from acn_magic.catalog.tables import TABLES
from acn_magic.errors import UnknownTable, did_you_mean

CATALOG_NAME = "ActiveCampaign"
SCHEMA_NAME = "V3"

__all__ = ["CATALOG_NAME", "SCHEMA_NAME", "Column", "Filter", "JoinFilter", "TableSpec", "TABLES", "lookup", "table_names"]

_BY_LOWER = {t.name.lower(): t for t in TABLES}


def table_names() -> list[str]:
    return [t.name for t in TABLES]


def lookup(name: str, catalog: str = "", schema: str = "") -> TableSpec:
    """The spec for a table name (case-insensitive), checking any catalog and schema qualifiers."""
    if catalog and catalog.lower() != CATALOG_NAME.lower():
        raise UnknownTable(f'Unknown catalog "{catalog}" in {catalog}.{schema}.{name}; ActiveCampaign tables live in '
                           f"{CATALOG_NAME}.{SCHEMA_NAME}.")
    if schema and schema.lower() != SCHEMA_NAME.lower():
        raise UnknownTable(f'Unknown schema "{schema}" in {schema}.{name}; ActiveCampaign tables live in schema '
                           f"{SCHEMA_NAME}.")
    spec = _BY_LOWER.get(name.lower())
    if spec is None:
        raise UnknownTable(f'Unknown table "{name}".{did_you_mean(name, table_names())} '
                           f"select * from SystemTables@DataDictionary lists every table.")
    return spec
