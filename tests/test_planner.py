"""Pushdown: the exact requests and parameters each query sends, and answers equal to a full read."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from acn_magic import Session, connect
from acn_magic.errors import QueryCancelled
from acn_magic.sandbox import Sandbox

NO_CACHE = {"max-requests-per-second": "1000", "use-http-memory-cache": "false"}
MANY_IDS = ", ".join(str(i) for i in range(1, 151))


@pytest.fixture(scope="module")
def planner_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Session, Session]]:
    with Sandbox(contacts=1200, rate=0, seed=21) as sb:
        path = sb.write_settings(tmp_path_factory.mktemp("planner") / "settings.xml", NO_CACHE)
        with connect(settings=path, quiet=True) as pushed, connect(settings=path, quiet=True) as full:
            full.pushdown = False
            yield sb, pushed, full


# (sql, {path: number of requests}, parameters every request to that path must carry (None: must not carry))
CASES = [
    ("select * from Contacts where id = 5", {"/contacts": 1}, {"ids[]": ["5"], "limit": ["100"]}),
    ("select id from Contacts where id in (3, 7, 11)", {"/contacts": 1}, {"ids[]": ["3", "7", "11"]}),
    (f"select id from Contacts where id in ({MANY_IDS})", {"/contacts": 2}, {}),
    ("select id from Contacts where email = 'anna.smith5@example.com'", {"/contacts": 1},
     {"email": ["anna.smith5@example.com"]}),
    ("select id from Contacts where email like '%example.org'", {"/contacts": None}, {"email_like": ["example.org"]}),
    ("select id from Contacts where email like 'hana%'", {"/contacts": 1}, {"email_like": ["hana"]}),
    ("select id from Contacts where email like 'a_b%'", {"/contacts": 12}, {"email_like": None}),
    ("select id from Contacts where id > 1190", {"/contacts": 1}, {"id_greater": ["1190"]}),
    ("select id from Contacts where id >= 1190 and id <= 1195", {"/contacts": 1},
     {"id_greater": ["1189"], "id_less": ["1196"]}),
    ("select id from Contacts where id between 10 and 20", {"/contacts": 1}, {"id_greater": ["9"], "id_less": ["21"]}),
    ("select id from Contacts where cdate >= '2025-06-01'", {"/contacts": None},
     {"filters[created_after]": ["2025-05-31"]}),
    ("select id from Contacts where cdate < '2021-09-01 12:00:00'", {"/contacts": None},
     {"filters[created_before]": ["2021-09-03"]}),
    ("select id from Contacts where udate between '2023-01-01' and '2023-03-31'", {"/contacts": None},
     {"filters[updated_after]": ["2022-12-31"], "filters[updated_before]": ["2023-04-02"]}),
    ("select count(*) from Contacts", {"/contacts": 1}, {"limit": ["1"]}),
    ("select count(*) as n from Contacts where id > 1000", {"/contacts": 1}, {"limit": ["1"], "id_greater": ["1000"]}),
    ("select count(*) from Contacts where email like '%.org'", {"/contacts": None}, {"email_like": [".org"]}),
    ("select id from Contacts limit 5", {"/contacts": 1}, {"limit": ["5"], "offset": ["0"]}),
    ("select top 3 id from Contacts order by id desc", {"/contacts": 1}, {"orders[id]": ["DESC"], "limit": ["3"]}),
    ("select id, cdate from Contacts order by cdate limit 250", {"/contacts": 3}, {"orders[cdate]": ["ASC"]}),
    ("select id from Contacts where id > 100 order by id limit 10 offset 5", {"/contacts": 1},
     {"limit": ["15"], "id_greater": ["100"], "orders[id]": ["ASC"]}),
    ("select id from Contacts order by email limit 5", {"/contacts": 12}, {"orders[email]": None}),
    ("select distinct lastName from Contacts limit 5", {"/contacts": 12}, {}),
    ("select id from Contacts where email like '%.org' limit 5", {"/contacts": None}, {"email_like": [".org"]}),
    ("select id, title from Deals where stage = 3", {"/deals": 1}, {"filters[stage]": ["3"]}),
    ("select id from Deals where status = 1 and \"group\" = 2", {"/deals": 1},
     {"filters[status]": ["1"], "filters[group]": ["2"]}),
    ("select id, value from Deals where value >= 100050 and value < 200000", {"/deals": None},
     {"filters[minimum_value]": ["1000"], "filters[maximum_value]": ["2000"]}),
    ("select count(*) from Deals where stage = 3", {"/deals": 1}, {"limit": ["1"], "filters[stage]": ["3"]}),
    ("select c.email, d.title from Contacts c join Deals d on d.contact = c.id where c.id < 400 and d.status = 1",
     {"/contacts": 4, "/deals": 1}, {}),
    ("select id from Contacts where id = 5 or email = 'x'", {"/contacts": 12}, {"ids[]": None, "email": None}),
    ("select id from Contacts where lower(email) = 'x'", {"/contacts": 12}, {"email": None}),
    ("select id from Contacts where id + 0 = 5", {"/contacts": 12}, {"ids[]": None}),
    ("select id from Contacts where id in (select contact from ContactTags where tag = 2)",
     {"/contacts": 12, "/contactTags": None}, {}),
    ("select a.id from Contacts a join Contacts b on a.id = b.id where a.id = 3", {"/contacts": 12}, {"ids[]": None}),
    ("select * from FieldValues where field = 2", {"/fieldValues": None}, {"filters[fieldid]": ["2"]}),
    ("select id from Contacts where id = 5 and lastName = 'x'", {"/contacts": 1}, {"ids[]": ["5"]}),
    ("select c.id from Contacts c join ContactTags ct on ct.contact = c.id where ct.tag = 4",
     {"/contacts": None, "/contactTags": None}, {"tagid": ["4"]}),
    ("select c.email from ContactLists cl join Contacts c on c.id = cl.contact where cl.list = 3 and cl.status = 1",
     {"/contacts": None, "/contactLists": None}, {"listid": ["3"], "status": ["1"]}),
    ("select c.id from Contacts c left join ContactTags ct on ct.contact = c.id where ct.tag = 4",
     {"/contacts": 12, "/contactTags": None}, {"tagid": None}),
]


@pytest.mark.parametrize(("sql", "counts", "params"), CASES, ids=[c[0][:60] for c in CASES])
def test_requests_and_results(planner_sandbox: tuple[Sandbox, Session, Session], sql: str,
                              counts: dict[str, int | None], params: dict[str, list[str] | None]) -> None:
    sb, pushed, full = planner_sandbox
    sb.clear_requests()
    got = pushed.sql(sql)
    served = sb.requests()
    assert sorted({r.path for r in served}) == sorted(counts)
    for path, expected in counts.items():
        requests = [r for r in served if r.path == path]
        if expected is not None:
            assert len(requests) == expected, (path, [r.query for r in requests])
        elif path == "/contacts":
            assert len(requests) < 12  # fewer than a full scan
    main_path = "/contacts" if "/contacts" in counts else next(iter(counts))
    for request in (r for r in served if r.path == main_path):
        for name, value in params.items():
            if value is None:
                assert name not in request.query, request.query
            else:
                assert request.query.get(name) == value, request.query
    want = full.sql(sql)
    assert _rows(got) == _rows(want) and len(want) == len(got)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in frame.astype(object).values.tolist())


def test_explain_describes_without_calling_the_api(planner_sandbox: tuple[Sandbox, Session, Session]) -> None:
    sb, pushed, _full = planner_sandbox
    sb.clear_requests()
    plan = pushed.sql("explain select c.id from Contacts c join Deals d on d.contact = c.id "
                      "where c.id in (1, 2) and d.status = 1 and lower(d.title) like '%x%'")
    assert sb.requests() == []
    rows = {r["table"]: r for r in plan.to_dict("records")}
    assert rows["Contacts"]["parameters"] == "ids[]=1&ids[]=2" and rows["Contacts"]["expected_requests"] == 1
    assert rows["Deals"]["pushed_predicates"] == "d.status = 1"
    assert rows["Deals"]["local_predicates"] == "LOWER(d.title) LIKE '%x%'"
    count = pushed.sql("explain select count(*) from Contacts where id > 5").iloc[0]
    assert bool(count["count_from_meta_total"]) and count["expected_requests"] == 1
    limited = pushed.sql("explain select id from Contacts order by id limit 250").iloc[0]
    assert limited["limit_pushed"] == 250 and limited["expected_requests"] == 3 and limited["order_pushed"]


def test_cache_serves_repeats_and_writes_invalidate(tmp_path: Path) -> None:
    with Sandbox(contacts=300, rate=0, seed=2) as sb:
        path = sb.write_settings(tmp_path / "s.xml", {"max-requests-per-second": "1000"})
        with connect(settings=path, quiet=True) as s:
            first = s.sql("select count(*) as n, max(id) as m from Contacts where email like '%.org'")
            served = len(sb.requests())
            again = s.sql("select count(*) as n, max(id) as m from Contacts where email like '%.org'")
            assert len(sb.requests()) == served and again.equals(first)
            assert all(io.from_cache for io in s.iolog.rows(2))
            transport = s.containers["acn"].transport
            assert transport is not None
            transport.send("POST", "/contacts", {"contact": {"email": "cache.test@x.org"}}, _context())
            after = s.sql("select count(*) as n, max(id) as m from Contacts where email like '%.org'")
            assert after["n"][0] == first["n"][0] + 1
            assert not any(io.from_cache for io in s.iolog.rows(3))
            hinted = s.sql("select /*+ http_memory_cache(false) */ count(*) as n from Tags")
            assert not any(io.from_cache for io in s.iolog.rows(4)) and hinted["n"][0] == 24


def _context():  # type: ignore[no-untyped-def]
    from acn_magic.iolog import RequestContext
    return RequestContext()


def test_pages_go_out_concurrently_and_in_order(tmp_path: Path) -> None:
    with Sandbox(contacts=2000, rate=0, latency=0.05, seed=4) as sb:
        path = sb.write_settings(tmp_path / "s.xml", {"max-requests-per-second": "1000", "max-concurrent-requests": "8"})
        with connect(settings=path, quiet=True) as s:
            frame = s.sql("select id from Contacts")
        assert frame["id"].tolist() == list(range(1, 2001))
        served = sorted(sb.requests(), key=lambda r: r.started)
        overlapping = max(sum(1 for o in served if o.started < r.ended and o.ended > r.started) for r in served)
        assert len(served) == 20 and overlapping >= 4


def test_rows_changing_during_a_scan_give_no_duplicates_and_a_warning(tmp_path: Path) -> None:
    with Sandbox(contacts=1000, rate=0, latency=0.02, seed=5) as sb:
        path = sb.write_settings(tmp_path / "s.xml", {"max-requests-per-second": "20", "use-http-memory-cache": "false"})
        store = sb.store()
        with connect(settings=path, quiet=True) as s:
            import threading
            stop = threading.Event()

            def churn() -> None:
                n = 0
                while not stop.wait(0.05):
                    store.create("contacts", {"contact": {"email": f"churn{n}@x.org"}})
                    n += 1

            worker = threading.Thread(target=churn)
            worker.start()
            try:
                result = s.execute("select id from Contacts")[-1]
            finally:
                stop.set()
                worker.join()
        ids = result.frame["id"].tolist()
        assert len(ids) == len(set(ids)) and len(ids) >= 1000
        assert result.warnings and "the number of rows changed from 1000" in result.warnings[0]


def test_cancel_stops_a_long_fetch_and_the_session_stays_usable(tmp_path: Path) -> None:
    with Sandbox(contacts=3000, rate=0, latency=0.2, seed=6) as sb:
        path = sb.write_settings(tmp_path / "s.xml", {"max-requests-per-second": "5", "use-http-memory-cache": "false"})
        with connect(settings=path, quiet=True) as s:
            import threading
            timer = threading.Timer(0.6, s.cancel)
            timer.start()
            with pytest.raises(QueryCancelled):
                s.sql("select id from Contacts")
            served_during = len(sb.requests())
            assert served_during < 30
            assert s.sql("select count(*) as n from Tags")["n"][0] == 24


def test_keyboard_interrupt_stops_a_long_fetch_and_the_session_stays_usable(tmp_path: Path) -> None:
    import _thread
    import threading

    with Sandbox(contacts=3000, rate=0, latency=0.2, seed=7) as sb:
        path = sb.write_settings(tmp_path / "s.xml", {"max-requests-per-second": "5", "use-http-memory-cache": "false"})
        with connect(settings=path, quiet=True) as s:
            timer = threading.Timer(0.6, _thread.interrupt_main)
            timer.start()
            with pytest.raises(QueryCancelled, match="session is still usable"):
                s.sql("select id from Contacts")
            served = len(sb.requests())
            assert served < 30
            assert s.sql("select count(*) as n from Tags")["n"][0] == 24
            assert len(sb.requests()) <= served + 2  # nothing of the cancelled scan kept going


def test_execute_flags_explain_and_no_cache(tmp_path: Path) -> None:
    with Sandbox(contacts=150, rate=0, seed=12) as sb:
        with connect(settings=sb.write_settings(tmp_path / "s.xml", {"max-requests-per-second": "1000"}),
                     quiet=True) as s:
            plans = s.execute("set max-retries 1; select * from Contacts where id = 3", explain=True)
            assert sb.requests() == [] and s.containers["acn"].attributes["max-retries"] == 5
            assert "not run under explain" in plans[0].frame["message"][0]
            assert plans[1].frame["parameters"][0] == "ids[]=3"
            s.sql("select * from Tags")
            served = len(sb.requests())
            s.execute("select * from Tags", no_cache=True)
            assert len(sb.requests()) == served + 1
            s.sql("select * from Tags")
            assert len(sb.requests()) == served + 1  # the fresh answer was kept for the next statement
