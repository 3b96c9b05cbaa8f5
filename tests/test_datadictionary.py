"""SessionIOs and the System* views, driver attributes with `set`, native logs, table functions, local statements."""
from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from acn_magic import Session, connect
from acn_magic.errors import AcnError, SqlError, TransportError
from acn_magic.sandbox import Sandbox
from tests.conftest import CANARY_KEY, FAST, Api


@pytest.fixture()
def small(tmp_path: Path) -> Iterator[tuple[Sandbox, Session]]:
    with Sandbox(contacts=450, rate=0, seed=12, api_keys=[CANARY_KEY]) as sb:
        with connect(settings=sb.write_settings(tmp_path / "s.xml", FAST), quiet=True) as s:
            s.show_progress = False
            yield sb, s


def _served(sb: Sandbox) -> list[tuple[str, str, int]]:
    return [(r.method, r.path + "?" + "&".join(f"{k}={v}" for k, vs in r.query.items() for v in vs), r.status)
            for r in sb.requests()]


def _logged(s: Session) -> list[tuple[str, str, int]]:
    frame = s.sql("select HTTP_METHOD, URL, HTTP_STATUS_CODE, FROM_CACHE from SessionIOs@DataDictionary order by ID")
    rows = []
    for method, url, status, cached in frame.itertuples(index=False):
        if cached:
            continue
        path, _, query = url.split("/api/3", 1)[1].partition("?")
        from urllib.parse import unquote_plus
        rows.append((method, path + "?" + unquote_plus(query), int(status)))
    return rows


def test_session_ios_match_what_the_sandbox_served(small: tuple[Sandbox, Session]) -> None:
    sb, s = small
    s.sql("select count(*) from Contacts where id > 10")
    s.sql("select c.email, t.tag from Contacts c join ContactTags ct on ct.contact = c.id join Tags t on t.id = ct.tag")
    s.sql("select * from Deals where stage = 2")
    assert sorted(_logged(s)) == sorted(_served(sb))
    assert all(r[2] == 200 for r in _served(sb))


def test_retries_and_429s_are_rows_of_their_own(small: tuple[Sandbox, Session]) -> None:
    sb, s = small
    sb.set_faults(0.3, ("503", "429"))
    s.sql("select /*+ http_memory_cache(false) */ id from Contacts")
    sb.set_faults(0)
    ios = s.sql("select HTTP_STATUS_CODE, RETRY_COUNT from SessionIOs@DataDictionary")
    assert set(ios["HTTP_STATUS_CODE"]) >= {200, 503} or set(ios["HTTP_STATUS_CODE"]) >= {200, 429}
    assert (ios["RETRY_COUNT"] > 0).any()
    assert sorted(_logged(s)) == sorted(_served(sb))


def test_cache_hits_are_logged_without_requests(small: tuple[Sandbox, Session]) -> None:
    sb, s = small
    s.sql("select * from Tags")
    before = len(sb.requests())
    s.sql("select * from Tags")
    assert len(sb.requests()) == before
    last = s.sql("select FROM_CACHE, ROWS_RETRIEVED, DURATION_MS from SessionIOs@DataDictionary "
                 "where STATEMENT_ID = (select max(STATEMENT_ID) from SessionIOs@DataDictionary)")
    assert last["FROM_CACHE"].tolist() == [True] and last["ROWS_RETRIEVED"].tolist() == [24]


def test_session_ios_is_queryable_and_costs_nothing(small: tuple[Sandbox, Session]) -> None:
    sb, s = small
    s.sql("select * from Contacts")
    before = len(sb.requests())
    summary = s.sql("select TABLE_NAME, count(*) as requests, sum(ROWS_RETRIEVED) as rows, sum(BYTES_RECEIVED) > 0 "
                    "as got_bytes from SessionIOs@DataDictionary group by TABLE_NAME")
    assert summary.to_dict("records") == [{"TABLE_NAME": "Contacts", "requests": 5, "rows": 450, "got_bytes": True}]
    joined = s.sql("select count(*) as n from SessionIOs@DataDictionary io "
                   "join SystemSessionStatements@DataDictionary st on st.ID = io.STATEMENT_ID")
    assert joined["n"][0] == 5
    assert len(sb.requests()) == before


def test_the_key_appears_in_no_row_or_view(small: tuple[Sandbox, Session]) -> None:
    _sb, s = small
    s.sql("select * from Contacts limit 3")
    with pytest.raises(AcnError):
        s.sql("select nope from Contacts")
    for view in ("SessionIOs", "SystemDataContainers", "SystemSessionStatements", "SystemTables"):
        text = s.sql(f"select * from {view}@DataDictionary").to_csv()
        assert CANARY_KEY not in text, view
    assert CANARY_KEY not in repr(s) and CANARY_KEY not in repr(s.containers)


