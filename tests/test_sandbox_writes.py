"""The sandbox's write side: validation shapes, and changes visible in later reads."""
from __future__ import annotations

from tests.conftest import Api


def test_create_contact_answers_201_and_shows_in_reads(fresh_api: Api) -> None:
    before = int(fresh_api.get("/contacts").json()["meta"]["total"])
    response = fresh_api.post("/contacts", {"contact": {"email": "new.person@example.com", "firstName": "Nova"}})
    assert response.status_code == 201
    created = response.json()["contact"]
    assert created["email"] == "new.person@example.com" and created["id"].isdigit()
    assert int(fresh_api.get("/contacts").json()["meta"]["total"]) == before + 1
    found = fresh_api.get("/contacts", email="new.person@example.com").json()["contacts"]
    assert [c["id"] for c in found] == [created["id"]]
    assert found[0]["firstName"] == "Nova" and found[0]["cdate"] == created["cdate"]


def test_create_echoes_request_types(fresh_api: Api) -> None:
    deal = fresh_api.get("/deals", **{"filters[status]": 0}).json()["deals"]
    template = next(d for d in deal if not d.get("isDisabled"))
    body = {"deal": {"title": "Echo", "value": 15624, "currency": "usd", "group": int(template["group"]),
                     "stage": int(template["stage"]), "owner": 1, "contact": int(template["contact"])}}
    created = fresh_api.post("/deals", body).json()
    assert created["deal"]["value"] == 15624 and created["deal"]["stage"] == int(template["stage"])
    again = fresh_api.get(f"/deals/{created['deal']['id']}").json()["deal"]
    assert again["value"] == "15624" and again["stage"] == template["stage"]
    assert [c["id"] for c in created["contacts"]] == [template["contact"]]


def test_duplicate_email_is_422_duplicate(fresh_api: Api) -> None:
    existing = fresh_api.get("/contacts", limit=1).json()["contacts"][0]["email"]
    response = fresh_api.post("/contacts", {"contact": {"email": existing.upper()}})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "duplicate" and error["source"]["pointer"] == "/data/attributes/email"
    assert error["title"] == "Email address already exists in the system"


def test_missing_required_field_is_422_field_missing(fresh_api: Api) -> None:
    response = fresh_api.post("/accounts", {"account": {"accountUrl": "https://x.example"}})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "field_missing" and error["source"]["pointer"] == "/data/attributes/name"
    assert fresh_api.post("/contacts", {"contact": {"firstName": "No email"}}).status_code == 422


def test_contact_tag_errors_have_the_real_shapes(fresh_api: Api) -> None:
    missing_tag = fresh_api.post("/contactTags", {"contactTag": {"contact": "1"}})
    assert missing_tag.status_code == 400
    assert missing_tag.json()["errors"][0]["source"] == {"parameter": "contactTag.tag"}
    missing_contact = fresh_api.post("/contactTags", {"contactTag": {"tag": "1"}})
    assert missing_contact.status_code == 422 and missing_contact.json()["errors"][0]["title"] == "Missing attribute"
    unknown = fresh_api.post("/contactTags", {"contactTag": {"contact": "999999", "tag": "1"}})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["detail"] == "Contact not found"


def test_not_found_message_names_the_class(fresh_api: Api) -> None:
    for path, cls in (("/contacts/999999", "Subscriber"), ("/tags/31000", "Tag"), ("/lists/999", "_List"),
                      ("/contactTags/999999", "SubscriberTag"), ("/dealGroups/99", "DealGroup")):
        response = fresh_api.get(path)
        assert response.status_code == 404
        assert response.json() == {"message": f"No Result found for {cls} with id {path.rsplit('/', 1)[1]}"}


