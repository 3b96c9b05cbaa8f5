"""The sandbox's read side, checked with plain requests: envelopes, types, paging, filters, orders."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import Api

RESOURCES = [
    "contacts", "deals", "accounts", "accountContacts", "lists", "contactLists", "tags", "contactTags", "fields",
    "fieldValues", "fieldOptions", "dealGroups", "dealStages", "dealTasks", "dealTasktypes", "notes", "users",
    "campaigns", "messages", "automations", "contactAutomations", "contactDeals", "dealCustomFieldMeta",
    "dealCustomFieldData", "accountCustomFieldMeta", "accountCustomFieldData", "webhooks", "ecomCustomers",
    "ecomOrders", "ecomOrderProducts", "connections", "segments", "forms", "groups", "scores", "savedResponses",
    "bounceLogs", "activities",
]
SINGULAR = {"dealCustomFieldMeta": "dealCustomFieldMetum", "dealCustomFieldData": "dealCustomFieldDatum",
            "accountCustomFieldMeta": "accountCustomFieldMetum", "accountCustomFieldData": "accountCustomFieldDatum",
            "activities": "activity", "contactAutomations": "contactAutomation"}
NO_GET_ONE = {"contactLists", "activities"}


def singular(name: str) -> str:
    return SINGULAR.get(name, name[:-1])


@pytest.mark.parametrize("name", RESOURCES)
def test_list_envelope_and_types(api: Api, name: str) -> None:
    body = api.get(f"/{name}", limit=5).json()
    assert name in body and "meta" in body
    total = body["meta"]["total"]
    if name in ("deals", "dealCustomFieldData"):
        assert isinstance(total, int)
    else:
        assert isinstance(total, str) and total.isdigit()
    assert int(total) > 0, f"demo data has no {name}"
    for row in body[name]:
        assert isinstance(row["id"], str) and row["id"].isdigit()
        if row.get("isDisabled") is True:
            continue
        links = row["links"]
        if isinstance(links, dict):
            assert all(url.startswith(api.base + f"/{name}/{row['id']}/") for url in links.values())


@pytest.mark.parametrize("name", [n for n in RESOURCES if n not in NO_GET_ONE])
def test_get_one_matches_list_row(api: Api, name: str) -> None:
    first = next(r for r in api.get(f"/{name}", limit=5).json()[name] if not r.get("isDisabled"))
    response = api.get(f"/{name}/{first['id']}")
    assert response.status_code == 200
    single = response.json()[singular(name)]
    for key, value in first.items():
        assert single[key] == value, (name, key)


def test_numbers_are_strings_and_timestamps_carry_the_offset(api: Api) -> None:
    contact = api.get("/contacts", limit=1).json()["contacts"][0]
    assert isinstance(contact["id"], str) and isinstance(contact["sentcnt"], str)
    assert contact["cdate"].endswith("-05:00")
    assert datetime.fromisoformat(contact["cdate"]).utcoffset() is not None
    assert len(contact["created_timestamp"]) == 19 and "T" not in contact["created_timestamp"]
    # The "utc" timestamp field holds the local wall time, as the real API does.
    assert contact["created_utc_timestamp"] == contact["cdate"][:19].replace("T", " ")
    deal = next(d for d in api.get("/deals", limit=50).json()["deals"] if not d.get("isDisabled"))
    assert isinstance(deal["value"], str) and deal["currency"].islower()


def test_second_account_has_its_own_offset_and_data(sandbox) -> None:
    other = Api(sandbox.accounts[1].api_url, sandbox.accounts[1].api_key)
    contact = other.get("/contacts", limit=1).json()["contacts"][0]
    assert contact["cdate"].endswith("+01:00")
    assert other.get("/contacts", limit=1).json()["contacts"][0]["email"] != \
        Api(sandbox.accounts[0].api_url, sandbox.accounts[0].api_key).get("/contacts", limit=1).json()["contacts"][0]["email"]


def test_paging_reaches_the_exact_total_without_gaps_or_duplicates(api: Api) -> None:
    total = int(api.get("/contacts", limit=1).json()["meta"]["total"])
    ids = [r["id"] for r in api.all_rows("/contacts", "contacts")]
    assert len(ids) == total == len(set(ids))
    assert ids == sorted(ids, key=int)


def test_limit_defaults_to_20_and_is_clamped_to_100(api: Api) -> None:
    assert len(api.get("/contacts").json()["contacts"]) == 20
    body = api.get("/contacts", limit=500).json()
    assert len(body["contacts"]) == 100 and body["meta"]["page_input"]["limit"] == 100
    assert api.get("/contacts", limit="abc").status_code == 400


def test_offset_past_the_end_is_empty(api: Api) -> None:
    body = api.get("/tags", offset=10_000).json()
    assert body["tags"] == [] and int(body["meta"]["total"]) > 0


def test_deal_stubs_are_listed_and_counted(api: Api) -> None:
    deals = api.all_rows("/deals", "deals")
    stubs = [d for d in deals if d.get("isDisabled") is True]
    assert stubs, "demo data should hold disabled deals"
    assert set(stubs[0]) == {"title", "id", "isDisabled"}
    assert len(deals) == api.get("/deals", limit=1).json()["meta"]["total"]


def _ids(rows: list[dict]) -> set[str]:
    return {r["id"] for r in rows}


@pytest.fixture(scope="module")
def everything(api: Api) -> dict[str, list[dict]]:
    return {name: api.all_rows(f"/{name}", name) for name in
            ("contacts", "contactTags", "contactLists", "contactAutomations")}


class TestContactFilters:

    def test_email_exact_and_like(self, api: Api, everything) -> None:
        target = everything["contacts"][10]
        assert _ids(api.all_rows("/contacts", "contacts", email=target["email"])) == {target["id"]}
        part = target["email"].split("@")[1]
        expected = {c["id"] for c in everything["contacts"] if part in c["email"]}
        assert _ids(api.all_rows("/contacts", "contacts", email_like=part)) == expected

    def test_ids_list(self, api: Api) -> None:
        response = api.http.get(api.base + "/contacts?ids[]=3&ids[]=7&ids[]=999999",
                                headers={"Api-Token": api.key})
        assert _ids(response.json()["contacts"]) == {"3", "7"}

    def test_id_bounds(self, api: Api) -> None:
        assert _ids(api.all_rows("/contacts", "contacts", id_greater=1190)) == {str(i) for i in range(1191, 1201)}
        assert _ids(api.all_rows("/contacts", "contacts", id_less=4)) == {"1", "2", "3"}

    def test_tag_list_status_membership(self, api: Api, everything) -> None:
        tagged = {t["contact"] for t in everything["contactTags"] if t["tag"] == "2"}
        assert _ids(api.all_rows("/contacts", "contacts", tagid=2)) == tagged
        on_list = {c["contact"] for c in everything["contactLists"] if c["list"] == "3"}
        assert _ids(api.all_rows("/contacts", "contacts", listid=3)) == on_list
        unsubscribed = {c["contact"] for c in everything["contactLists"] if c["status"] == "2"}
        assert _ids(api.all_rows("/contacts", "contacts", status=2)) == unsubscribed
        active_on_3 = {c["contact"] for c in everything["contactLists"] if c["list"] == "3" and c["status"] == "1"}
        assert _ids(api.all_rows("/contacts", "contacts", listid=3, status=1)) == active_on_3
        assert len(api.all_rows("/contacts", "contacts", status=-1)) == len(everything["contacts"])

    def test_series_and_segment(self, api: Api, everything) -> None:
        in_series = {c["contact"] for c in everything["contactAutomations"] if c["seriesid"] == "2"}
        assert _ids(api.all_rows("/contacts", "contacts", seriesid=2)) == in_series
        vip = {t["contact"] for t in everything["contactTags"] if t["tag"] == "4"}
        assert _ids(api.all_rows("/contacts", "contacts", segmentid=1)) == vip

    def test_search_and_phone(self, api: Api, everything) -> None:
        expected = {c["id"] for c in everything["contacts"]
                    if "müller" in f"{c['firstName']} {c['lastName']} {c['email']}".lower()}
        assert expected and _ids(api.all_rows("/contacts", "contacts", search="Müller")) == expected
        phone = {c["id"] for c in everything["contacts"] if c["phone"].startswith("+1 312 555 1")}
        assert _ids(api.all_rows("/contacts", "contacts", phone="+1 312 555 1")) == phone

    def test_date_filters(self, api: Api, everything) -> None:
        after = {c["id"] for c in everything["contacts"] if c["cdate"] >= "2025-01-01T00:00:00-05:00"}
        got = _ids(api.all_rows("/contacts", "contacts", **{"filters[created_after]": "2025-01-01"}))
        assert got == after
        before = {c["id"] for c in everything["contacts"] if c["udate"] < "2022-06-01T00:00:00-05:00"}
        got = _ids(api.all_rows("/contacts", "contacts", **{"filters[updated_before]": "2022-06-01"}))
        assert got == before
        assert api.get("/contacts", **{"filters[created_after]": "not-a-date"}).status_code == 400

    def test_unknown_parameters_are_ignored(self, api: Api, everything) -> None:
        assert int(api.get("/contacts", nonsense="1", **{"filters[bogus]": "x"}).json()["meta"]["total"]) == \
            len(everything["contacts"])


class TestOtherFilters:
    def test_deal_filters(self, api: Api) -> None:
        deals = [d for d in api.all_rows("/deals", "deals") if not d.get("isDisabled")]
        for param, field in (("stage", "stage"), ("group", "group"), ("status", "status"), ("owner", "owner")):
            value = deals[0][field]
            got = {d["id"] for d in api.all_rows("/deals", "deals", **{f"filters[{param}]": value})
                   if not d.get("isDisabled")}
            assert got == {d["id"] for d in deals if d[field] == value}, param
        got = _ids([d for d in api.all_rows("/deals", "deals", **{"filters[minimum_value]": 1000,
                                                                   "filters[maximum_value]": 2000})
                    if not d.get("isDisabled")])
        assert got == {d["id"] for d in deals if 100000 <= int(d["value"]) <= 200000}
        got = _ids([d for d in api.all_rows("/deals", "deals", **{"filters[created_after]": "2024-01-01"})
                    if not d.get("isDisabled")])
        assert got == {d["id"] for d in deals if d["cdate"] >= "2024-01-01T00:00:00-05:00"}

    @pytest.mark.parametrize(("path", "param", "field"), [
        ("/fieldValues", "filters[fieldid]", "field"), ("/dealStages", "filters[d_groupid]", "group"),
        ("/accountContacts", "filters[account]", "account"), ("/ecomOrders", "filters[customerid]", "customerid"),
        ("/dealCustomFieldData", "filters[dealId]", "dealId"), ("/ecomCustomers", "filters[connectionid]", "connectionid"),
        ("/dealTasks", "filters[relid]", "relid"),
    ])
    def test_equality_filters(self, api: Api, path: str, param: str, field: str) -> None:
        key = path[1:]
        rows = api.all_rows(path, key)
        value = rows[-1][field]
        assert _ids(api.all_rows(path, key, **{param: value})) == {r["id"] for r in rows if r[field] == value}

    def test_operator_form_and_search(self, api: Api) -> None:
        assert [r["name"] for r in api.get("/lists", **{"filters[name][starts_with]": "events"}).json()["lists"]] == \
            ["Events EU", "Events US"]
        assert [r["tag"] for r in api.get("/tags", search="event:").json()["tags"]] == ["event:berlin", "event:chicago"]


class TestOrders:
    def test_contacts_by_email_desc(self, api: Api) -> None:
        rows = api.all_rows("/contacts", "contacts", **{"orders[email]": "DESC"})
        emails = [r["email"].lower() for r in rows]
        assert emails == sorted(emails, reverse=True)

    def test_lowercase_direction_and_ties_by_id(self, api: Api) -> None:
        rows = api.all_rows("/contacts", "contacts", **{"orders[last_name]": "asc"})
        keys = [(r["lastName"].lower(), int(r["id"])) for r in rows]
        assert keys == sorted(keys)

    def test_deals_by_value(self, api: Api) -> None:
        rows = [d for d in api.all_rows("/deals", "deals", **{"orders[value]": "DESC"}) if not d.get("isDisabled")]
        values = [int(d["value"]) for d in rows]
        assert values == sorted(values, reverse=True)

    def test_paging_an_ordered_collection_has_no_duplicates(self, api: Api) -> None:
        rows = api.all_rows("/contacts", "contacts", **{"orders[cdate]": "DESC"})
        assert len({r["id"] for r in rows}) == len(rows) == int(api.get("/contacts").json()["meta"]["total"])


class TestSideloads:
    def test_contacts_list_has_score_values(self, api: Api) -> None:
        assert api.get("/contacts", limit=1).json()["scoreValues"] == []

    def test_get_contact_sideloads_its_associations(self, api: Api) -> None:
        lists = api.all_rows("/contactLists", "contactLists")
        contact_id = lists[0]["contact"]
        body = api.get(f"/contacts/{contact_id}").json()
        expected = sorted((r["id"] for r in lists if r["contact"] == contact_id), key=int)
        assert body["contact"]["contactLists"] == expected
        assert [r["id"] for r in body["contactLists"]] == expected
        for key in ("contactAutomations", "deals", "fieldValues", "geoIps", "accountContacts"):
            assert key in body and isinstance(body["contact"][key], list)

    def test_include_nested(self, api: Api) -> None:
        body = api.get("/contacts", limit=10, include="contactTags.tag").json()
        tag_ids = {t["tag"] for t in body["contactTags"]}
        assert {t["id"] for t in body["tags"]} == tag_ids
        for contact in body["contacts"]:
            assert set(contact["contactTags"]) <= {t["id"] for t in body["contactTags"]}

    def test_fields_and_pipelines_sideload(self, api: Api) -> None:
        fields = api.get("/fields").json()
        assert {o["field"] for o in fields["fieldOptions"]} <= {f["id"] for f in fields["fields"]}
        assert fields["fieldRels"] == []
        groups = api.get("/dealGroups").json()
        assert sorted(s["id"] for s in groups["dealStages"]) == \
            sorted((s for g in groups["dealGroups"] for s in g["stages"]), key=str)

    def test_contact_subcollections_have_no_meta(self, api: Api) -> None:
        automations = api.all_rows("/contactAutomations", "contactAutomations")
        contact_id = automations[0]["contact"]
        body = api.get(f"/contacts/{contact_id}/contactAutomations").json()
        assert "meta" not in body
        assert {r["id"] for r in body["contactAutomations"]} == \
            {r["id"] for r in automations if r["contact"] == contact_id}
        assert api.get(f"/contacts/{contact_id}/geoIps").json() == {"geoIps": []}

    def test_relation_endpoint(self, api: Api) -> None:
        contact_tag = api.get("/contactTags", limit=1).json()["contactTags"][0]
        tag = api.get(f"/contactTags/{contact_tag['id']}/tag").json()["tag"]
        assert tag["id"] == contact_tag["tag"]

    def test_slashes_are_escaped_like_php(self, api: Api) -> None:
        assert "\\/api\\/3\\/" in api.get("/tags", limit=1).text

    def test_account_counts_need_count_deals(self, api: Api) -> None:
        plain = api.get("/accounts", limit=1).json()["accounts"][0]
        counted = api.get("/accounts", limit=1, count_deals="true").json()["accounts"][0]
        assert plain["contactCount"] is None and counted["contactCount"].isdigit()
