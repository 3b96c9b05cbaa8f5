"""The sandbox's own description of the ActiveCampaign v3 resources it serves.

Written from the API reference, independently of the driver's catalog, so that a mistake in the
driver's table specs is caught by the sandbox rather than mirrored by it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from acn_magic.sandbox.store import AccountStore

Record = dict[str, Any]
# A filter turns the raw query-string value into a row predicate; it may consult the store
# (membership filters such as `listid` look at association rows).
Predicate = Callable[[Record], bool]
FilterFactory = Callable[["AccountStore", str], Predicate]
# An order key sees the row and the store (deals sort by their contact's name).
OrderKey = Callable[[Record, "AccountStore"], Any]


class BadParameter(ValueError):
    """A query parameter value the API would reject with 400."""


def _as_int(raw: str, name: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise BadParameter(f"Invalid value for query parameter {name}") from None


def eq(fieldname: str) -> FilterFactory:
    """Exact match on the field's string form (ids compared numerically)."""

    def make(_store: AccountStore, raw: str) -> Predicate:
        want = str(raw)
        if want.lstrip("-").isdigit():
            want = str(int(want))
        return lambda r: str(r.get(fieldname)) == want

    return make


def contains(*fieldnames: str) -> FilterFactory:
    """Case-insensitive substring match on any of the fields (MySQL collation semantics)."""

    def make(_store: AccountStore, raw: str) -> Predicate:
        needle = str(raw).lower()
        return lambda r: any(needle in str(r.get(f) or "").lower() for f in fieldnames)

    return make


def prefix(fieldname: str) -> FilterFactory:
    def make(_store: AccountStore, raw: str) -> Predicate:
        start = str(raw).lower()
        return lambda r: str(r.get(fieldname) or "").lower().startswith(start)

    return make


def int_compare(fieldname: str, op: str, scale: float = 1.0) -> FilterFactory:
    """Numeric comparison; `scale` converts the parameter's unit into the field's (dollars → cents)."""
    ops: dict[str, Callable[[float, float], bool]] = {
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        "!=": lambda a, b: a != b,
    }
    compare = ops[op]

    def make(_store: AccountStore, raw: str) -> Predicate:
        try:
            bound = float(str(raw).strip()) * scale
        except ValueError:
            raise BadParameter(f"Invalid value for query parameter {fieldname}") from None

        def pred(r: Record) -> bool:
            value = r.get(fieldname)
            if value is None or value == "":
                return False
            return compare(float(value), bound)

        return pred

    return make


def date_compare(fieldname: str, op: str) -> FilterFactory:
    """Date filters (`filters[created_after]` ...): compare in the account's own time zone."""

    def make(store: AccountStore, raw: str) -> Predicate:
        bound = store.clock.parse_filter_date(raw)
        if op == "<":
            return lambda r: bool(r.get(fieldname)) and store.clock.to_utc(r[fieldname]) < bound
        return lambda r: bool(r.get(fieldname)) and store.clock.to_utc(r[fieldname]) >= bound

    return make


def id_set(fieldname: str = "id") -> FilterFactory:
    def make(_store: AccountStore, raw: str) -> Predicate:
        wanted = {str(int(v)) for v in str(raw).split(",") if v.strip().lstrip("-").isdigit()}
        return lambda r: str(r.get(fieldname)) in wanted

    return make


def member_of(assoc: str, assoc_fk: str, parent_fk: str, extra: dict[str, str] | None = None) -> FilterFactory:
    """Rows that have an association row (e.g. contacts with a contactTag for the given tag)."""

    def make(store: AccountStore, raw: str) -> Predicate:
        key = str(_as_int(raw, assoc_fk))
        parents = set()
        for row in store.rows_where(assoc, assoc_fk, key):
            if extra and any(str(row.get(k)) != v for k, v in extra.items()):
                continue
            parents.add(str(row[parent_fk]))
        return lambda r: str(r["id"]) in parents

    return make


def contact_status(store: AccountStore, raw: str) -> Predicate:
    """Contacts `status`: -1 any; otherwise contacts with a list membership in that status."""
    status = _as_int(raw, "status")
    if status == -1:
        return lambda r: True
    ids = {str(row["contact"]) for row in store.rows("contactLists") if str(row["status"]) == str(status)}
    return lambda r: str(r["id"]) in ids