def test_system_views(small: tuple[Sandbox, Session]) -> None:
    _sb, s = small
    tables = s.sql("select * from SystemTables@DataDictionary")
    assert len(tables) == 38 + 6
    contacts = tables[tables["NAME"] == "Contacts"].iloc[0]
    assert contacts["FULL_NAME"] == "ActiveCampaign.V3.Contacts@acn" and contacts["CAN_DELETE"]
    columns = s.sql("select COLUMN_NAME, DATA_TYPE, IS_PRIMARY_KEY, FILTER_OPERATORS, SORTABLE "
                    "from SystemTableColumns@DataDictionary where TABLE_NAME = 'Contacts' and CAN_FILTER_SERVER_SIDE "
                    "order by POSITION")
    assert columns["COLUMN_NAME"].tolist() == ["id", "email", "phone", "cdate", "udate"]
    assert columns.iloc[0].tolist() == ["id", "BIGINT", True, "=, in, >, >=, <, <=", True]
    containers = s.sql("select ALIAS, PROVIDER, API_HOST, ATTRIBUTES from SystemDataContainers@DataDictionary")
    assert containers["ALIAS"].tolist() == ["acn"] and "max-requests-per-second=1000.0" in containers["ATTRIBUTES"][0]
    params = s.sql("select PARAMETER_NAME from SystemTableParameters@DataDictionary where TABLE_NAME = 'Contacts'")
    assert {"listid", "tagid", "status", "segmentid"} <= set(params["PARAMETER_NAME"])


def test_statements_view_records_errors(small: tuple[Sandbox, Session]) -> None:
    _sb, s = small
    with pytest.raises(SqlError):
        s.sql("select 1 as ok; select nope from Contacts")
    log = s.sql("select ID, KIND, ROWS_RETURNED, ERROR_MESSAGE from SystemSessionStatements@DataDictionary order by ID")
    assert log["ROWS_RETURNED"].tolist()[:1] == [1]
    assert 'Unknown column "nope"' in log["ERROR_MESSAGE"][1]


def test_statement_summary(small: tuple[Sandbox, Session]) -> None:
    _sb, s = small
    result = s.execute("select * from Contacts where id < 120")[-1]
    assert result.summary().startswith("1 API request, 100 rows retrieved, 100 returned") or \
        result.summary().startswith("2 API requests, 119 rows retrieved, 119 returned")
    again = s.execute("select * from Contacts where id < 120")[-1]
    assert "from cache" in again.summary()


# ---- every driver attribute changes behaviour --------------------------------------------------------------

def test_max_requests_per_second(tmp_path: Path) -> None:
    with Sandbox(contacts=700, rate=2, seed=3) as sb:
        with connect(settings=sb.write_settings(tmp_path / "s.xml", {"max-retries": "20"}), quiet=True) as s:
            s.show_progress = False
            s.sql("set max-requests-per-second 2; set use-http-memory-cache false")
            s.sql("select id from Contacts")
            assert [r.status for r in sb.requests()].count(429) == 0
            s.sql("set max-requests-per-second 50")
            s.sql("select id from Contacts")
            assert [r.status for r in sb.requests()].count(429) > 0
            logged = s.sql("select count(*) as n from SessionIOs@DataDictionary where HTTP_STATUS_CODE = 429")
            assert logged["n"][0] == [r.status for r in sb.requests()].count(429)


def _max_overlap(sb: Sandbox) -> int:
    served = sb.requests()
    return max(sum(1 for o in served if o.started < r.ended and o.ended > r.started) for r in served)


def test_max_concurrent_requests(tmp_path: Path) -> None:
    with Sandbox(contacts=1000, rate=0, latency=0.05, seed=3) as sb:
        with connect(settings=sb.write_settings(tmp_path / "s.xml", {**FAST, "use-http-memory-cache": "false"}),
                     quiet=True) as s:
            s.show_progress = False
            s.sql("set max-concurrent-requests 1; select id from Contacts")
            assert _max_overlap(sb) == 1
            sb.clear_requests()
            s.sql("set max-concurrent-requests 6; select id from Contacts")
            assert _max_overlap(sb) >= 3


def test_timeout_and_retries(tmp_path: Path) -> None:
    with Sandbox(contacts=20, rate=0, seed=3) as sb:
        with connect(settings=sb.write_settings(tmp_path / "s.xml", {**FAST, "use-http-memory-cache": "false"}),
                     quiet=True) as s:
            sb.set_faults(1.0, ("slow",), slow_seconds=0.8)
            s.sql("set request-timeout-seconds 0.2; set max-retries 0")
            with pytest.raises(TransportError, match="no answer within the request timeout"):
                s.sql("select * from Tags")
            s.sql("set request-timeout-seconds 5")
            assert len(s.sql("select * from Tags")) == 24
            sb.set_faults(1.0, ("503",))
            with pytest.raises(TransportError, match="after 1 attempts"):
                s.sql("select * from Lists")
            s.sql("set max-retries 2")
            with pytest.raises(TransportError, match="after 3 attempts"):
                s.sql("select * from Lists")


