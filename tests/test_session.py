"""Session.sql over the sandbox: every table equals the raw API, SQL answers equal DuckDB over raw JSON."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from acn_magic import AcnError, Session, catalog, connect
from acn_magic.errors import AuthenticationError, SqlError, UnknownColumn, UnknownTable, UnsupportedProvider
from acn_magic.sandbox import Sandbox
from tests.conftest import CANARY_KEY, FAST, Api

DTYPES = {"int": "Int64", "float": "float64", "ts": "datetime64[us, UTC]", "lts": "datetime64[us]",
          "bool": "boolean", "json": "string", "text": "string"}


def expected_value(kind: str, raw: Any) -> Any:
    """The typed value a raw API value should become (an independent statement of the rules)."""
    if raw is None:
        return None
    if kind == "int":
        return None if raw == "" else int(float(raw))
    if kind == "float":
        return None if raw == "" else float(raw)
    if kind == "ts":
        return None if raw == "" else pd.Timestamp(raw).tz_convert("UTC")
    if kind == "lts":
        return None if raw == "" else pd.Timestamp(raw)
    if kind == "bool":
        return {"1": True, "0": False, "": False, True: True, False: False}[raw]
    if kind == "json":
        return json.dumps(raw, ensure_ascii=False)
    return raw if isinstance(raw, str) else str(raw)


def normalise(value: Any) -> Any:
    return None if value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) else value


@pytest.mark.parametrize("spec", catalog.TABLES, ids=lambda s: s.name)
def test_select_star_equals_the_raw_api(session: Session, api: Api, spec: catalog.TableSpec) -> None:
    raw = api.all_rows(f"/{spec.path}", spec.envelope, **spec.list_params)
    frame = session.sql(f"select * from {spec.name}")
    assert list(frame.columns) == spec.column_names()
    assert len(frame) == len(raw) > 0
    assert sorted(frame["id"].tolist()) == sorted(int(r["id"]) for r in raw)
    for column in spec.columns:
        assert str(frame[column.name].dtype) == DTYPES[column.type], (spec.name, column.name)
    by_id = {int(r["id"]): r for r in raw}
    for record in frame.to_dict("records"):
        source = by_id[record["id"]]
        for column in spec.columns:
            got = normalise(record[column.name])
            want = expected_value(column.type, source.get(column.name))
            assert got == want, (spec.name, record["id"], column.name, got, want)


def test_request_count_is_one_per_page(session: Session, api: Api) -> None:
    before = len(session.iolog)
    session.sql("select /*+ http_memory_cache(false, false) */ id from Contacts")
    total = int(api.get("/contacts", limit=1).json()["meta"]["total"])
    ios = session.iolog.rows()[before:]
    assert len(ios) == -(-total // 100) and not any(io.from_cache for io in ios)
    assert all("limit=100" in io.url for io in ios)


@pytest.fixture(scope="module")
def raw_duckdb(api: Api) -> duckdb.DuckDBPyConnection:
    """The raw JSON rows, untouched, in a DuckDB of their own."""
    con = duckdb.connect()
    for name in ("contacts", "contactTags", "tags", "deals", "dealStages", "dealGroups", "contactLists", "lists"):
        rows = [{k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in r.items()}
                for r in api.all_rows(f"/{name}", name)]
        con.register(f"raw_{name}", pd.DataFrame(rows))
    return con


QUERIES = [
    # (acn_magic SQL, the same question over the raw JSON)
    ("select t.tag, count(*) as n from Tags t join ContactTags ct on ct.tag = t.id group by t.tag order by n desc, t.tag",
     "select t.tag, count(*) as n from raw_tags t join raw_contactTags ct on ct.tag = t.id group by t.tag "
     "order by n desc, t.tag"),
    ("select g.title, s.title as stage, count(*) as deals, sum(d.value) as total from Deals d "
     "join DealStages s on s.id = d.stage join DealGroups g on g.id = d.\"group\" group by 1, 2 having count(*) > 2 "
     "order by 1, 2",
     "select g.title, s.title as stage, count(*) as deals, sum(cast(d.value as bigint)) as total from raw_deals d "
     "join raw_dealStages s on s.id = d.stage join raw_dealGroups g on g.id = d.\"group\" group by 1, 2 "
     "having count(*) > 2 order by 1, 2"),
    ("select id, email, row_number() over (partition by substr(email, 1, 1) order by id) as rn from Contacts "
     "qualify rn <= 2 order by id",
     "select cast(id as bigint) as id, email, row_number() over (partition by substr(email, 1, 1) "
     "order by cast(id as bigint)) as rn from raw_contacts qualify rn <= 2 order by id"),
    ("with active as (select contact from ContactLists where status = 1) "
     "select l.name, count(*) from ContactLists cl join Lists l on l.id = cl.list "
     "where cl.contact in (select contact from active) group by l.name order by l.name",
     "with active as (select contact from raw_contactLists where status = '1') "
     "select l.name, count(*) from raw_contactLists cl join raw_lists l on l.id = cl.list "
     "where cl.contact in (select contact from active) group by l.name order by l.name"),
    ("select email from Contacts where id < 5 union all select tag from Tags where id < 3 order by 1",
     "select email from raw_contacts where cast(id as int) < 5 union all select tag from raw_tags "
     "where cast(id as int) < 3 order by 1"),
    ("select id, lastName from Contacts order by lastName, id limit 5 offset 10",
     "select cast(id as bigint), lastName from raw_contacts order by lastName, cast(id as bigint) limit 5 offset 10"),
]


@pytest.mark.parametrize(("ours", "raw"), QUERIES)
def test_sql_answers_equal_duckdb_over_raw_json(session: Session, raw_duckdb: duckdb.DuckDBPyConnection,
                                                ours: str, raw: str) -> None:
    got = session.sql(ours)
    want = raw_duckdb.sql(raw).df()
    assert len(got) == len(want) > 0
    assert [[normalise(v) for v in row] for row in got.astype(object).values.tolist()] == \
        [[normalise(v) for v in row] for row in want.astype(object).values.tolist()]


def test_top_and_names_in_every_form(session: Session) -> None:
    plain = session.sql("select id from Contacts order by id limit 3")["id"].tolist()
    assert plain == [1, 2, 3]
    for form in ("ActiveCampaign.V3.Contacts@acn", "V3.Contacts@acn", "Contacts@acn", "contacts", "Contacts@ACN"):
        assert session.sql(f"select top 3 id from {form} order by id")["id"].tolist() == plain, form
    assert session.sql("select Contacts.id from Contacts order by 1 limit 1")["id"].tolist() == [1]


def test_text_comparison_is_case_sensitive(session: Session) -> None:
    email = session.sql("select email from Contacts where id = 1")["email"][0]
    assert len(session.sql("select id from Contacts where email = :e", {"e": email})) == 1
    assert len(session.sql("select id from Contacts where email = :e", {"e": email.upper()})) == 0


def test_parameters_are_bound_as_literals(session: Session) -> None:
    frame = session.sql("select count(*) as n from Contacts where lastName = :name", {"name": "O'Brien"})
    expected = session.sql("select count(*) as n from Contacts where lastName = 'O''Brien'")
    assert frame["n"][0] == expected["n"][0] > 0
    assert session.sql("select :x as x, ':not_a_param' as y", {"x": "a'; drop table x; --"}).iloc[0].tolist() == \
        ["a'; drop table x; --", ":not_a_param"]
    with pytest.raises(SqlError, match='No value for parameter ":missing"'):
        session.sql("select 1 where 1 = :missing", {"other": 1})


def test_cross_container_query(session: Session, sandbox: Sandbox) -> None:
    totals = [int(Api(a.api_url, a.api_key).get("/contacts").json()["meta"]["total"]) for a in sandbox.accounts]
    frame = session.sql("select (select count(*) from Contacts@acn) as a, (select count(*) from Contacts@acn2) as b")
    assert frame.iloc[0].tolist() == totals
    both = session.sql("select 'acn' as src, email from Contacts@acn union all select 'acn2', email from Contacts@acn2")
    assert both.groupby("src").size().tolist() == totals


def test_empty_table_keeps_columns_and_dtypes(fresh_session: Session, fresh_api: Api) -> None:
    for hook in fresh_api.get("/webhooks").json()["webhooks"]:
        fresh_api.delete(f"/webhooks/{hook['id']}")
    frame = fresh_session.sql("select * from Webhooks")
    spec = catalog.lookup("Webhooks")
    assert len(frame) == 0 and list(frame.columns) == spec.column_names()
    assert {c: str(t) for c, t in frame.dtypes.items()} == {c.name: DTYPES[c.type] for c in spec.columns}


def test_statements_run_in_order_and_stop_at_the_first_error(session: Session) -> None:
    results = session.execute("select 1 as a;\n-- a comment only;\nselect 2 as b; ;")
    assert [r.frame.columns[0] for r in results] == ["a", "b"]
    with pytest.raises(UnknownColumn) as err:
        session.execute("select 1;\nselect\n  nope\nfrom Contacts;\nselect 3")
    assert err.value.statement == 2 and (err.value.line, err.value.column) == (3, 3)
    assert "(statement 2; line 3, column 3)" in str(err.value)


@pytest.mark.parametrize(("sql", "error", "words"), [
    ("select * from Contatcs", UnknownTable, "Did you mean Contacts"),
    ("select emial from Contacts", UnknownColumn, "Did you mean email"),
    ("select * from Contacts@nope", UnknownTable, 'Unknown data container "@nope"'),
    ("select * from", SqlError, "Syntax error"),
    ("select 'unclosed from Contacts", SqlError, "unclosed quote"),
    ("create table x as select 1", SqlError, '"create" statements are not supported'),
    ("select * from Contacts c join Tags t on c.id = t.nope", UnknownColumn, 'Unknown column "nope"'),
])
def test_sql_errors_are_clear(session: Session, sql: str, error: type, words: str) -> None:
    with pytest.raises(error) as err:
        session.sql(sql)
    assert words in str(err.value) and "statement 1" in str(err.value)


def test_other_providers_load_but_cannot_be_queried(sandbox: Sandbox, tmp_path: Path) -> None:
    text = sandbox.settings_xml(FAST).replace(
        "    </connection>",
        '      <database alias="pg" provider="PostgreSql" connectionString="Server=localhost"/>\n    </connection>')
    path = tmp_path / "settings.xml"
    path.write_text(text)
    path.chmod(0o600)
    with connect(settings=path, quiet=True) as s:
        assert len(s.sql("select * from Tags@acn")) > 0
        with pytest.raises(UnsupportedProvider, match='provider "PostgreSql", which acn_magic does not support'):
            s.sql("select * from Contacts@pg")


def test_refused_key_is_a_clear_error_without_the_key(sandbox: Sandbox, tmp_path: Path) -> None:
    bad_key = "WRONGKEY" + "9" * 64
    text = sandbox.settings_xml(FAST).replace(CANARY_KEY, bad_key)
    path = tmp_path / "settings.xml"
    path.write_text(text)
    path.chmod(0o600)
    with connect(settings=path, quiet=True) as s:
        with pytest.raises(AuthenticationError) as err:
            s.sql("select * from Tags")
        message = str(err.value)
        assert "The API key was refused for" in message and sandbox.accounts[0].api_url in message
        assert bad_key not in message and bad_key not in repr(s) and all(bad_key not in io.url for io in s.iolog.rows())


def test_sandbox_is_the_default_without_settings(capsys: pytest.CaptureFixture[str]) -> None:
    with connect() as s:
        assert s.sql("select count(*) as n from Contacts")["n"][0] > 0
    assert "embedded ActiveCampaign sandbox (demo data" in capsys.readouterr().err
    with pytest.raises(AcnError, match='no connection "prod"'):
        connect("prod")


@pytest.mark.parametrize(("attribute", "words"), [("max-retries=abc", 'Invalid value "abc" for driver attribute max-retries'),
                                                 ("max-requests-per-second=0", "expected a number above 0"),
                                                 ("max-retry=3", "Did you mean max-retries")])
def test_bad_driver_attributes_are_refused_with_the_valid_names(sandbox: Sandbox, tmp_path: Path, attribute: str,
                                                                words: str) -> None:
    path = tmp_path / "settings.xml"
    path.write_text(sandbox.settings_xml().replace(";api-key=", f";{attribute};api-key=", 1))
    path.chmod(0o600)
    with pytest.raises(AcnError) as err:
        connect(settings=path, quiet=True)
    assert words in str(err.value) and 'data container "acn"' in str(err.value) and "line 5" in str(err.value)
    assert "Valid attributes:" in str(err.value) or "expected a" in str(err.value)
    assert "int()" not in str(err.value)