def contact_segment(store: AccountStore, raw: str) -> Predicate:
    segment = store.get("segments", str(_as_int(raw, "segmentid")))
    if segment is None:
        return lambda r: False
    ids = store.segment_members(segment)
    return lambda r: str(r["id"]) in ids


def contact_series(store: AccountStore, raw: str) -> Predicate:
    key = str(_as_int(raw, "seriesid"))
    ids = {str(row["contact"]) for row in store.rows_where("contactAutomations", "seriesid", key)}
    return lambda r: str(r["id"]) in ids


def contact_search(_store: AccountStore, raw: str) -> Predicate:
    needle = str(raw).lower()
    fields = ("firstName", "lastName", "email", "phone", "orgname")

    def pred(r: Record) -> bool:
        full = f"{r.get('firstName') or ''} {r.get('lastName') or ''}".lower()
        return needle in full or any(needle in str(r.get(f) or "").lower() for f in fields)

    return pred


def deal_tag(store: AccountStore, raw: str) -> Predicate:
    """Deals whose primary contact carries the tag."""
    key = str(_as_int(raw, "filters[tag]"))
    contacts = {str(row["contact"]) for row in store.rows_where("contactTags", "tag", key)}
    return lambda r: str(r.get("contact")) in contacts


def deal_search(store: AccountStore, raw: str) -> Predicate:
    needle = str(raw).lower()

    def pred(r: Record) -> bool:
        if needle in str(r.get("title") or "").lower():
            return True
        contact = store.get("contacts", str(r.get("contact")))
        if contact is None:
            return False
        name = f"{contact.get('firstName') or ''} {contact.get('lastName') or ''} {contact.get('email') or ''}"
        return needle in name.lower()

    return pred


def task_due(op: str) -> FilterFactory:
    return date_compare("duedate", op)


# Operators of the `filters[field][op]` form (lists and tags).
OPERATOR_FORMS: dict[str, Callable[[str, str], Callable[[str], bool]]] = {
    "eq": lambda v, w: lambda x: x.lower() == w.lower(),
    "neq": lambda v, w: lambda x: x.lower() != w.lower(),
    "lt": lambda v, w: lambda x: x.lower() < w.lower(),
    "lte": lambda v, w: lambda x: x.lower() <= w.lower(),
    "gt": lambda v, w: lambda x: x.lower() > w.lower(),
    "gte": lambda v, w: lambda x: x.lower() >= w.lower(),
    "contains": lambda v, w: lambda x: w.lower() in x.lower(),
    "starts_with": lambda v, w: lambda x: x.lower().startswith(w.lower()),
}


@dataclass(frozen=True)
class Include:
    """A relationship that `include=` can sideload.

    `fk` names a field on this row holding the related id; otherwise `reverse` names the field on
    the related rows that points back at this row (one-to-many, rendered as an id array).
    """

    target: str
    fk: str | None = None
    reverse: str | None = None


@dataclass(frozen=True)
class ResourceDef:
    name: str  # the path segment and list envelope key, e.g. "contacts"
    singular: str  # the single envelope key, e.g. "contact"
    not_found_class: str  # the class name that leaks into 404 messages
    ops: frozenset[str] = frozenset({"list", "get", "create", "update", "delete"})
    required: tuple[str, ...] = ()
    one_of_required: tuple[str, ...] = ()  # at least one of these must be given on create
    refs: dict[str, str] = field(default_factory=dict)  # field -> resource it must point at
    defaults: dict[str, Any] = field(default_factory=dict)  # constant fields added when rendering
    filters: dict[str, FilterFactory] = field(default_factory=dict)
    operator_filters: dict[str, str] = field(default_factory=dict)  # `filters[x][op]` -> field
    orders: dict[str, OrderKey] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    includes: dict[str, Include] = field(default_factory=dict)
    indexed: tuple[str, ...] = ()  # fields the store keeps an index on
    total_as_int: bool = False  # `meta.total` is an integer on a few endpoints
    created_field: str | None = "cdate"
    updated_field: str | None = "udate"
    sql_timestamps: bool = False  # rows carry created_timestamp/updated_timestamp
    create_path: str | None = None  # when POST goes elsewhere (campaigns: /campaign)
    unique: tuple[str, ...] = ()

    @property
    def post_path(self) -> str:
        return self.create_path or self.name


def _text(name: str) -> OrderKey:
    return lambda r, s: str(r.get(name) or "").lower()


