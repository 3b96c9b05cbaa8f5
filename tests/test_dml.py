"""insert, update and delete: every writable table round-trips; failures, faults and refusals are reported."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from acn_magic import Session, catalog, connect
from acn_magic.dml import DmlError
from acn_magic.errors import SqlError
from acn_magic.sandbox import Sandbox
from tests.conftest import FAST

# table: (values to insert, (column, new value) to update or None)
SAMPLES: dict[str, tuple[dict[str, Any], tuple[str, Any] | None]] = {
    "Contacts": ({"email": "w1@x.org", "firstName": "Wim"}, ("firstName", "Zoë")),
    "Deals": ({"title": "Big one", "value": 150099, "currency": "usd", "group": 1, "stage": 1, "owner": 1,
               "contact": 1}, ("value", 200000)),
    "Accounts": ({"name": "Initrode"}, ("accountUrl", "https://initrode.example")),
    "AccountContacts": ({"account": 1, "contact": 2, "jobTitle": "CTO"}, ("jobTitle", "CEO")),
    "Lists": ({"name": "VIP list", "stringid": "vip-list", "sender_url": "https://x.example",
               "sender_reminder": "You asked"}, None),
    "ContactLists": ({"list": 1, "contact": 5, "status": 1}, ("status", 2)),
    "Tags": ({"tag": "brand-new"}, ("description", "A new tag")),
    "ContactTags": ({"contact": 3, "tag": 20}, None),
    "Fields": ({"title": "Shoe size", "type": "text"}, ("title", "Shoe size (EU)")),
    "FieldValues": ({"contact": 7, "field": 7, "value": "Buyer"}, ("value", "Head buyer")),
    "DealGroups": ({"title": "Upsell", "currency": "eur"}, ("title", "Upsell EU")),
    "DealStages": ({"title": "Qualified", "group": 1}, ("title", "Qualified lead")),
    "DealTasks": ({"relid": 1, "duedate": "2026-12-10T10:00:00+00:00", "dealTasktype": 1}, ("note", "Call again")),
    "DealTaskTypes": ({"title": "Visit"}, ("title", "On-site visit")),
    "Notes": ({"note": "Met at fair", "reltype": "Subscriber", "relid": 1}, ("note", "Met at the fair")),
    "Users": ({"username": "newbie", "email": "newbie@x.org", "firstName": "New", "lastName": "Bie"},
              ("phone", "+31 20 555 0000")),
    "Messages": ({"fromname": "Us", "fromemail": "us@x.org", "reply2": "reply@x.org"}, ("subject", "Hello")),
    "ContactAutomations": ({"contact": 1, "automation": 1}, None),
    "ContactDeals": ({"deal": 2, "contact": 3}, ("contact", 4)),
    "DealCustomFieldMeta": ({"fieldLabel": "Budget owner", "fieldType": "text"}, ("fieldLabel", "Budget holder")),
    "DealCustomFieldData": ({"dealId": 2, "customFieldId": 1, "fieldValue": "Event"}, ("fieldValue", "Website")),
    "AccountCustomFieldMeta": ({"fieldLabel": "Tier", "fieldType": "text"}, ("fieldLabel", "Tier level")),
    "AccountCustomFieldData": ({"customerAccountId": 1, "customFieldId": 1, "fieldValue": "Gold"},
                               ("fieldValue", "Platinum")),
    "Webhooks": ({"name": "Hook", "url": "https://hook.example", "events": '["subscribe"]', "sources": '["public"]'},
                 ("name", "Hook 2")),
    "EcomCustomers": ({"connectionid": 1, "externalid": "c-9", "email": "buyer@x.org"}, ("email", "buyer2@x.org")),
    "EcomOrders": ({"externalid": "o-9", "source": 1, "email": "buyer@x.org", "totalPrice": 2500, "currency": "USD",
                    "connectionid": 1, "customerid": 1, "externalCreatedDate": "2026-11-01T09:00:00+00:00"},
                   ("orderNumber", "#9999")),
    "Connections": ({"service": "magento", "externalid": "m.example", "name": "M store", "logoUrl": "https://l.example",
                     "linkUrl": "https://m.example"}, ("name", "M shop")),
    "Groups": ({"title": "Support team"}, ("title", "Support")),
    "SavedResponses": ({"title": "Thanks", "subject": "Thank you", "body": "Hi!"}, ("body", "Hello!")),
}


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[tuple[Sandbox, Session]]:
    with Sandbox(contacts=200, rate=0, seed=31) as sb:
        with connect(settings=sb.write_settings(tmp_path / "s.xml", FAST), quiet=True) as s:
            s.show_progress = False
            yield sb, s


def test_every_insertable_table_has_a_sample() -> None:
    insertable = {t.name for t in catalog.TABLES if "insert" in t.operations}
    assert insertable == set(SAMPLES)


def _same(kind: str, got: Any, want: Any) -> bool:
    if kind in ("ts", "lts"):
        return pd.Timestamp(got) == pd.Timestamp(want)
    if kind == "json":
        return json.loads(got) == json.loads(want)
    return str(got) == str(want)


@pytest.mark.parametrize("table", sorted(SAMPLES))
def test_insert_update_delete_round_trip(writable: tuple[Sandbox, Session], table: str) -> None:
    _sb, s = writable
    spec = catalog.lookup(table)
    values, change = SAMPLES[table]
    names = list(values)
    params = {f"p{i}": v for i, v in enumerate(values.values())}
    outcome = s.sql(f"insert into {table} ({', '.join(names)}) values ({', '.join(':' + p for p in params)})", params)
    assert outcome[["operation", "http_status", "outcome"]].values.tolist() == [["insert", 201, "ok"]]
    new_id = int(outcome["new_id"][0])
    row = s.sql(f"select * from {table} where id = :id", {"id": new_id})
    assert len(row) == 1
    for name, value in values.items():
        assert _same(spec.column(name).type, row[name][0], value), (name, row[name][0], value)  # type: ignore[union-attr]
    if change is not None:
        column, new_value = change
        updated = s.sql(f"update {table} set {column} = :v where id = :id", {"v": new_value, "id": new_id})
        assert updated["outcome"].tolist() == ["ok"] and updated["key"].tolist() == [str(new_id)]
        again = s.sql(f"select * from {table} where id = :id", {"id": new_id})
        assert _same(spec.column(column).type, again[column][0], new_value)  # type: ignore[union-attr]
    if "delete" in spec.operations:
        deleted = s.sql(f"delete from {table} where id = :id", {"id": new_id})
        assert deleted[["operation", "http_status", "outcome"]].values.tolist() == [["delete", 200, "ok"]]
        assert len(s.sql(f"select * from {table} where id = :id", {"id": new_id})) == 0


def test_update_uses_the_rows_own_columns_and_touches_only_matches(writable: tuple[Sandbox, Session]) -> None:
    sb, s = writable
    before = s.sql("select id, firstName, lastName from Contacts order by id")
    result = s.sql("update Contacts set lastName = lastName || ' (' || id || ')' where id between 10 and 14")
    assert result["key"].tolist() == [str(i) for i in range(10, 15)]
    after = s.sql("select id, firstName, lastName from Contacts order by id")
    changed = after[after["lastName"] != before["lastName"]]
    assert changed["id"].tolist() == list(range(10, 15))
    assert all(row.lastName.endswith(f"({row.id})") for row in changed.itertuples())
    puts = [r for r in sb.requests() if r.method == "PUT"]
    assert sorted(r.path for r in puts) == sorted(f"/contacts/{i}" for i in range(10, 15))


def test_partial_failure_is_reported_row_by_row(writable: tuple[Sandbox, Session]) -> None:
    sb, s = writable
    taken = s.sql("select email from Contacts where id = 1")["email"][0]
    with pytest.raises(DmlError) as err:
        s.sql("insert into Contacts (email, firstName) values ('a1@x.org', 'A'), (:taken, 'Dup'), ('a3@x.org', 'C')",
              {"taken": taken})
    outcomes = err.value.outcomes
    assert outcomes["outcome"].tolist() == ["ok", "failed", "ok"]
    assert outcomes["http_status"].tolist() == [201, 422, 201]
    assert outcomes["error_message"][1] == "Email address already exists in the system"
    assert "1 of 3 writes to Contacts did not succeed (1 failed); 2 succeeded" in str(err.value)
    emails = s.sql("select email from Contacts where email in ('a1@x.org', 'a3@x.org') order by email")
    assert emails["email"].tolist() == ["a1@x.org", "a3@x.org"]
    posts = s.sql("select HTTP_STATUS_CODE from SessionIOs@DataDictionary where HTTP_METHOD = 'POST' order by ID")
    assert sorted(posts["HTTP_STATUS_CODE"].tolist()) == [201, 201, 422]


@pytest.mark.parametrize(("sql", "words"), [
    ("update Automations set name = 'x' where id = 1", "Automations does not allow update"),
    ("insert into Campaigns (name) values ('x')", "Campaigns does not allow insert"),
    ("update Lists set name = 'x' where id = 1", "Lists does not allow update"),
    ("update Contacts set cdate = '2020-01-01' where id = 1", "Contacts.cdate is read-only"),
    ("insert into Contacts (firstName) values ('x')", "needs email"),
    ("insert into Contacts (email) values (null)", "Row 1: Contacts.email is required but NULL"),
    ("delete from Contacts", "without a where clause is refused"),
    ("update Deals set value = 'a lot' where id = 2", "'a lot' does not fit Deals.value"),
    ("update Contacts set firstName = 'x' where id > 0", "more than dml-row-limit (100)"),
    ("insert into Contacts values ('x@y.org')", "Name the columns"),
    ("update Contacts set nope = 1 where id = 1", 'Contacts has no column "nope"'),
    ("insert into Tags (tag) values ('a', 'b')", "names 1 columns but its rows have 2 values"),
])
def test_refusals_happen_before_any_write(writable: tuple[Sandbox, Session], sql: str, words: str) -> None:
    sb, s = writable
    with pytest.raises(SqlError, match=words.replace("(", r"\(").replace(")", r"\)")):
        s.sql(sql)
    assert [r for r in sb.requests() if r.method != "GET"] == []


def test_opt_ins(writable: tuple[Sandbox, Session]) -> None:
    sb, s = writable
    s.sql("set dml-row-limit 500")
    result = s.sql("update Contacts set phone = '' where id > 0")
    assert len(result) == 200 and set(result["outcome"]) == {"ok"}
    s.sql("set allow-dml-without-where true")
    assert len(s.sql("delete from ContactAutomations")) > 0
    assert len(s.sql("select * from ContactAutomations")) == 0


def test_explain_shows_the_writes_without_making_them(writable: tuple[Sandbox, Session]) -> None:
    sb, s = writable
    plan = s.sql("explain update Contacts set firstName = 'X' where id in (3, 4)")
    assert plan[["method", "path"]].values.tolist() == [["PUT", "/contacts/3"], ["PUT", "/contacts/4"]]
    assert json.loads(plan["body"][0]) == {"contact": {"firstName": "X"}}
    plan = s.sql("explain insert into ContactTags (contact, tag) select id, 5 from Contacts where id < 3")
    assert plan["body"].tolist() == ['{"contactTag": {"contact": 1, "tag": 5}}', '{"contactTag": {"contact": 2, "tag": 5}}']
    assert [r for r in sb.requests() if r.method != "GET"] == []


def test_subscribe_and_unsubscribe_through_contact_lists(writable: tuple[Sandbox, Session]) -> None:
    _sb, s = writable
    s.sql("insert into ContactLists (list, contact, status) values (8, 9, 1)")
    assert s.sql("select count(*) as n from Contacts(listid => 8, status => 1) where id = 9")["n"][0] == 1
    result = s.sql("update ContactLists set status = 2 where list = 8 and contact = 9")
    assert result["outcome"].tolist() == ["ok"]
    assert s.sql("select status from ContactLists where list = 8 and contact = 9")["status"].tolist() == [2]


def test_insert_from_another_container_and_from_a_dataframe(sandbox: Sandbox, tmp_path: Path) -> None:
    with connect(settings=sandbox.write_settings(tmp_path / "s.xml", FAST), quiet=True) as s:
        s.show_progress = False
        source = s.sql("select email from Contacts@acn where id <= 3 order by id")["email"].tolist()
        s.sql("insert into Tags@acn2 (tag, description) select 'copied-' || id, email from Contacts@acn where id <= 3")
        copied = s.sql("select tag, description from Tags@acn2 where tag like 'copied-%' order by tag")
        assert copied["description"].tolist() == source
        s.register("new_people", pd.DataFrame({"mail": ["df1@x.org", "df2@x.org"], "first": ["Df", "Fd"]}))
        s.sql("insert into Contacts@acn2 (email, firstName) select mail, first from new_people")
        got = s.sql("select email, firstName from Contacts@acn2 where email like 'df_@x.org' order by email")
        assert got.values.tolist() == [["df1@x.org", "Df"], ["df2@x.org", "Fd"]]


def test_two_hundred_inserts_under_faults_are_each_accounted_for(tmp_path: Path) -> None:
    with Sandbox(contacts=50, rate=0, seed=41) as sb:
        settings = sb.write_settings(tmp_path / "s.xml", {**FAST, "request-timeout-seconds": "0.5",
                                                          "dml-row-limit": "300", "max-retries": "3"})
        with connect(settings=settings, quiet=True) as s:
            s.show_progress = False
            s.register("batch", pd.DataFrame({"email": [f"bulk{i}@x.org" for i in range(200)]}))
            sb.set_faults(0.15, ("500", "502", "503", "drop", "slow", "429"), slow_seconds=1.0)
            try:
                outcomes = s.sql("insert into Contacts (email) select email from batch")
            except DmlError as exc:
                outcomes = exc.outcomes
            sb.set_faults(0)
        emails = Counter(r["email"] for r in sb.store().rows("contacts") if r["email"].startswith("bulk"))
        assert max(emails.values()) == 1  # never written twice
        by_outcome = Counter(outcomes["outcome"])
        assert by_outcome["ok"] + by_outcome["failed"] + by_outcome["unknown"] == 200
        assert by_outcome["failed"] > 0 and by_outcome["unknown"] > 0
        for row in outcomes.itertuples():
            email = f"bulk{row.row - 1}@x.org"
            if row.outcome == "ok":
                assert emails[email] == 1
            elif row.outcome == "failed":
                assert emails[email] == 0, row
        written = [r for r in sb.requests() if r.method == "POST" and r.status == 201]
        assert len(written) == sum(emails.values())
