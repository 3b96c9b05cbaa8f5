"""Auth, the rate limit, latency and seeded fault injection."""
from __future__ import annotations

import requests

from acn_magic.sandbox import Sandbox
from tests.conftest import Api


def test_missing_or_wrong_key_is_403(sandbox: Sandbox) -> None:
    url = sandbox.accounts[0].api_url + "/api/3/contacts"
    assert requests.get(url, timeout=10).status_code == 403
    assert requests.get(url, headers={"Api-Token": "nope"}, timeout=10).status_code == 403
    # A key works only on its own account.
    assert requests.get(url, headers={"Api-Token": sandbox.accounts[1].api_key}, timeout=10).status_code == 403


def test_unknown_account_or_path_is_404(sandbox: Sandbox) -> None:
    assert requests.get(sandbox.url + "/nobody/api/3/contacts", timeout=10).status_code == 404
    api = Api(sandbox.accounts[0].api_url, sandbox.accounts[0].api_key)
    assert api.get("/noSuchThing").status_code == 404


def test_rate_limit_answers_429_with_headers() -> None:
    with Sandbox(contacts=20, rate=2) as sb:
        api = Api(sb.accounts[0].api_url, sb.accounts[0].api_key)
        statuses = [api.get("/tags").status_code for _ in range(6)]
        assert statuses[:2] == [200, 200] and 429 in statuses
        limited = next(r for r in (api.get("/tags") for _ in range(4)) if r.status_code == 429)
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["RateLimit-Limit"] == "2" and limited.headers["RateLimit-Remaining"] == "0"
        assert sum(1 for r in sb.requests() if r.status == 429) >= 2


def test_each_account_has_its_own_budget() -> None:
    with Sandbox(contacts=20, accounts=2, rate=2) as sb:
        first, second = (Api(a.api_url, a.api_key) for a in sb.accounts)
        assert [first.get("/tags").status_code for _ in range(2)] == [200, 200]
        assert first.get("/tags").status_code == 429
        assert second.get("/tags").status_code == 200


def _statuses(seed: int) -> list[str]:
    with Sandbox(contacts=50, rate=0, seed=seed, fault_rate=0.3, fault_kinds=("500", "502", "503", "429", "drop")) as sb:
        api = Api(sb.accounts[0].api_url, sb.accounts[0].api_key)
        outcomes = []
        for offset in range(0, 40):
            try:
                outcomes.append(str(api.get("/contacts", limit=1, offset=offset).status_code))
            except requests.exceptions.RequestException as exc:
                outcomes.append(type(exc).__name__)
            api.http = requests.Session()  # a dropped connection must not taint the next request
        return outcomes


def test_faults_are_reproducible_by_seed() -> None:
    first, second, other = _statuses(11), _statuses(11), _statuses(12)
    assert first == second
    assert first != other
    assert {"500", "502", "503", "429"} & set(first) and "200" in first
    assert any(o not in {"200", "500", "502", "503", "429"} for o in first + other), "no dropped connection seen"


def test_retried_request_meets_a_fresh_fate() -> None:
    with Sandbox(contacts=10, rate=0, seed=5, fault_rate=0.5, fault_kinds=("503",)) as sb:
        api = Api(sb.accounts[0].api_url, sb.accounts[0].api_key)
        outcomes = [api.get("/tags").status_code for _ in range(12)]
        assert 200 in outcomes and 503 in outcomes


def test_slow_fault_passes_a_client_timeout() -> None:
    with Sandbox(contacts=10, rate=0, fault_rate=1.0, fault_kinds=("slow",), slow_seconds=1.5) as sb:
        account = sb.accounts[0]
        try:
            requests.get(account.api_url + "/api/3/tags", headers={"Api-Token": account.api_key}, timeout=0.5)
        except requests.exceptions.Timeout:
            pass
        else:
            raise AssertionError("a slow answer should exceed the client's timeout")


def test_request_log_records_what_was_served(fresh_sandbox: Sandbox, fresh_api: Api) -> None:
    fresh_sandbox.clear_requests()
    fresh_api.get("/contacts", limit=5, **{"filters[created_after]": "2024-01-01"})
    fresh_api.post("/tags", {"tag": {"tag": "logged"}})
    log = fresh_sandbox.requests()
    assert [(r.method, r.path, r.status) for r in log] == [("GET", "/contacts", 200), ("POST", "/tags", 201)]
    assert log[0].query == {"limit": ["5"], "filters[created_after]": ["2024-01-01"]}
    assert log[0].bytes_sent > 0 and log[1].body == {"tag": {"tag": "logged"}}