def _num(name: str) -> OrderKey:
    return lambda r, s: float(r.get(name) or 0)


def _ts(name: str) -> OrderKey:
    return lambda r, s: r.get(name) or ""


def _deal_contact(attr: Callable[[Record], str]) -> OrderKey:
    def key(r: Record, s: AccountStore) -> str:
        contact = s.get("contacts", str(r.get("contact")))
        return attr(contact).lower() if contact else ""

    return key


_ALL = frozenset({"list", "get", "create", "update", "delete"})
_READ = frozenset({"list", "get"})

CONTACT_LINKS = (
    "bounceLogs", "contactAutomations", "contactData", "contactGoals", "contactLists", "contactLogs",
    "contactTags", "contactDeals", "deals", "fieldValues", "geoIps", "notes", "organization",
    "plusAppend", "trackingLogs", "scoreValues", "accountContacts", "automationEntryCounts",
)

CONTACT_DEFAULTS: dict[str, Any] = {
    "segmentio_id": "", "bounced_date": None, "ip": "0", "ua": None, "socialdata_lastcheck": None,
    "rating_tstamp": None, "gravatar": "0", "deleted": "0", "anonymized": "0", "adate": None, "edate": None,
    "deleted_at": None, "created_by": None, "updated_by": None, "email_empty": False, "mpp_tracking": "0",
    "scoreValues": [], "accountContacts": [], "organization": None, "orgid": "0", "orgname": "",
    "bounced_hard": "0", "bounced_soft": "0", "sentcnt": "0",
}

LIST_DEFAULTS: dict[str, Any] = {
    "p_use_tracking": "1", "p_use_analytics_read": "0", "p_use_analytics_link": "0", "p_use_twitter": "0",
    "p_use_facebook": "0", "p_embed_image": "1", "p_use_captcha": "0", "send_last_broadcast": "0",
    "private": "0", "require_name": "0", "get_unsubscribe_reason": "0", "optinoptout": "1",
    "optinmessageid": "0", "optoutconf": "0", "analytics_domains": None, "analytics_source": "",
    "analytics_ua": "", "twitter_token": "", "twitter_token_secret": "", "facebook_session": None,
    "carboncopy": None, "subscription_notify": None, "unsubscription_notify": None, "to_name": "Subscriber",
    "sender_addr1": "1 Main Street", "sender_addr2": "", "sender_city": "Chicago", "sender_state": "IL",
    "sender_zip": "60601", "sender_country": "US", "sender_phone": "", "sender_reminder": "You signed up on our website",
    "fulladdress": None, "deletestamp": None, "created_by": None, "updated_by": None,
}

CAMPAIGN_DEFAULTS: dict[str, Any] = {
    "bounceid": "-1", "realcid": "0", "sendid": "0", "threadid": "0", "formid": "0", "basetemplateid": "",
    "addressid": "0", "source": "web", "mail_transfer": "0", "mail_send": "0", "mail_cleanup": "0",
    "mailer_log_file": "0", "tracklinks": "all", "tracklinksanalytics": "0", "trackreads": "1",
    "trackreadsanalytics": "0", "analytics_campaign_name": "", "tweet": "0", "facebook": "0", "survey": "",
    "embed_images": "0", "htmlunsub": "1", "textunsub": "1", "htmlunsubdata": None, "textunsubdata": None,
    "recurring": "", "willrecur": "0", "split_type": "mutual", "split_content": "0", "split_offset": "0",
    "split_offset_type": "day", "split_winner_messageid": "0", "split_winner_awaiting": "0",
    "responder_offset": "0", "responder_type": "subscribe", "responder_existing": "0", "reminder_field": "sdate",
    "reminder_format": None, "reminder_type": "month_day", "reminder_offset": "0", "reminder_offset_type": "day",
    "reminder_offset_sign": "+", "reminder_last_cron_run": None, "activerss_interval": "day1",
    "activerss_url": None, "activerss_items": "10", "ip4": "0", "laststep": "result", "managetext": "0",
    "schedule": "0", "scheduleddate": None, "waitpreview": "0", "deletestamp": None, "replysys": "0",
    "automation": None, "updates": "0", "socialshares": "0", "forwards": "0", "uniqueforwards": "0",
    "unsubreasons": "0", "subscriberclicks": "0",
}