def test_cache_attributes(small: tuple[Sandbox, Session]) -> None:
    sb, s = small
    s.sql("select * from Tags")
    count = len(sb.requests())
    s.sql("select * from Tags")
    assert len(sb.requests()) == count
    s.sql("set use-http-memory-cache false")
    s.sql("select * from Tags")
    assert len(sb.requests()) == count + 1
    s.sql("set use-http-memory-cache true; set http-memory-cache-seconds 0.05")
    s.sql("select * from Tags")
    time.sleep(0.1)  # let the cached answer age past its limit
    s.sql("select * from Tags")
    assert len(sb.requests()) == count + 3


def test_native_logs(small: tuple[Sandbox, Session], tmp_path: Path) -> None:
    sb, s = small
    folder = tmp_path / "native logs"
    s.sql(f"set native-log-folder '{folder}'; set log-native-calls-to-disk true")
    s.sql("select * from Contacts where id in (1, 2)")
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].name.startswith("acn-") and files[0].name.endswith("-acn.ndjson")
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    records = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert len(records) == 1
    record = records[0]
    assert {"Id", "DateRegisteredUtc", "StartUtc", "EndUtc", "Url", "HttpStatusCode", "ResponseBody"} <= set(record)
    assert record["RequestHeaders"]["Api-Token"] == "***redacted***"
    assert json.loads(record["ResponseBody"])["contacts"][0]["id"] == "1"
    assert CANARY_KEY not in files[0].read_text()
    s.sql("set log-native-calls-to-disk false; select * from Lists")
    assert len(files[0].read_text().splitlines()) == 1


def test_set_for_one_container_only(sandbox: Sandbox, tmp_path: Path) -> None:
    with connect(settings=sandbox.write_settings(tmp_path / "s.xml", FAST), quiet=True) as s:
        changed = s.sql("set max-retries@acn2 9")
        assert changed.to_dict("records") == [{"attribute": "max-retries", "data_container": "acn2", "value": "9"}]
        assert s.containers["acn2"].attributes["max-retries"] == 9 and s.containers["acn"].attributes["max-retries"] == 5
        with pytest.raises(AcnError, match='Unknown driver attribute "max-retry".*Did you mean max-retries'):
            s.sql("set max-retry 3")
        with pytest.raises(AcnError, match='Unknown data container "@nope"'):
            s.sql("set max-retries@nope 3")
        with pytest.raises(AcnError, match="@DataDictionary has no driver attributes"):
            s.sql("set max-retries@DataDictionary 3")


# ---- table functions and client-side statements ---------------------------------------------------------------

def test_table_functions(small: tuple[Sandbox, Session]) -> None:
    sb, s = small
    account = sb.accounts[0]
    api = Api(account.api_url, account.api_key)
    on_list = {int(c["id"]) for c in api.all_rows("/contacts", "contacts", listid=3)}
    for form in ("Contacts(listid => '3')@acn", "Contacts@acn(listid => 3)", "Contacts(3)", "Contacts(LISTID => 3) c"):
        assert set(s.sql(f"select id from {form}")["id"]) == on_list, form
    both = s.sql("select (select count(*) from Contacts(status => 2)) as unsubscribed, "
                 "(select count(*) from Contacts) as everyone")
    assert both["unsubscribed"][0] == int(api.get("/contacts", status=2).json()["meta"]["total"])
    assert both["everyone"][0] == 450
    with pytest.raises(SqlError, match='Contacts has no parameter "nope"'):
        s.sql("select * from Contacts(nope => 1)")
    with pytest.raises(SqlError, match="must be a constant"):
        s.sql("select * from Contacts(listid => 1 + 2)")


def test_local_define_remark_use_and_comments(small: tuple[Sandbox, Session]) -> None:
    _sb, s = small
    results = s.execute("""
        -- set-up
        local define TAG "4";
        local remark Contacts with the VIP tag;
        use all;
        use default;
        ;
        /* the query */ select count(*) as n from Contacts(tagid => ${TAG})
    """)
    assert [r.kind for r in results] == ["local", "local", "use", "use", "select"]
    assert results[1].frame["message"][0] == "Contacts with the VIP tag"
    assert results[-1].frame["n"][0] > 0
    with pytest.raises(SqlError, match=r"\$\{NOPE\} is not defined"):
        s.sql("select '${NOPE}'")
    with pytest.raises(SqlError, match="use all or use default"):
        s.sql("use somewhere")
    with pytest.raises(SqlError, match="Supported local statements"):
        s.sql("local frobnicate")
