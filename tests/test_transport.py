"""The transport: retries after faults, Retry-After, no blind write retries, the request log, the limiter."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from acn_magic import connect
from acn_magic.attributes import resolve
from acn_magic.errors import ApiError, TransportError
from acn_magic.iolog import IoLog, RequestContext
from acn_magic.sandbox import Sandbox
from acn_magic.transport import Transport


def settings_for(sb: Sandbox, tmp_path: Path, **attributes: str) -> Path:
    return sb.write_settings(tmp_path / "settings.xml", {"max-requests-per-second": "1000", **attributes})


def test_reads_survive_faults_and_return_the_exact_answer(tmp_path: Path) -> None:
    with Sandbox(contacts=900, rate=0, seed=4) as sb:
        with connect(settings=settings_for(sb, tmp_path, **{"max-retries": "10"}), quiet=True) as s:
            clean = s.sql("select id, email from Contacts order by id")
            sb.set_faults(0.3, ("500", "502", "503", "drop", "429"))
            faulty = s.sql("select /*+ http_memory_cache(false, false) */ id, email from Contacts order by id")
            assert faulty.equals(clean) and len(clean) == 900
            ios = [io for io in s.iolog.rows() if io.statement_id == 2]
            failed = [io for io in ios if io.http_status_code != 200]
            assert failed, "the seed should have injected faults"
            assert any(io.retry_count > 0 for io in ios)
            served_faults = [r for r in sb.requests() if r.fault]
            assert len(failed) == len(served_faults)


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    with Sandbox(contacts=10, rate=0, seed=1, fault_rate=0.4, fault_kinds=("429",)) as sb:  # seed 1: 429 first
        with connect(settings=settings_for(sb, tmp_path), quiet=True) as s:
            assert len(s.sql("select * from Tags")) == 24
            statuses = [io.http_status_code for io in s.iolog.rows()]
            assert statuses == [429, 200]


def test_exhausted_retries_fail_clearly(tmp_path: Path) -> None:
    with Sandbox(contacts=10, rate=0, fault_rate=1.0, fault_kinds=("503",)) as sb:
        with connect(settings=settings_for(sb, tmp_path, **{"max-retries": "2"}), quiet=True) as s:
            with pytest.raises(TransportError, match="kept failing with HTTP 503 after 3 attempts"):
                s.sql("select * from Tags")
            assert [io.retry_count for io in s.iolog.rows()] == [0, 1, 2]


def test_timeout_is_retried(tmp_path: Path) -> None:
    with Sandbox(contacts=10, rate=0, seed=1) as sb:
        sb.set_faults(1.0, ("slow",), slow_seconds=1.0)
        with connect(settings=settings_for(sb, tmp_path, **{"request-timeout-seconds": "0.3", "max-retries": "1"}),
                     quiet=True) as s:
            with pytest.raises(TransportError, match="no answer within the request timeout"):
                s.sql("select * from Tags")
            assert [io.error_message for io in s.iolog.rows()] == ["no answer within the request timeout"] * 2


@pytest.fixture()
def transport() -> Iterator[tuple[Sandbox, Transport, IoLog]]:
    with Sandbox(contacts=20, rate=0, seed=6) as sb:
        account = sb.accounts[0]
        log = IoLog()
        attrs = resolve({"max-requests-per-second": "1000", "request-timeout-seconds": "5"}, "test")
        t = Transport("acn", account.api_url, account.api_key, log, attrs)
        yield sb, t, log
        t.close()


def test_a_write_whose_outcome_is_unknown_is_not_repeated(transport: tuple[Sandbox, Transport, IoLog]) -> None:
    sb, t, log = transport
    sb.set_faults(1.0, ("drop",))
    with pytest.raises(TransportError, match="may or may not have been applied"):
        t.send("POST", "/tags", {"tag": {"tag": "once"}}, RequestContext(table_name="Tags"))
    posts = [r for r in sb.requests() if r.method == "POST"]
    assert len(posts) == 1 and len(log) == 1
    sb.set_faults(0)
    assert sum(1 for r in sb.store().rows("tags") if r["tag"] == "once") == 1


def test_a_write_rejected_with_429_is_retried(transport: tuple[Sandbox, Transport, IoLog]) -> None:
    sb, t, log = transport
    sb.set_faults(1.0, ("429",))
    sb.faults.kinds = ("429",)
    sb.faults.rate = 0.5
    response = t.send("POST", "/tags", {"tag": {"tag": "after-429"}}, RequestContext())
    assert response.status == 201
    assert sum(1 for r in sb.store().rows("tags") if r["tag"] == "after-429") == 1


def test_write_errors_carry_the_api_message(transport: tuple[Sandbox, Transport, IoLog]) -> None:
    _sb, t, log = transport
    email = _sb.store().rows("contacts")[0]["email"]
    with pytest.raises(ApiError) as err:
        t.send("POST", "/contacts", {"contact": {"email": email}}, RequestContext())
    assert err.value.status == 422 and err.value.api_message == "Email address already exists in the system"
    assert log.rows()[-1].error_message == "Email address already exists in the system"


def test_request_log_rows(transport: tuple[Sandbox, Transport, IoLog]) -> None:
    sb, t, log = transport
    t.get("/contacts", {"limit": 5, "email_like": "a&b=c#d"}, RequestContext(3, "select ...", "Contacts"),
          envelope="contacts")
    io = log.rows()[-1]
    assert (io.statement_id, io.table_name, io.http_method, io.http_status_code) == (3, "Contacts", "GET", 200)
    assert io.url.endswith("/api/3/contacts?limit=5&email_like=a%26b%3Dc%23d")
    assert io.bytes_received > 0 and io.rows_retrieved == 0 and io.retry_count == 0
    assert sb.requests()[-1].query["email_like"] == ["a&b=c#d"]


def test_client_limiter_keeps_the_account_under_its_limit(tmp_path: Path) -> None:
    with Sandbox(contacts=800, rate=5, seed=8) as sb:
        settings = sb.write_settings(tmp_path / "settings.xml")  # the default client limit: 5 per second
        with connect(settings=settings, quiet=True) as s:
            assert len(s.sql("select id from Contacts")) == 800
        assert [r.status for r in sb.requests()] == [200] * 8