def test_tagging_updates_counts_and_association_reads(fresh_api: Api) -> None:
    tag = fresh_api.get("/tags/5").json()["tag"]
    untagged = next(c for c in fresh_api.get("/contacts", limit=100).json()["contacts"]
                    if c["id"] not in {t["contact"] for t in fresh_api.get("/contactTags", limit=100,
                                                                            offset=0).json()["contactTags"]
                                       if t["tag"] == "5"} and
                    c["id"] not in {r["id"] for r in fresh_api.get("/contacts", tagid=5, limit=100).json()["contacts"]})
    created = fresh_api.post("/contactTags", {"contactTag": {"contact": untagged["id"], "tag": "5"}})
    assert created.status_code == 201
    link = created.json()["contactTag"]
    assert fresh_api.get("/tags/5").json()["tag"]["subscriber_count"] == str(int(tag["subscriber_count"]) + 1)
    assert untagged["id"] in {c["id"] for c in fresh_api.get("/contacts", tagid=5, limit=100).json()["contacts"]}
    # Tagging again keeps one association.
    again = fresh_api.post("/contactTags", {"contactTag": {"contact": untagged["id"], "tag": "5"}})
    assert again.json()["contactTag"]["id"] == link["id"]
    assert fresh_api.delete(f"/contactTags/{link['id']}").json() == {}
    assert fresh_api.get("/tags/5").json()["tag"]["subscriber_count"] == tag["subscriber_count"]
    assert fresh_api.get(f"/contactTags/{link['id']}").status_code == 404


def test_subscribe_and_unsubscribe_change_one_membership(fresh_api: Api) -> None:
    body = {"contactList": {"list": 7, "contact": 3, "status": 1}}
    first = fresh_api.post("/contactLists", body)
    assert first.status_code == 201 and "contacts" in first.json()
    membership = first.json()["contactList"]["id"]
    body["contactList"]["status"] = 2
    second = fresh_api.post("/contactLists", body).json()["contactList"]
    assert second["id"] == membership and second["status"] == 2
    rows = [r for r in fresh_api.get("/contacts/3/contactLists").json()["contactLists"] if r["list"] == "7"]
    assert [(r["id"], r["status"]) for r in rows] == [(membership, "2")]
    assert "3" in {c["id"] for c in fresh_api.get("/contacts", listid=7, status=2, limit=100).json()["contacts"]}


def test_update_changes_fields_and_stamps_udate(fresh_api: Api) -> None:
    response = fresh_api.put("/contacts/4", {"contact": {"firstName": "Renamed", "lastName": "Person"}})
    assert response.status_code == 200
    again = fresh_api.get("/contacts/4").json()["contact"]
    assert (again["firstName"], again["lastName"]) == ("Renamed", "Person")
    assert again["udate"] >= again["cdate"]
    assert fresh_api.put("/contacts/999999", {"contact": {"firstName": "x"}}).status_code == 404


def test_deal_stage_must_belong_to_pipeline(fresh_api: Api) -> None:
    stages = fresh_api.get("/dealStages", limit=100).json()["dealStages"]
    other_group_stage = next(s for s in stages if s["group"] != "1")
    response = fresh_api.put("/deals/2", {"deal": {"group": "1", "stage": other_group_stage["id"]}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"] == "Target stage does not belong to same pipeline"


def test_delete_contact_removes_its_associations(fresh_api: Api) -> None:
    tagged = fresh_api.get("/contactTags", limit=1).json()["contactTags"][0]["contact"]
    assert fresh_api.delete(f"/contacts/{tagged}").status_code == 200
    assert fresh_api.get(f"/contacts/{tagged}").status_code == 404
    assert tagged not in {t["contact"] for t in fresh_api.all_rows("/contactTags", "contactTags")}
    assert fresh_api.delete(f"/contacts/{tagged}").status_code == 404


def test_list_update_quirk(fresh_api: Api) -> None:
    response = fresh_api.put("/lists/1", {"list": {"name": "Renamed"}})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["X-Ac-Error"] == "Code 9001"
    assert fresh_api.get("/lists/1").json()["list"]["name"] == "Newsletter"


def test_contact_sync_upserts_by_email(fresh_api: Api) -> None:
    created = fresh_api.post("/contact/sync", {"contact": {"email": "sync@example.com", "firstName": "A"}})
    assert created.status_code == 201
    updated = fresh_api.post("/contact/sync", {"contact": {"email": "sync@example.com", "firstName": "B"}})
    assert updated.status_code == 200 and updated.json()["contact"]["id"] == created.json()["contact"]["id"]


def test_read_only_resources_refuse_writes(fresh_api: Api) -> None:
    assert fresh_api.post("/automations", {"automation": {"name": "x"}}).status_code == 404
    assert fresh_api.delete("/activities/1").status_code == 404
    assert fresh_api.put("/contactTags/1", {"contactTag": {"tag": "2"}}).status_code == 404


def test_bad_json_body_is_400(fresh_api: Api) -> None:
    response = fresh_api.http.post(fresh_api.base + "/contacts", data=b"{not json",
                                   headers={"Api-Token": fresh_api.key, "Content-Type": "application/json"})
    assert response.status_code == 400
