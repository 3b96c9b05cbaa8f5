"""How the sandbox renders rows: defaults, computed counters, absolute links, sideloads, envelopes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acn_magic.sandbox.resources import BY_NAME, Record, ResourceDef
from acn_magic.sandbox.store import AccountStore

# Id arrays that GET /contacts/{id} puts on the contact, each sideloaded at the top level too.
CONTACT_SINGLE_SIDELOADS = ("contactAutomations", "contactLists", "deals", "fieldValues", "geoIps", "accountContacts")


@dataclass
class RenderContext:
    store: AccountStore
    api_base: str  # absolute, e.g. http://127.0.0.1:5555/demo/api/3
    count_deals: bool = False


def render_row(ctx: RenderContext, res: ResourceDef, row: Record) -> Record:
    if row.get("_disabled"):
        return {"title": row.get("title"), "id": row["id"], "isDisabled": True}
    out: Record = dict(res.defaults)
    out.update((k, v) for k, v in row.items() if not k.startswith("_") and k != "id")
    out.update(_computed(ctx, res, row))
    out["links"] = _links(ctx, res, row["id"])
    out["id"] = row["id"]
    return out


def _links(ctx: RenderContext, res: ResourceDef, ident: str) -> dict[str, str] | list[Any]:
    if not res.links:
        return []
    base = f"{ctx.api_base}/{res.name}/{ident}"
    links = {rel: f"{base}/{rel}" for rel in res.links}
    if res.name == "contacts":
        links["contactAutomations"] += "?limit=1000&orders%5Blastdate%5D=DESC"
    return links


def _computed(ctx: RenderContext, res: ResourceDef, row: Record) -> Record:
    s, ident = ctx.store, row["id"]
    if res.name == "tags":
        return {"subscriber_count": str(len(s.ids_where("contactTags", "tag", ident)))}
    if res.name == "dealGroups":
        return {"stages": sorted(s.ids_where("dealStages", "group", ident), key=int)}
    if res.name == "fields":
        return {"options": sorted(s.ids_where("fieldOptions", "field", ident), key=int), "relations": []}
    if res.name == "accounts":
        if not ctx.count_deals:  # the API computes these only when asked with count_deals
            return {"contactCount": None, "dealCount": None}
        return {"contactCount": str(len(s.ids_where("accountContacts", "account", ident))),
                "dealCount": str(len(s.ids_where("deals", "account", ident)))}
    if res.name == "automations":
        runs = s.rows_where("contactAutomations", "seriesid", ident)
        return {"entered": str(len(runs)), "exited": str(sum(1 for r in runs if r["status"] == "2"))}
    if res.name == "ecomOrders":
        return {"orderProducts": list(row.get("_products", []))}
    if res.name == "ecomCustomers":
        orders = s.rows_where("ecomOrders", "customerid", ident)
        revenue = sum(int(o["totalPrice"]) for o in orders)
        products = sum(int(o["totalProducts"]) for o in orders)
        return {"totalRevenue": str(revenue), "totalOrders": str(len(orders)), "totalProducts": str(products),
                "avgRevenuePerOrder": str(revenue // len(orders)) if orders else "0"}
    return {}


def list_body(ctx: RenderContext, res: ResourceDef, rows: list[Record], total: int, limit: int, offset: int,
              params: dict[str, list[str]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if res.name == "contacts":
        body["scoreValues"] = []  # an implicit sideload on every contacts list
    body[res.name] = [render_row(ctx, res, r) for r in rows]
    if res.name == "fields":
        body["fieldOptions"] = _related_rows(ctx, "fieldOptions", "field", [r["id"] for r in rows])
        body["fieldRels"] = []
    if res.name == "dealGroups":
        body["dealStages"] = _related_rows(ctx, "dealStages", "group", [r["id"] for r in rows])
    _sideload_includes(ctx, res, rows, body, params)
    body["meta"] = _meta(ctx, res, total, limit, offset, params)
    return body


def _meta(ctx: RenderContext, res: ResourceDef, total: int, limit: int, offset: int,
          params: dict[str, list[str]]) -> dict[str, Any]:
    meta: dict[str, Any] = {"total": total if res.total_as_int else str(total)}
    if res.name == "contacts":
        def given(name: str, default: Any) -> Any:
            values = params.get(name)
            return values[-1] if values else default

        meta["sortable"] = True
        meta["page_input"] = {
            "segmentid": int(given("segmentid", 0) or 0), "formid": int(given("formid", 0) or 0),
            "listid": int(given("listid", 0) or 0), "tagid": int(given("tagid", 0) or 0), "limit": limit,
            "offset": offset, "search": given("search", None), "sort": None,
            "seriesid": int(given("seriesid", 0) or 0), "waitid": 0, "status": int(given("status", -1) or -1),
            "forceQuery": 0, "cacheid": "0" * 32,
        }
        if "email" in params:
            meta["page_input"]["email"] = params["email"][-1]
    elif res.name == "deals":
        meta["currencies"] = _deal_currencies(ctx)
    elif res.name == "automations":
        meta.update({"starts": [], "filtered": False, "smsLogs": []})
    elif res.name == "contactAutomations":
        meta["showcase_stats"] = []
    elif res.name == "fields":
        meta["selected"] = None
    return meta


def _deal_currencies(ctx: RenderContext) -> dict[str, Any]:
    totals: dict[str, list[int]] = {}
    for deal in ctx.store.rows("deals"):
        cur = str(deal.get("currency") or "usd").upper()
        entry = totals.setdefault(cur, [0, 0])
        entry[0] += 1
        entry[1] += int(deal.get("value") or 0)
    return {cur: {"total": str(n), "value": str(v), "currency": cur, "isDisabled": False}
            for cur, (n, v) in totals.items()}


def _related_rows(ctx: RenderContext, target: str, fk: str, parent_ids: list[str]) -> list[Record]:
    res = BY_NAME[target]
    found: dict[str, Record] = {}
    for pid in parent_ids:
        for row in ctx.store.rows_where(target, fk, pid):
            found[row["id"]] = row
    return [render_row(ctx, res, found[i]) for i in sorted(found, key=int)]


def _sideload_includes(ctx: RenderContext, res: ResourceDef, rows: list[Record], body: dict[str, Any],
                       params: dict[str, list[str]]) -> None:
    """`include=a,b.c`: add each relationship's rows at the top level and id references on the rows."""
    raw = ",".join(params.get("include", []))
    for path in (p.strip() for p in raw.split(",") if p.strip()):
        current_res, current_rows, current_out = res, rows, body[res.name]
        for step in path.split("."):
            inc = current_res.includes.get(step)
            if inc is None:
                break  # unknown relationships are ignored
            target = BY_NAME[inc.target]
            related: dict[str, Record] = {}
            for row, out in zip(current_rows, current_out, strict=True):
                if inc.fk:
                    rel = ctx.store.get(target.name, str(row.get(inc.fk)))
                    if rel is not None:
                        related[rel["id"]] = rel
                else:
                    assert inc.reverse is not None
                    children = ctx.store.rows_where(target.name, inc.reverse, row["id"])
                    out[step] = [c["id"] for c in children]
                    related.update((c["id"], c) for c in children)
            known = {r["id"]: r for r in body.get(target.name, [])}
            for ident, rel_row in related.items():
                known.setdefault(ident, render_row(ctx, target, rel_row))
            body[target.name] = [known[i] for i in sorted(known, key=int)]
            current_res = target
            current_rows = [related[i] for i in sorted(related, key=int)]
            current_out = [known[r["id"]] for r in current_rows]