def _contact_includes() -> dict[str, Include]:
    return {
        "contactLists": Include("contactLists", reverse="contact"),
        "contactTags": Include("contactTags", reverse="contact"),
        "deals": Include("deals", reverse="contact"),
        "fieldValues": Include("fieldValues", reverse="contact"),
        "contactAutomations": Include("contactAutomations", reverse="contact"),
        "accountContacts": Include("accountContacts", reverse="contact"),
        "contactDeals": Include("contactDeals", reverse="contact"),
        "notes": Include("notes", reverse="relid"),
    }


RESOURCES: list[ResourceDef] = [
    ResourceDef(
        "contacts", "contact", "Subscriber",
        defaults=CONTACT_DEFAULTS,
        filters={
            "ids": id_set(), "email": lambda s, v: (lambda r: str(r.get("email", "")).lower() == v.lower()),
            "email_like": contains("email"), "exclude": int_compare("id", "!="),
            "formid": member_of("contactLists", "form", "contact"), "id_greater": int_compare("id", ">"),
            "id_less": int_compare("id", "<"), "listid": member_of("contactLists", "list", "contact"),
            "phone": prefix("phone"), "organization": eq("orgid"), "search": contact_search,
            "segmentid": contact_segment, "seriesid": contact_series, "status": contact_status,
            "tagid": member_of("contactTags", "tag", "contact"),
            "filters[created_before]": date_compare("cdate", "<"), "filters[created_after]": date_compare("cdate", ">="),
            "filters[updated_before]": date_compare("udate", "<"), "filters[updated_after]": date_compare("udate", ">="),
            "waitid": lambda s, v: (lambda r: False),
        },
        orders={
            "id": lambda r, s: int(r["id"]), "cdate": _ts("cdate"), "email": _text("email"),
            "first_name": _text("firstName"), "last_name": _text("lastName"),
            "name": lambda r, s: f"{r.get('firstName') or ''} {r.get('lastName') or ''}".lower(),
            "score": lambda r, s: 0,
        },
        links=CONTACT_LINKS, includes=_contact_includes(), indexed=("email",), sql_timestamps=True,
        unique=("email",), required=("email",),
    ),
    ResourceDef(
        "deals", "deal", "Deal",
        required=("title", "value", "currency", "group", "stage", "owner"), one_of_required=("contact", "account"),
        refs={"contact": "contacts", "account": "accounts", "group": "dealGroups", "stage": "dealStages", "owner": "users"},
        defaults={"organization": None, "nextdate": None, "nexttaskid": None, "winProbability": None,
                  "winProbabilityMdate": None, "edate": None, "isDisabled": False, "customerAccount": None,
                  "activitycount": "0", "nextdealid": "0", "description": "", "percent": "0", "account": None,
                  "status": "0"},
        filters={
            "filters[search]": deal_search, "filters[title]": contains("title"), "filters[stage]": eq("stage"),
            "filters[group]": eq("group"), "filters[status]": eq("status"), "filters[owner]": eq("owner"),
            "filters[tag]": deal_tag, "filters[organization]": eq("account"),
            "filters[created_before]": date_compare("cdate", "<"), "filters[created_after]": date_compare("cdate", ">="),
            "filters[updated_before]": date_compare("mdate", "<"), "filters[updated_after]": date_compare("mdate", ">="),
            "filters[minimum_value]": int_compare("value", ">=", 100.0),
            "filters[maximum_value]": int_compare("value", "<=", 100.0),
        },
        orders={"title": _text("title"), "value": _num("value"), "cdate": _ts("cdate"),
                "contact_name": _deal_contact(lambda c: f"{c.get('firstName') or ''} {c.get('lastName') or ''}"),
                "contact_orgname": _deal_contact(lambda c: str(c.get("orgname") or "")),
                "next-action": _ts("nextdate")},
        links=("dealActivities", "contact", "contactDeals", "group", "nextTask", "notes", "account",
               "customerAccount", "organization", "owner", "scoreValues", "stage", "tasks", "dealCustomFieldData"),
        includes={"contact": Include("contacts", fk="contact"), "stage": Include("dealStages", fk="stage"),
                  "group": Include("dealGroups", fk="group"), "owner": Include("users", fk="owner"),
                  "account": Include("accounts", fk="account")},
        indexed=("contact", "stage", "group"), total_as_int=True, updated_field="mdate",
    ),
    ResourceDef(
        "accounts", "account", "CustomerAccount", required=("name",),
        defaults={"accountUrl": None},
        filters={"search": contains("name")},
        links=("notes", "accountCustomFieldData", "accountContacts", "emailActivities", "contactEmails"),
        created_field="createdTimestamp", updated_field="updatedTimestamp",
    ),
    ResourceDef(
        "accountContacts", "accountContact", "CustomerAccountSubscriber", required=("account", "contact"),
        refs={"account": "accounts", "contact": "contacts"}, defaults={"jobTitle": ""},
        filters={"filters[contact]": eq("contact"), "filters[account]": eq("account")},
        links=("account", "contact"), indexed=("contact", "account"),
        created_field="createdTimestamp", updated_field="updatedTimestamp",
    ),
    ResourceDef(
        "lists", "list", "_List", required=("name", "stringid", "sender_url", "sender_reminder"),
        defaults=LIST_DEFAULTS,
        filters={"filters[name]": contains("name")}, operator_filters={"name": "name"},
        orders={"name": _text("name"), "weight": lambda r, s: int(r["id"])},
        links=("contactGoalLists", "user", "addressLists"), sql_timestamps=True,
    ),
    ResourceDef(
        "contactLists", "contactList", "SubscriberList", ops=frozenset({"list", "create"}),
        required=("list", "contact", "status"), refs={"list": "lists", "contact": "contacts"},
        defaults={"form": None, "seriesid": "0", "responder": "1", "sync": "0", "unsubreason": "",
                  "campaign": None, "message": None, "ip4Sub": "0", "sourceid": "0", "autosyncLog": None,
                  "ip4_last": "0", "ip4Unsub": "0", "created_by": None, "updated_by": None,
                  "unsubscribeAutomation": None, "automation": None},
        links=("automation", "list", "contact", "form", "autosyncLog", "campaign", "unsubscribeAutomation", "message"),
        indexed=("contact", "list", "form"), created_field="sdate", sql_timestamps=True,
    ),
    ResourceDef(
        "tags", "tag", "Tag", required=("tag",), defaults={"tagType": "contact", "description": "",
                                                          "created_by": None, "updated_by": None},
        filters={"search": contains("tag"), "filters[search]": contains("tag")},
        operator_filters={"search": "tag"},
        orders={"search": _text("tag"), "tag": _text("tag")},
        links=("contactGoalTags",), sql_timestamps=True, updated_field=None,
    ),
    ResourceDef(
        "contactTags", "contactTag", "SubscriberTag", ops=frozenset({"list", "get", "create", "delete"}),
        required=("contact", "tag"), refs={"contact": "contacts", "tag": "tags"},
        defaults={"created_by": None, "updated_by": None},
        links=("tag", "contact"), indexed=("contact", "tag"), sql_timestamps=True, updated_field=None,
        includes={"tag": Include("tags", fk="tag"), "contact": Include("contacts", fk="contact")},
    ),
    ResourceDef(
        "fields", "field", "Field", required=("title", "type"),
        defaults={"descript": None, "isrequired": "0", "defval": None, "show_in_list": "0", "rows": "0",
                  "cols": "0", "visible": "1", "service": "", "created_by": None, "updated_by": None,
                  "options": [], "relations": []},
        filters={"filters[perstag]": eq("perstag")},
        links=("options", "relations"), sql_timestamps=True,
    ),
    ResourceDef(
        "fieldValues", "fieldValue", "FieldValue", required=("contact", "field", "value"),
        refs={"contact": "contacts", "field": "fields"}, defaults={"created_by": None, "updated_by": None},
        filters={"filters[fieldid]": eq("field"), "filters[val]": eq("value")},
        links=("owner", "field"), indexed=("contact", "field"),
    ),
    ResourceDef(
        "fieldOptions", "fieldOption", "FieldOption", ops=frozenset({"list", "get", "delete"}),
        defaults={"isdefault": "0"}, links=("field",), indexed=("field",),
        filters={"filters[field]": eq("field")},
    ),
    ResourceDef(
        "dealGroups", "dealGroup", "DealGroup", required=("title", "currency"),
        defaults={"autoassign": "1", "allusers": "1", "allgroups": "1", "win_probability_initialize_date": None},
        filters={"filters[title]": contains("title"),
                 "filters[have_stages]": lambda s, v: (lambda r: bool(s.ids_where("dealStages", "group", r["id"])) == (v == "1"))},
        orders={"title": _text("title"), "popular": lambda r, s: -len(s.ids_where("deals", "group", r["id"]))},
        links=("stages", "dealGroupUsers", "dealGroupGroups", "winProbabilityFeatures"),
    ),
    ResourceDef(
        "dealStages", "dealStage", "DealStage", required=("title", "group"), refs={"group": "dealGroups"},
        defaults={"color": "32B0FC", "width": "280", "dealOrder": "next-action DESC", "cardRegion1": "title",
                  "cardRegion2": "next-action", "cardRegion3": "show-avatar",
                  "cardRegion4": "contact-fullname-acctname", "cardRegion5": "value"},
        filters={"filters[title]": contains("title"), "filters[d_groupid]": eq("group")},
        orders={"title": _text("title")}, links=("group",), indexed=("group",),
    ),
    ResourceDef(
        "dealTasks", "dealTask", "DealTask", required=("relid", "duedate", "dealTasktype"),
        refs={"dealTasktype": "dealTasktypes"},
        defaults={"automation": None, "doneAutomation": None, "donedate": None, "outcomeId": None,
                  "outcomeInfo": None, "title": None, "status": "0", "reltype": "Deal", "duration": "15"},
        filters={"filters[title]": contains("title"), "filters[reltype]": eq("reltype"), "filters[relid]": eq("relid"),
                 "filters[status]": eq("status"), "filters[note]": contains("note"),
                 "filters[d_tasktypeid]": eq("dealTasktype"), "filters[userid]": eq("user"),
                 "filters[assignee_userid]": eq("assignee"), "filters[outcome_id]": eq("outcomeId"),
                 "filters[due_after]": task_due(">="), "filters[due_before]": task_due("<")},
        links=("activities", "automation", "dealTasktype", "doneAutomation", "notes", "owner",
               "taskNotifications", "user", "assignee"),
        indexed=("relid",),
    ),
    ResourceDef("dealTasktypes", "dealTasktype", "DealTasktype", required=("title",),
                defaults={"defduration": "0", "status": "0"}),
    ResourceDef(
        "notes", "note", "Note", required=("note", "reltype", "relid"),
        defaults={"is_draft": "0"}, links=("activities", "user", "mentions", "notes", "owner"),
        indexed=("relid",), updated_field="mdate",
    ),
    ResourceDef(
        "users", "user", "User", required=("username", "email", "firstName", "lastName"),
        defaults={"phone": "", "signature": None, "password_updated_utc_timestamp": None, "mfaEnabled": "0",
                  "localZoneid": "America/Chicago"},
        links=("lists", "userGroup", "dealGroupTotals", "dealGroupUsers", "configs", "dealConnection",
               "userConversationsPermission", "seatUser"),
        unique=("email", "username"),
    ),
    ResourceDef(
        "campaigns", "campaign", "Campaign", ops=_READ | {"delete"}, defaults=CAMPAIGN_DEFAULTS,
        filters={"filters[seriesid]": eq("seriesid")},
        orders={"sdate": _ts("sdate"), "ldate": _ts("ldate")},
        links=("user", "automation", "campaignMessage", "campaignMessages", "links", "aggregateRevenues",
               "segment", "campaignLists"),
        updated_field="mdate", indexed=("seriesid",),
    ),
    ResourceDef(
        "messages", "message", "Message", required=("fromname", "fromemail", "reply2"),
        defaults={"ed_instanceid": "0", "ed_version": "1", "priority": "3", "charset": "utf-8",
                  "encoding": "quoted-printable", "format": "mime", "preheader_text": "", "htmlfetch": "now",
                  "textfetch": "now", "hidden": "0", "preview_mime": "", "preview_data": None},
        links=("user",), updated_field="mdate",
    ),
    ResourceDef(
        "automations", "automation", "Series", ops=_READ,
        defaults={"hidden": "0", "defaultscreenshot": "", "screenshot": "", "entitlements_violation": "0",
                  "source": "", "description": "", "exit_on_unsubscribe": "0", "exit_on_conversion": "0",
                  "multientry": "0"},
        links=("campaigns", "contactGoals", "contactAutomations", "blocks", "goals", "sms", "sitemessages", "triggers"),
        updated_field="mdate",
    ),
    ResourceDef(
        "contactAutomations", "contactAutomation", "SubscriberSeries", ops=frozenset({"list", "get", "create", "delete"}),
        required=("contact", "automation"), refs={"contact": "contacts", "automation": "automations"},
        defaults={"startid": "0", "batchid": None, "timespan": None, "lastlogid": "0"},
        orders={"lastdate": _ts("lastdate"), "adddate": _ts("adddate")},
        links=("automation", "contact", "contactGoals"), indexed=("contact", "seriesid"),
        created_field="adddate", updated_field="lastdate",
    ),
    ResourceDef(
        "contactDeals", "contactDeal", "SubscriberDeal", required=("deal", "contact"),
        refs={"deal": "deals", "contact": "contacts"}, links=("deal", "contact"), indexed=("contact", "deal"),
        updated_field=None,
    ),
    ResourceDef(
        "dealCustomFieldMeta", "dealCustomFieldMetum", "DealCustomFieldMetum", required=("fieldLabel", "fieldType"),
        defaults={"fieldOptions": None, "fieldDefault": None, "fieldDefaultCurrency": None, "isFormVisible": 1,
                  "isRequired": 0, "personalization": "", "knownFieldId": None, "hideFieldFlag": 0},
        links=("dealCustomFieldData",), created_field="createdTimestamp", updated_field="updatedTimestamp",
    ),
    ResourceDef(
        "dealCustomFieldData", "dealCustomFieldDatum", "DealCustomFieldDatum",
        required=("dealId", "customFieldId", "fieldValue"), refs={"dealId": "deals", "customFieldId": "dealCustomFieldMeta"},
        filters={"filters[dealId]": eq("dealId")}, links=("deal", "dealCustomFieldMetum"), indexed=("dealId",),
        total_as_int=True, created_field="createdTimestamp", updated_field="updatedTimestamp",
    ),
    ResourceDef(
        "accountCustomFieldMeta", "accountCustomFieldMetum", "AccountCustomFieldMetum",
        required=("fieldLabel", "fieldType"),
        defaults={"fieldOptions": None, "fieldDefault": None, "fieldDefaultCurrency": None, "isFormVisible": 1,
                  "isRequired": 0, "personalization": "", "knownFieldId": None, "hideFieldFlag": 0},
        links=("accountCustomFieldData",), created_field="createdTimestamp", updated_field="updatedTimestamp",
    ),
    ResourceDef(
        "accountCustomFieldData", "accountCustomFieldDatum", "AccountCustomFieldDatum",
        required=("customerAccountId", "customFieldId", "fieldValue"),
        refs={"customerAccountId": "accounts", "customFieldId": "accountCustomFieldMeta"},
        filters={"filters[customerAccountId]": eq("customerAccountId")},
        links=("account", "accountCustomFieldMetum"), indexed=("customerAccountId",),
        created_field="createdTimestamp", updated_field="updatedTimestamp",
    ),
    ResourceDef(
        "webhooks", "webhook", "Webhook", required=("name", "url", "events", "sources"),
        defaults={"listid": "0"},
        filters={"filters[name]": contains("name"), "filters[url]": contains("url"), "filters[listid]": eq("listid")},
        updated_field=None,
    ),
    ResourceDef(
        "ecomCustomers", "ecomCustomer", "EcomCustomer", required=("connectionid", "externalid", "email"),
        refs={"connectionid": "connections"},
        defaults={"totalRevenue": "0", "totalOrders": "0", "totalProducts": "0", "avgRevenuePerOrder": "0",
                  "avgProductCategory": "", "acceptsMarketing": "0"},
        filters={"filters[email]": eq("email"), "filters[externalid]": eq("externalid"),
                 "filters[connectionid]": eq("connectionid")},
        links=("connection", "orders"), created_field="tstamp", updated_field=None, indexed=("connectionid",),
    ),
    ResourceDef(
        "ecomOrders", "ecomOrder", "EcomOrder",
        required=("externalid", "source", "email", "totalPrice", "currency", "connectionid", "customerid",
                  "externalCreatedDate"),
        refs={"connectionid": "connections", "customerid": "ecomCustomers"},
        defaults={"externalcheckoutid": None, "discountAmount": "0", "shippingAmount": "0", "taxAmount": "0",
                  "shippingMethod": "", "orderUrl": "", "abandonedDate": None, "state": "1"},
        filters={f"filters[{f}]": eq(f) for f in ("connectionid", "externalid", "externalcheckoutid", "email",
                                                    "state", "customerid")}
        | {"filters[external_created_date]": prefix("externalCreatedDate")},
        orders={"connectionid": _num("connectionid"), "externalid": _text("externalid"),
                "externalcheckoutid": _text("externalcheckoutid"), "email": _text("email"), "state": _num("state"),
                "customerid": _num("customerid"), "external_created_date": _ts("externalCreatedDate")},
        links=("connection", "customer", "orderProducts", "orderDiscounts", "orderActivities"),
        created_field="createdDate", updated_field="updatedDate", indexed=("customerid",),
    ),
    ResourceDef(
        "ecomOrderProducts", "ecomOrderProduct", "EcomOrderProduct", ops=_READ,
        links=("ecomOrder",), created_field="createdDate", updated_field="updatedDate", indexed=("orderid",),
    ),
    ResourceDef(
        "connections", "connection", "Connection", required=("service", "externalid", "name", "logoUrl", "linkUrl"),
        defaults={"isInternal": "0", "status": "1", "syncStatus": "0", "listId": "0"},
        filters={"filters[service]": eq("service"), "filters[externalid]": eq("externalid")},
        links=("customers",),
    ),
    ResourceDef("segments", "segment", "Segment", ops=_READ, links=(), updated_field=None),
    ResourceDef(
        "forms", "form", "Form", ops=_READ,
        defaults={"action": "", "submit": "show-thank-you", "url": "", "layout": "inline-form", "body": "",
                  "button": "Submit", "thanks": "Thanks for signing up!", "parentformid": "0", "addressid": "0",
                  "aid": "0", "defaultscreenshot": "", "recent": [], "address": None},
        links=("address",),
    ),
    ResourceDef(
        "groups", "group", "Group", required=("title",),
        defaults={"unsubscribelink": "0", "optinconfirm": "0", "reqApproval": "0", "socialdata": "0"},
        created_field="sdate", updated_field=None,
    ),
    ResourceDef("scores", "score", "Score", ops=_READ, defaults={"status": "1"}, updated_field="mdate"),
    ResourceDef(
        "savedResponses", "savedResponse", "SavedResponse", required=("title", "subject", "body"),
        defaults={"ldate": None, "last_sent_user_id": None}, links=("user", "savedResponseCategorySavedResponse"),
        updated_field="mdate",
    ),
    ResourceDef(
        "bounceLogs", "bounceLog", "BounceLog", ops=_READ,
        defaults={"error": "", "created_by": None, "updated_by": None},
        links=("bounce", "contact", "campaign", "message"), indexed=("subscriberid",),
        created_field="tstamp", updated_field=None, sql_timestamps=True,
    ),
    ResourceDef(
        "activities", "activity", "Activity", ops=frozenset({"list"}),
        defaults={"reference_action": "", "jsonData": None, "permission": "", "notes": []},
        filters={"contact": eq("subscriberid"), "after": date_compare("tstamp", ">=")},
        orders={"tstamp": _ts("tstamp")},
        indexed=("subscriberid",), created_field="tstamp", updated_field=None,
    ),
]

