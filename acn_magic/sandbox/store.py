"""One sandbox account's data: tables of rows, indexes, list queries and validated writes.

Rows are kept in the API's GET representation (ids and counters as strings), so what the server
renders is what the store holds. Fields whose name starts with "_" are private to the sandbox.
"""
from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from acn_magic.sandbox.resources import (
    BY_NAME,
    OPERATOR_FORMS,
    BadParameter,
    OrderKey,
    Predicate,
    Record,
    ResourceDef,
    member_of,
)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ApiError(Exception):
    """An answer other than success: HTTP status, JSON body and extra headers."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(res: ResourceDef, ident: str) -> ApiError:
    return ApiError(404, {"message": f"No Result found for {res.not_found_class} with id {ident}"})


def validation_error(title: str, code: str, pointer: str) -> ApiError:
    return ApiError(422, {"errors": [{"title": title, "detail": "", "code": code,
                                      "source": {"pointer": f"/data/attributes/{pointer}"}}]})


def bad_parameter(name: str, detail: str) -> ApiError:
    return ApiError(400, {"errors": [{"title": f"Invalid value for query parameter {name}", "detail": detail,
                                      "source": {"parameter": name}}]})


class AccountClock:
    """The account's wall clock: ISO timestamps carry the account's fixed UTC offset."""

    def __init__(self, offset_hours: int) -> None:
        self.tz = timezone(timedelta(hours=offset_hours))

    def now(self) -> datetime:
        return datetime.now(self.tz).replace(microsecond=0)

    def iso(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).isoformat()

    def sql(self, moment: datetime) -> str:
        # The API's "*_timestamp" fields are local wall time without a zone (even the "utc" ones).
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")

    def to_utc(self, value: str) -> datetime:
        parsed = datetime.fromisoformat(value.replace(" ", "T"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        return parsed.astimezone(timezone.utc)

    def parse_filter_date(self, raw: str) -> datetime:
        """A date filter value: a date (local midnight), a local date-time, or ISO with offset."""
        text = str(raw).strip().replace("Z", "+00:00")
        try:
            return self.to_utc(text)
        except ValueError:
            raise BadParameter(f"Invalid date '{raw}'") from None


@dataclass
class WriteResult:
    status: int
    row: Record
    echo: dict[str, Any]  # the request's own values, which create responses echo with their JSON types


def _storage_value(value: Any) -> Any:
    """Scalars are stored as the API returns them on GET: numbers as strings."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class AccountStore:
    """Tables, indexes and the account's clock, guarded by one lock."""

    def __init__(self, offset_hours: int = -5) -> None:
        self.clock = AccountClock(offset_hours)
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in BY_NAME}
        self.next_id: dict[str, int] = dict.fromkeys(BY_NAME, 1)
        self._indexed: dict[str, tuple[str, ...]] = {name: res.indexed for name, res in BY_NAME.items()}
        self.indexes: dict[tuple[str, str], dict[str, set[str]]] = {
            (res.name, f): defaultdict(set) for res in BY_NAME.values() for f in res.indexed
        }

    # ---- reading -------------------------------------------------------------------------

    def rows(self, name: str) -> list[Record]:
        with self.lock:
            return list(self.tables[name].values())

    def get(self, name: str, ident: str) -> Record | None:
        return self.tables[name].get(str(ident))

    def ids_where(self, name: str, fieldname: str, value: Any) -> set[str]:
        index = self.indexes.get((name, fieldname))
        if index is not None:
            return set(index.get(str(value), ()))
        return {r["id"] for r in self.tables[name].values() if str(r.get(fieldname)) == str(value)}

    def rows_where(self, name: str, fieldname: str, value: Any) -> list[Record]:
        table = self.tables[name]
        return [table[i] for i in sorted(self.ids_where(name, fieldname, value), key=int) if i in table]

    def count(self, name: str) -> int:
        return len(self.tables[name])

    def segment_members(self, segment: Record) -> set[str]:
        rule = segment.get("_rule") or {}
        if "tag" in rule:
            return {r["contact"] for r in self.rows_where("contactTags", "tag", rule["tag"])}
        if "list" in rule:
            return {r["contact"] for r in self.rows_where("contactLists", "list", rule["list"])
                    if str(r["status"]) == str(rule.get("status", "1"))}
        return set()

    # ---- raw insertion (demo data and writes) ----------------------------------------------

    def insert(self, name: str, row: Record) -> Record:
        """Add a row; without an "id" it gets the next one. Callers writing concurrently hold the lock."""
        ident = int(row["id"]) if "id" in row else self.next_id[name]
        row["id"] = str(ident)
        if ident >= self.next_id[name]:
            self.next_id[name] = ident + 1
        self.tables[name][row["id"]] = row
        self._index(name, row)
        return row

    def _index(self, name: str, row: Record) -> None:
        for fieldname in self._indexed[name]:
            value = row.get(fieldname)
            if value is not None:
                self.indexes[(name, fieldname)][str(value)].add(row["id"])

    def _unindex(self, name: str, row: Record) -> None:
        for fieldname in self._indexed[name]:
            value = row.get(fieldname)
            if value is not None:
                self.indexes[(name, fieldname)][str(value)].discard(row["id"])

    # ---- list queries ----------------------------------------------------------------------

    def query(self, name: str, params: dict[str, list[str]]) -> tuple[list[Record], int, int, int]:
        """Filter, order and page a collection; returns (page, total, limit, offset)."""
        res = BY_NAME[name]
        limit = self._int_param(params, "limit", DEFAULT_LIMIT)
        offset = self._int_param(params, "offset", 0)
        if limit <= 0:
            limit = DEFAULT_LIMIT  # the PHP backend treats 0 as "not given"
        limit = min(limit, MAX_LIMIT)  # larger limits are clamped, never honoured
        if offset < 0:
            raise bad_parameter("offset", "offset must not be negative")
        with self.lock:
            predicates = self._predicates(res, params)
            rows: Iterable[Record] = self.tables[name].values()
            matching = [r for r in rows if all(p(r) for p in predicates)] if predicates else list(rows)
            matching = self._order(res, matching, params)
            return matching[offset:offset + limit], len(matching), limit, offset

    @staticmethod
    def _int_param(params: dict[str, list[str]], name: str, default: int) -> int:
        values = params.get(name)
        if not values or values[-1] == "":
            return default
        try:
            return int(values[-1])
        except ValueError:
            raise bad_parameter(name, f"'{values[-1]}' is not an integer") from None

    def _predicates(self, res: ResourceDef, params: dict[str, list[str]]) -> list[Predicate]:
        predicates: list[Predicate] = []
        given = dict(params)
        if "ids[]" in given:
            given["ids"] = [",".join(v for vals in (given.pop("ids[]"), given.get("ids", [])) for v in vals)]
        if res.name == "contacts" and given.get("listid") and given.get("status", ["-1"])[-1] not in ("-1", ""):
            # `listid` with `status` means "in that status on that list", not two separate conditions.
            status = given.pop("status")[-1]
            given["listid"] = given["listid"]
            predicates.append(member_of("contactLists", "list", "contact", {"status": status})(self, given.pop("listid")[-1]))
        for key, values in given.items():
            factory = res.filters.get(key)
            try:
                if factory is not None:
                    if values[-1] == "" and key not in ("search",):
                        continue
                    predicates.append(factory(self, values[-1]))
                elif key.startswith("filters[") and key.count("[") == 2:
                    predicates.append(self._operator_filter(res, key, values[-1]))
            except BadParameter as exc:
                raise bad_parameter(key, str(exc)) from None
            # Unknown parameters are ignored, as the API does.
        return predicates

    @staticmethod
    def _operator_filter(res: ResourceDef, key: str, value: str) -> Predicate:
        inner = key[len("filters["):-1]
        fieldname, _, op = inner.partition("][")
        target = res.operator_filters.get(fieldname)
        if target is None or op not in OPERATOR_FORMS:
            return lambda r: True
        test = OPERATOR_FORMS[op](target, value)
        return lambda r: test(str(r.get(target) or ""))

    def _order(self, res: ResourceDef, rows: list[Record], params: dict[str, list[str]]) -> list[Record]:
        orders: list[tuple[str, bool]] = []
        for key, values in params.items():
            if key.startswith("orders[") and key.endswith("]"):
                fieldname = key[len("orders["):-1]
                direction = values[-1].strip().upper()
                if fieldname in res.orders and direction in ("ASC", "DESC"):
                    orders.append((fieldname, direction == "DESC"))
        # Stable sorts from the last key to the first; the id order underneath breaks ties.
        for fieldname, descending in reversed(orders):
            order_key = res.orders[fieldname]

            def sort_key(row: Record, order_key: OrderKey = order_key) -> Any:
                return order_key(row, self)

            rows = sorted(rows, key=sort_key, reverse=descending)
        return rows

    # ---- writes --------------------------------------------------------------------------

    def create(self, name: str, body: dict[str, Any]) -> WriteResult:
        res = BY_NAME[name]
        given = self._envelope(res, body)
        with self.lock:
            special = self._create_special(res, given)
            if special is not None:
                return special
            self._check_required(res, given)
            self._check_refs(res, given)
            self._check_unique(res, given, None)
            row = {k: _storage_value(v) for k, v in given.items() if k != "id"}
            self._stamp(res, row, created=True)
            if name == "contacts":
                row.setdefault("firstName", "")
                row.setdefault("lastName", "")
                row.setdefault("phone", "")
                row["hash"] = hashlib.md5(f"{row['email']}{row['cdate']}".encode()).hexdigest()
                row["email_local"], row["email_domain"] = "", ""
            if name == "deals":
                self._check_stage_in_group(row)
                row["hash"] = hashlib.md5(f"{row['title']}{row['cdate']}".encode()).hexdigest()[:8]
            self.insert(name, row)
            return WriteResult(201, row, given)

    def _create_special(self, res: ResourceDef, given: dict[str, Any]) -> WriteResult | None:
        """Creates with their own rules: upserts and the contactTags error shapes."""
        if res.name == "contactTags":
            if not given.get("tag"):
                raise bad_parameter("contactTag.tag", "No tag id provided")
            if not given.get("contact"):
                raise ApiError(422, {"errors": [{"status": 422, "title": "Missing attribute",
                                                 "source": {"pointer": "/data/attributes/contact"}}]})
            for ref, label in (("contact", "Contact"), ("tag", "Tag")):
                if self.get(res.refs[ref], str(given[ref])) is None:
                    raise ApiError(404, {"errors": [{"status": 404, "title": "Not Found", "detail": f"{label} not found"}]})
            existing = self._find_pair("contactTags", "contact", given["contact"], "tag", given["tag"])
            if existing is not None:  # tagging twice keeps one association
                return WriteResult(201, existing, given)
        if res.name == "contactLists":
            self._check_required(res, given)
            self._check_refs(res, given)
            existing = self._find_pair("contactLists", "contact", given["contact"], "list", given["list"])
            if existing is not None:  # subscribe/unsubscribe changes the one membership row
                existing["status"] = _storage_value(given["status"])
                self._stamp(res, existing, created=False)
                existing["udate"] = self.clock.iso(self.clock.now())
                return WriteResult(201, existing, given)
        if res.name == "fieldValues":
            self._check_required(res, given)
            self._check_refs(res, given)
            existing = self._find_pair("fieldValues", "contact", given["contact"], "field", given["field"])
            if existing is not None:  # one value per contact and field
                existing["value"] = _storage_value(given["value"])
                self._stamp(res, existing, created=False)
                return WriteResult(201, existing, given)
        return None

    def _find_pair(self, name: str, f1: str, v1: Any, f2: str, v2: Any) -> Record | None:
        for row in self.rows_where(name, f1, str(v1)):
            if str(row.get(f2)) == str(v2):
                return row
        return None

    def sync_contact(self, body: dict[str, Any]) -> WriteResult:
        """POST /contact/sync: update the contact with that email, else create it."""
        given = self._envelope(BY_NAME["contacts"], body)
        with self.lock:
            email = str(given.get("email") or "")
            if not email:
                raise validation_error("Contact Email Address is not valid.", "field_missing", "email")
            ids = self.ids_where("contacts", "email", email) or {
                r["id"] for r in self.tables["contacts"].values() if r["email"].lower() == email.lower()}
            if ids:
                result = self.update("contacts", sorted(ids, key=int)[0], body)
                return WriteResult(200, result.row, result.echo)
            return self.create("contacts", body)

    def update(self, name: str, ident: str, body: dict[str, Any]) -> WriteResult:
        res = BY_NAME[name]
        given = self._envelope(res, body)
        with self.lock:
            row = self.get(name, ident)
            if row is None or row.get("_disabled"):
                raise not_found(res, ident)
            self._check_refs(res, given)
            self._check_unique(res, given, row["id"])
            for fieldname in res.required:
                if fieldname in given and given[fieldname] in (None, ""):
                    raise validation_error(f"The {res.singular} {fieldname} was not provided.", "field_missing", fieldname)
            self._unindex(name, row)
            row.update({k: _storage_value(v) for k, v in given.items() if k != "id"})
            self._stamp(res, row, created=False)
            self._index(name, row)
            if name == "deals":
                self._check_stage_in_group(row)
            return WriteResult(200, row, {})

    def delete(self, name: str, ident: str) -> None:
        res = BY_NAME[name]
        with self.lock:
            row = self.get(name, ident)
            if row is None:
                raise not_found(res, ident)
            if name in ("dealGroups", "dealStages"):
                fk = "group" if name == "dealGroups" else "stage"
                if self.ids_where("deals", fk, ident):
                    raise validation_error(f"The {res.singular} still holds deals; move or delete them first.",
                                           "field_invalid", "id")
            self._remove(name, row)
            for child, fk in CASCADES.get(name, ()):
                for child_row in self.rows_where(child, fk, ident):
                    self._remove(child, child_row)

    def _remove(self, name: str, row: Record) -> None:
        self._unindex(name, row)
        self.tables[name].pop(row["id"], None)

    # ---- validation helpers ------------------------------------------------------------------

    @staticmethod
    def _envelope(res: ResourceDef, body: dict[str, Any]) -> dict[str, Any]:
        inner = body.get(res.singular) if isinstance(body, dict) else None
        if not isinstance(inner, dict):
            raise ApiError(422, {"errors": [{"title": f"The request body must hold a '{res.singular}' object.",
                                             "detail": "", "code": "field_missing",
                                             "source": {"pointer": "/data"}}]})
        return inner

    @staticmethod
    def _check_required(res: ResourceDef, given: dict[str, Any]) -> None:
        for fieldname in res.required:
            if given.get(fieldname) in (None, ""):
                label = "Email address" if fieldname == "email" else f"The {res.singular} {fieldname}"
                raise validation_error(f"{label} was not provided.", "field_missing", fieldname)
        if res.one_of_required and not any(given.get(f) not in (None, "") for f in res.one_of_required):
            names = " or ".join(res.one_of_required)
            raise validation_error(f"The {res.singular} needs a {names}.", "field_missing", res.one_of_required[0])
        if res.name in ("contacts", "users") and "email" in given and "@" not in str(given["email"]):
            raise validation_error("Email address is not valid.", "field_invalid", "email")

    def _check_refs(self, res: ResourceDef, given: dict[str, Any]) -> None:
        for fieldname, target in res.refs.items():
            value = given.get(fieldname)
            if value in (None, "", 0, "0"):
                continue
            if self.get(target, str(value)) is None:
                raise validation_error(f"No {BY_NAME[target].singular} with id {value} exists.", "field_invalid",
                                       fieldname)

    def _check_unique(self, res: ResourceDef, given: dict[str, Any], own_id: str | None) -> None:
        for fieldname in res.unique:
            if fieldname not in given:
                continue
            value = str(given[fieldname]).lower()
            clash = any(r["id"] != own_id and str(r.get(fieldname, "")).lower() == value
                        for r in self.tables[res.name].values())
            if clash:
                label = "Email address" if fieldname == "email" else fieldname.capitalize()
                raise validation_error(f"{label} already exists in the system", "duplicate", fieldname)

    def _check_stage_in_group(self, row: Record) -> None:
        stage = self.get("dealStages", str(row.get("stage")))
        if stage is not None and str(stage["group"]) != str(row.get("group")):
            raise ApiError(422, {"errors": [{"detail": "Target stage does not belong to same pipeline",
                                             "source": {"pointer": "/data/attributes/stage"}, "status": 422,
                                             "title": "Invalid attribute"}]})

    def _stamp(self, res: ResourceDef, row: Record, *, created: bool) -> None:
        now = self.clock.now()
        if created and res.created_field:
            row[res.created_field] = self.clock.iso(now)
        if res.updated_field:
            row[res.updated_field] = self.clock.iso(now)
        if res.sql_timestamps:
            if created:
                row["created_timestamp"] = self.clock.sql(now)
            row["updated_timestamp"] = self.clock.sql(now)
            if res.name == "contacts":
                if created:
                    row["created_utc_timestamp"] = self.clock.sql(now)
                row["updated_utc_timestamp"] = self.clock.sql(now)


# Association rows that go with their parent.
CASCADES: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("contactTags", "contact"), ("contactLists", "contact"), ("fieldValues", "contact"),
                 ("contactAutomations", "contact"), ("accountContacts", "contact"), ("contactDeals", "contact")),
    "tags": (("contactTags", "tag"),),
    "lists": (("contactLists", "list"),),
    "fields": (("fieldValues", "field"), ("fieldOptions", "field")),
    "accounts": (("accountContacts", "account"), ("accountCustomFieldData", "customerAccountId")),
    "deals": (("contactDeals", "deal"), ("dealCustomFieldData", "dealId"), ("dealTasks", "relid")),
    "ecomOrders": (("ecomOrderProducts", "orderid"),),
    "automations": (("contactAutomations", "seriesid"),),
}