def single_body(ctx: RenderContext, res: ResourceDef, row: Record) -> dict[str, Any]:
    body: dict[str, Any] = {}
    rendered = render_row(ctx, res, row)
    if res.name == "contacts":
        for name in CONTACT_SINGLE_SIDELOADS:
            children = [] if name == "geoIps" else ctx.store.rows_where(name, "contact", row["id"])
            body[name] = [render_row(ctx, BY_NAME[name], c) for c in children]
            rendered[name] = [c["id"] for c in children]
    if res.name == "fields":
        body["fieldOptions"] = _related_rows(ctx, "fieldOptions", "field", [row["id"]])
        body["fieldRels"] = []
    if res.name == "dealGroups":
        body["dealStages"] = _related_rows(ctx, "dealStages", "group", [row["id"]])
    body[res.singular] = rendered
    return body


def write_body(ctx: RenderContext, res: ResourceDef, row: Record, echo: dict[str, Any]) -> dict[str, Any]:
    """A create/update answer: the row, with the request's own values in their JSON types."""
    rendered = render_row(ctx, res, row)
    rendered.update((k, v) for k, v in echo.items() if k != "id")
    body: dict[str, Any] = {res.singular: rendered}
    contact_fk = {"contactTags": "contact", "contactLists": "contact", "fieldValues": "contact", "deals": "contact"}
    if res.name in contact_fk:
        contact = ctx.store.get("contacts", str(row.get(contact_fk[res.name])))
        body["contacts"] = [render_row(ctx, BY_NAME["contacts"], contact)] if contact else []
    return body


def subcollection_body(ctx: RenderContext, name: str, rows: list[Record], res: ResourceDef | None) -> dict[str, Any]:
    """Collections under /contacts/{id}/...: every row, and no `meta` at all."""
    return {name: [render_row(ctx, res, r) for r in rows] if res else []}