BY_NAME: dict[str, ResourceDef] = {r.name: r for r in RESOURCES}
BY_POST_PATH: dict[str, ResourceDef] = {r.post_path: r for r in RESOURCES}

@dataclass(frozen=True)
class SubCollection:
    """A collection served under /contacts/{id}/<name>: rows of `resource` whose `fk` is the contact."""

    resource: str
    fk: str
    extra: dict[str, str] = field(default_factory=dict)


CONTACT_SUBCOLLECTIONS: dict[str, SubCollection | None] = {
    "contactAutomations": SubCollection("contactAutomations", "contact"),
    "contactLists": SubCollection("contactLists", "contact"),
    "contactTags": SubCollection("contactTags", "contact"),
    "contactDeals": SubCollection("contactDeals", "contact"),
    "deals": SubCollection("deals", "contact"),
    "fieldValues": SubCollection("fieldValues", "contact"),
    "notes": SubCollection("notes", "relid", {"reltype": "Subscriber"}),
    "accountContacts": SubCollection("accountContacts", "contact"),
    "bounceLogs": SubCollection("bounceLogs", "subscriberid"),
    # Known endpoints with nothing behind them in the demo data: answered with an empty list.
    "scoreValues": None, "geoIps": None, "trackingLogs": None, "contactLogs": None, "contactGoals": None,
    "automationEntryCounts": None, "plusAppend": None, "contactData": None,
}
