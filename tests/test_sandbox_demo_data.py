"""The demo data is deterministic and internally consistent."""
from __future__ import annotations

from acn_magic.sandbox import Sandbox
from acn_magic.sandbox.resources import BY_NAME
from acn_magic.sandbox.store import AccountStore

FOREIGN_KEYS = {
    "contactTags": {"contact": "contacts", "tag": "tags"},
    "contactLists": {"contact": "contacts", "list": "lists", "form": "forms"},
    "fieldValues": {"contact": "contacts", "field": "fields"},
    "fieldOptions": {"field": "fields"},
    "deals": {"contact": "contacts", "stage": "dealStages", "group": "dealGroups", "owner": "users",
              "account": "accounts"},
    "dealStages": {"group": "dealGroups"},
    "dealTasks": {"relid": "deals", "dealTasktype": "dealTasktypes"},
    "contactDeals": {"deal": "deals", "contact": "contacts"},
    "accountContacts": {"account": "accounts", "contact": "contacts"},
    "contactAutomations": {"contact": "contacts", "automation": "automations"},
    "dealCustomFieldData": {"dealId": "deals", "customFieldId": "dealCustomFieldMeta"},
    "accountCustomFieldData": {"customerAccountId": "accounts", "customFieldId": "accountCustomFieldMeta"},
    "ecomCustomers": {"connectionid": "connections"},
    "ecomOrders": {"customerid": "ecomCustomers", "connectionid": "connections"},
    "ecomOrderProducts": {"orderid": "ecomOrders"},
    "bounceLogs": {"subscriberid": "contacts", "campaignid": "campaigns", "messageid": "messages"},
    "activities": {"subscriberid": "contacts"},
}


def _store(seed: int = 9, contacts: int = 800) -> AccountStore:
    return Sandbox(contacts=contacts, seed=seed).store()


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = _store(9), _store(9), _store(10)
    assert a.rows("contacts") == b.rows("contacts") and a.rows("deals") == b.rows("deals")
    assert a.rows("contacts") != c.rows("contacts")


def test_every_foreign_key_points_at_a_row() -> None:
    store = _store()
    for table, keys in FOREIGN_KEYS.items():
        for row in store.rows(table):
            for field, target in keys.items():
                value = row.get(field)
                if value is not None:
                    assert store.get(target, str(value)) is not None, (table, field, value)


def test_consistency_rules() -> None:
    store = _store()
    for deal in store.rows("deals"):
        assert store.get("dealStages", deal["stage"])["group"] == deal["group"]  # type: ignore[index]
    statuses = {r["status"] for r in store.rows("contactLists")}
    assert statuses == {"0", "1", "2", "3"}
    assert any(c["lastName"] == "" for c in store.rows("contacts"))
    assert any(not c["firstName"].isascii() or not c["lastName"].isascii() for c in store.rows("contacts"))
    pairs = [(r["contact"], r["tag"]) for r in store.rows("contactTags")]
    assert len(pairs) == len(set(pairs))
    for campaign in store.rows("campaigns"):
        send, opens, uniq = int(campaign["send_amt"]), int(campaign["opens"]), int(campaign["uniqueopens"])
        assert uniq <= send and uniq <= opens
        assert int(campaign["uniquelinkclicks"]) <= uniq
        bounces = [b for b in store.rows("bounceLogs") if b["campaignid"] == campaign["id"]]
        assert len(bounces) == int(campaign["hardbounces"]) + int(campaign["softbounces"])
    for order in store.rows("ecomOrders"):
        lines = store.rows_where("ecomOrderProducts", "orderid", order["id"])
        subtotal = sum(int(p["price"]) * int(p["quantity"]) for p in lines)
        assert int(order["totalPrice"]) == subtotal + int(order["shippingAmount"]) + int(order["taxAmount"]) - \
            int(order["discountAmount"])
    field_types = {f["id"]: f["type"] for f in store.rows("fields")}
    options = {}
    for option in store.rows("fieldOptions"):
        options.setdefault(option["field"], set()).add(option["value"])
    for value in store.rows("fieldValues"):
        kind = field_types[value["field"]]
        if kind in ("dropdown", "radio"):
            assert value["value"] in options[value["field"]]
        if kind == "checkbox":
            assert value["value"].startswith("||") and set(value["value"].strip("|").split("||")) <= options[value["field"]]
        if kind == "date":
            assert len(value["value"]) == 10


def test_every_resource_has_rows() -> None:
    store = _store(contacts=300)
    assert [name for name in BY_NAME if store.count(name) == 0] == []
