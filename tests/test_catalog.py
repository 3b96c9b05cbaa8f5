"""The catalog: at least 35 tables, PascalCase names, typed columns, keys, and helpful lookups."""
from __future__ import annotations

import re

import pytest

from acn_magic import catalog
from acn_magic.catalog.spec import COLUMN_TYPES
from acn_magic.errors import UnknownTable


def test_enough_tables_with_pascal_case_plural_names() -> None:
    names = catalog.table_names()
    assert len(names) >= 35 and len(set(names)) == len(names)
    assert all(re.fullmatch(r"(?:[A-Z][a-z]+)+", n) for n in names), names


def test_every_table_is_well_formed() -> None:
    for spec in catalog.TABLES:
        assert spec.description and spec.columns, spec.name
        assert all(c.type in COLUMN_TYPES for c in spec.columns)
        assert all(spec.column(k) is not None for k in spec.primary_key), spec.name
        assert spec.column("id") is not None and spec.column("id").type == "int"  # type: ignore[union-attr]
        assert spec.column("links") is None
        for f in spec.filters:
            assert spec.column(f.column) is not None, (spec.name, f.column)
        for column in spec.sortable:
            assert spec.column(column) is not None, (spec.name, column)


@pytest.mark.parametrize(("name", "cat", "schema"), [("Contacts", "", ""), ("contacts", "", "V3"),
                                                     ("CONTACTS", "ActiveCampaign", "V3")])
def test_lookup_with_qualifiers(name: str, cat: str, schema: str) -> None:
    assert catalog.lookup(name, cat, schema).name == "Contacts"


def test_lookup_errors_suggest_close_names() -> None:
    with pytest.raises(UnknownTable, match="Did you mean DealStages"):
        catalog.lookup("DealStage")
    with pytest.raises(UnknownTable, match='Unknown schema "V2"'):
        catalog.lookup("Contacts", "", "V2")
    with pytest.raises(UnknownTable, match='Unknown catalog "Exact"'):
        catalog.lookup("Contacts", "Exact", "V3")


def test_join_filters_name_real_tables_and_columns() -> None:
    declared = [(spec, f) for spec in catalog.TABLES for f in spec.join_filters]
    assert declared
    for spec, join_filter in declared:
        other = catalog.lookup(join_filter.table)
        assert other.column(join_filter.key) is not None and other.column(join_filter.column) is not None
        assert join_filter.param in {p.api_param for p in spec.parameter_list()}, (spec.name, join_filter.param)
