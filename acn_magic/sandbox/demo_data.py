"""Deterministic, internally consistent demo data for one sandbox account.

Every foreign key points at a real row; tag counts, list memberships, pipeline stages, campaign
statistics, bounce logs and e-commerce totals agree with each other. Scaled by the contact count.
"""
from __future__ import annotations

import gc
import hashlib
import itertools
import random
import time
from dataclasses import dataclass

from acn_magic.sandbox.store import AccountStore

FIRST_NAMES = [
    "Anna", "Ben", "Chloé", "David", "Emma", "Finn", "Grace", "Hugo", "Isabel", "Jürgen", "Kai", "Lena",
    "Mateo", "Nina", "Olivia", "Pieter", "Quinn", "Rosa", "Søren", "Tomás", "Uma", "Victor", "Wen", "Xavier",
    "Yara", "Zoë", "José", "Ştefan", "Aiko", "Björn", "Dmitri", "Eva", "Fatima", "Giulia", "Hana", "Ivan",
    "Jamal", "Katarzyna", "Liam", "Maja", "Noah", "Oskar", "Priya", "Ruth", "Sven", "Tariq", "Yusuf", "Zara",
]
LAST_NAMES = [
    "Smith", "Müller", "García", "de Vries", "Rossi", "Novak", "Kowalski", "O'Brien", "Nguyen", "Jensen",
    "Dubois", "Schmidt", "Silva", "Johansson", "Tanaka", "Okafor", "Brown", "Ivanova", "Janssen", "Łukasik",
    "Fernández", "Wagner", "Bakker", "Costa", "Hansen", "Kim", "Lopez", "Moreau", "Peters", "Weiß", "",
]
ASCII = str.maketrans({"é": "e", "ü": "u", "ø": "o", "á": "a", "ë": "e", "ş": "s", "Ş": "S", "ł": "l", "Ł": "L",
                       "ß": "ss", "'": "", " ": ""})
DOMAINS = ["example.com", "example.org", "mail.example.net", "shop.example.io", "acme.example"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Retail", "Stark Supplies", "Wayne Media",
             "Hooli", "Vandelay Import", "Soylent Foods", "Tyrell Systems", "Cyberdyne", "Wonka Sweets",
             "Bluth Homes", "Pied Piper", "Dunder Mifflin", "Oceanic Air", "Nakatomi Trading", "Aperture Labs"]
TAG_NAMES = ["customer", "lead", "newsletter", "vip", "webinar-2026", "trial", "churned", "partner",
             "event:berlin", "event:chicago", "ebook-download", "high-intent", "nurture", "cold", "referral",
             "beta-tester", "support-case", "upsell", "renewal-due", "do-not-call", "prospect", "influencer",
             "black-friday", "québec"]
LIST_NAMES = ["Newsletter", "Product updates", "Webinars", "Customers", "Partners", "Events EU",
              "Events US", "Beta programme"]
PIPELINES = [("Sales", "usd", ["To Contact", "In Contact", "Proposal", "Negotiation", "Closing"]),
             ("Partnerships", "eur", ["Intro", "Evaluation", "Contract"]),
             ("Renewals", "usd", ["Upcoming", "Contacted", "Renewed", "At Risk"])]
FIELD_SPECS = [("Company size", "dropdown", ["1-10", "11-50", "51-200", "201-1000", "1000+"]),
               ("Industry", "radio", ["Retail", "Software", "Healthcare", "Education", "Finance"]),
               ("Interests", "checkbox", ["Email", "SMS", "Webinars", "Events"]),
               ("Birthday", "date", []), ("Last purchase", "datetime", []), ("Notes", "textarea", []),
               ("Job title", "text", []), ("Source code", "hidden", [])]
JOB_TITLES = ["CEO", "Marketing Manager", "Head of Sales", "Developer", "Designer", "Consultant", "Analyst",
              "Operations Lead", "Buyer", "Teacher"]
START = 1609459200  # 2021-01-01T00:00:00Z
END = 1795132800  # 2026-11-20T00:00:00Z


@dataclass
class DemoSize:
    contacts: int

    def part(self, divisor: int, minimum: int) -> int:
        return max(minimum, self.contacts // divisor)


class TimeFormat:
    """Fast formatting of epoch seconds in the account's fixed offset."""

    def __init__(self, offset_hours: int) -> None:
        self.offset = offset_hours * 3600
        sign = "-" if offset_hours < 0 else "+"
        self.suffix = f"{sign}{abs(offset_hours):02d}:00"

    def iso(self, epoch: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch + self.offset)) + self.suffix

    def sql(self, epoch: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch + self.offset))

    def both(self, epoch: int) -> tuple[str, str]:
        """(ISO with offset, SQL wall time) from one formatting."""
        sql = self.sql(epoch)
        return f"{sql[:10]}T{sql[11:]}{self.suffix}", sql

    def day(self, epoch: int) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(epoch + self.offset))


def populate(store: AccountStore, *, seed: int, contacts: int, offset_hours: int) -> None:
    """Fill an empty store with demo data for `seed`, scaled to `contacts` contacts."""
    # Hundreds of thousands of acyclic dicts: the cyclic collector would rescan them over and over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        DemoBuilder(store, random.Random(seed), DemoSize(contacts), TimeFormat(offset_hours)).build()
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()  # the demo rows live as long as the sandbox: keep them out of later collections


class DemoBuilder:
    def __init__(self, store: AccountStore, rng: random.Random, size: DemoSize, fmt: TimeFormat) -> None:
        self.s, self.rng, self.size, self.t = store, rng, size, fmt

    def when(self, start: int = START, end: int = END) -> int:
        return self.rng.randrange(start, end)

    def stamps(self, created: int, *, updated: int | None = None) -> dict[str, str]:
        updated = updated if updated is not None else created + self.rng.randrange(0, 90 * 86400)
        return {"cdate": self.t.iso(created), "udate": self.t.iso(min(updated, END)),
                "created_timestamp": self.t.sql(created), "updated_timestamp": self.t.sql(min(updated, END))}

    def build(self) -> None:
        self.users()
        self.groups_forms_scores()
        self.lists_tags_fields()
        self.contacts()
        self.accounts()
        self.pipelines_and_deals()
        self.automations()
        self.campaigns_and_bounces()
        self.ecommerce()
        self.misc()

    # ---- people and organisation --------------------------------------------------------------

    def users(self) -> None:
        names = [("Avery", "Admin"), ("Sam", "Sales"), ("Robin", "Reps"), ("Jo", "Jansen"), ("Mika", "Marketing"),
                 ("Lou", "Support")]
        for i, (first, last) in enumerate(names, start=1):
            created = START + i * 86400
            self.s.insert("users", {"id": i, "username": f"{first.lower()}", "firstName": first, "lastName": last,
                                    "email": f"{first.lower()}@demo-agency.example", "phone": "",
                                    "cdate": self.t.iso(created), "udate": self.t.iso(created + 86400),
                                    "localZoneid": "America/Chicago"})

    def groups_forms_scores(self) -> None:
        for i, title in enumerate(["Admin", "Sales team", "Marketing team"], start=1):
            self.s.insert("groups", {"id": i, "title": title, "descript": f"{title} permissions",
                                     "p_admin": "1" if i == 1 else "0", "pgDeal": "1", "pgContactAdd": "1",
                                     "sdate": self.t.iso(START + i * 3600)})
        for i, name in enumerate(["Homepage signup", "Webinar registration", "Ebook download", "Contact us"], 1):
            created = START + i * 86400 * 7
            self.s.insert("forms", {"id": i, "name": name, "title": name, "userid": "1", "entries": "0",
                                    "cdate": self.t.iso(created), "udate": self.t.iso(created + 3600),
                                    "contacts": 0, "deals": 0})
        for i, (name, rel) in enumerate([("Engagement", "contact"), ("Deal health", "deal"),
                                         ("Product fit", "contact")], start=1):
            created = START + i * 86400
            self.s.insert("scores", {"id": i, "reltype": rel, "name": name, "descript": f"{name} score",
                                     "cdate": self.t.iso(created), "mdate": self.t.iso(created + 3600)})

    def lists_tags_fields(self) -> None:
        for i, name in enumerate(LIST_NAMES, start=1):
            created = START + i * 86400 * 3
            self.s.insert("lists", {"id": i, "name": name, "stringid": name.lower().replace(" ", "-"),
                                    "userid": "1", "user": "1", "sender_name": "Demo Agency",
                                    "sender_url": "https://demo-agency.example", **self.stamps(created)})
        for i, name in enumerate(TAG_NAMES, start=1):
            created = START + i * 86400 * 5
            row = {"id": i, "tag": name, "tagType": "contact", "description": f"Contacts tagged {name}",
                   **self.stamps(created)}
            row.pop("udate")
            self.s.insert("tags", row)
        option_id = 1
        for i, (title, ftype, options) in enumerate(FIELD_SPECS, start=1):
            created = START + i * 86400
            self.s.insert("fields", {"id": i, "title": title, "type": ftype, "perstag": title.upper().replace(" ", "_"),
                                     "ordernum": str(i), "isrequired": "0", "show_in_list": "1",
                                     **self.stamps(created)})
            for order, label in enumerate(options, start=1):
                self.s.insert("fieldOptions", {"id": option_id, "field": str(i), "orderid": str(order),
                                               "value": label, "label": label, "isdefault": "0",
                                               "cdate": self.t.iso(created), "udate": self.t.iso(created)})
                option_id += 1

    def field_value(self, ftype: str, options: list[str]) -> str:
        rng = self.rng
        if ftype in ("dropdown", "radio"):
            return rng.choice(options)
        if ftype in ("checkbox", "listbox"):
            chosen = sorted(rng.sample(options, rng.randint(1, len(options))), key=options.index)
            return "||" + "||".join(chosen) + "||"  # the API's multi-value form
        if ftype == "date":
            return self.t.day(self.when(START - 40 * 365 * 86400, START - 18 * 365 * 86400))
        if ftype == "datetime":
            return self.t.iso(self.when())
        if ftype == "textarea":
            return rng.choice(["Met at the spring fair.", "Prefers phone calls.\nCall after 3pm.",
                               "Interested in the annual plan.", "Asked about GDPR; sent the DPA."])
        if ftype == "hidden":
            return f"src-{rng.randrange(1000, 9999)}"
        return rng.choice(JOB_TITLES)

    def contacts(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        n = self.size.contacts
        lists = len(LIST_NAMES)
        tags = len(TAG_NAMES)
        insert = s.insert
        list_ids = [str(i) for i in range(1, lists + 1)]
        form_ids = ["1", "2", "3", "4"]
        tag_ids = [str(i) for i in range(1, tags + 1)]
        tag_cum = list(itertools.accumulate(range(tags, 0, -1)))  # lower tag ids are more popular
        status_weights = (["1"] * 75) + (["2"] * 12) + (["0"] * 8) + (["3"] * 5)
        field_specs = [(str(i), ftype, options) for i, (_t, ftype, options) in enumerate(FIELD_SPECS, start=1)]
        for cid in range(1, n + 1):
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            local = f"{first.translate(ASCII)}.{last.translate(ASCII) or 'x'}{cid}".lower()
            email = f"{local}@{rng.choice(DOMAINS)}"
            created = self.when()
            updated = min(END, created + rng.randrange(0, 400 * 86400))
            c_iso, c_sql = t.both(created)
            u_iso, u_sql = t.both(updated)
            hard = rng.random() < 0.02
            row = {"id": cid, "email": email, "phone": "" if rng.random() < 0.25 else f"+1 312 555 {rng.randrange(10000):04d}",
                   "firstName": first if rng.random() > 0.03 else "", "lastName": last,
                   "hash": hashlib.md5(email.encode()).hexdigest(), "email_local": "", "email_domain": "",
                   "cdate": c_iso, "udate": u_iso, "created_utc_timestamp": c_sql, "updated_utc_timestamp": u_sql,
                   "created_timestamp": c_sql, "updated_timestamp": u_sql}
            if hard:
                row["bounced_hard"] = "1"
                row["bounced_date"] = u_sql[:10]
            if rng.random() < 0.3:
                row["sentcnt"] = str(rng.randrange(1, 60))
            insert("contacts", row)
            cid_s = str(cid)
            # Association rows reuse the contact's own moments: subscribed on creation, tagged on update.
            for list_id in rng.sample(list_ids, rng.choice((1, 1, 1, 2, 2, 3))):
                insert("contactLists", {"contact": cid_s, "list": list_id, "status": "3" if hard else rng.choice(status_weights),
                                        "form": rng.choice(form_ids) if rng.random() < 0.3 else None,
                                        "first_name": first, "last_name": last, "sdate": c_iso, "udate": u_iso,
                                        "created_timestamp": c_sql, "updated_timestamp": u_sql})
            for tag_id in set(rng.choices(tag_ids, cum_weights=tag_cum, k=rng.choice((0, 1, 1, 2, 3, 4)))):
                insert("contactTags", {"contact": cid_s, "tag": tag_id, "cdate": u_iso,
                                       "created_timestamp": u_sql, "updated_timestamp": u_sql})
            for fid, ftype, options in field_specs:
                if rng.random() < 0.25:
                    insert("fieldValues", {"contact": cid_s, "field": fid, "owner": cid_s,
                                           "value": self.field_value(ftype, options), "cdate": c_iso, "udate": u_iso})

    def accounts(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        n_accounts = self.size.part(25, 5)
        for aid in range(1, n_accounts + 1):
            created = self.when()
            name = f"{COMPANIES[(aid - 1) % len(COMPANIES)]}" + ("" if aid <= len(COMPANIES) else f" {aid}")
            s.insert("accounts", {"id": aid, "name": name,
                                  "accountUrl": None if rng.random() < 0.4 else f"https://{name.lower().replace(' ', '-')}.example",
                                  "createdTimestamp": t.iso(created), "updatedTimestamp": t.iso(created + 86400)})
        for cid in range(1, self.size.contacts + 1):
            if rng.random() < 0.3:
                aid = rng.randrange(1, n_accounts + 1)
                stamp = t.iso(self.when())
                s.insert("accountContacts", {"account": str(aid), "contact": str(cid),
                                             "jobTitle": rng.choice(JOB_TITLES),
                                             "createdTimestamp": stamp, "updatedTimestamp": stamp})
                contact = s.get("contacts", str(cid))
                if contact is not None:
                    contact["orgid"] = str(aid)
                    contact["orgname"] = s.get("accounts", str(aid))["name"]  # type: ignore[index]
        for mid, (label, ftype) in enumerate([("Industry", "dropdown"), ("Annual revenue", "currency"),
                                              ("Region", "text")], start=1):
            stamp = t.iso(START + mid * 3600)
            s.insert("accountCustomFieldMeta", {"id": mid, "fieldLabel": label, "fieldType": ftype,
                                                "displayOrder": mid, "createdTimestamp": stamp, "updatedTimestamp": stamp})
        for aid in range(1, n_accounts + 1):
            for mid, value in ((1, rng.choice(["Retail", "Software", "Finance"])),
                               (2, str(rng.randrange(100, 90000) * 1000)), (3, rng.choice(["EMEA", "AMER", "APAC"]))):
                if rng.random() < 0.7:
                    stamp = t.iso(self.when())
                    s.insert("accountCustomFieldData", {"customerAccountId": str(aid), "accountId": str(aid),
                                                        "customFieldId": str(mid), "accountCustomFieldMetumId": str(mid),
                                                        "fieldValue": value, "createdTimestamp": stamp,
                                                        "updatedTimestamp": stamp})

    # ---- deals ------------------------------------------------------------------------------

    def pipelines_and_deals(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        stages_by_group: dict[int, list[int]] = {}
        stage_id = 1
        for gid, (title, currency, stages) in enumerate(PIPELINES, start=1):
            created = START + gid * 86400
            s.insert("dealGroups", {"id": gid, "title": title, "currency": currency,
                                    "cdate": t.iso(created), "udate": t.iso(created + 3600)})
            stages_by_group[gid] = []
            for order, stage_title in enumerate(stages, start=1):
                s.insert("dealStages", {"id": stage_id, "group": str(gid), "title": stage_title, "order": str(order),
                                        "color": ["18D499", "32B0FC", "E6CE4B", "F26B3A", "8E44AD"][order - 1],
                                        "cdate": t.iso(created), "udate": t.iso(created)})
                stages_by_group[gid].append(stage_id)
                stage_id += 1
        for tid, title in enumerate(["Call", "Email", "Meeting", "Follow-up"], start=1):
            s.insert("dealTasktypes", {"id": tid, "title": title, "defduration": "15" if tid != 3 else "60",
                                       "cdate": None, "udate": None})
        for mid, (label, ftype) in enumerate([("Lead source", "dropdown"), ("Contract length", "number"),
                                              ("Decision date", "date"), ("Competitor", "text")], start=1):
            stamp = t.sql(START + mid * 3600)
            s.insert("dealCustomFieldMeta", {"id": mid, "fieldLabel": label, "fieldType": ftype, "displayOrder": mid,
                                             "createdTimestamp": stamp, "updatedTimestamp": stamp})
        n_contacts = self.size.contacts
        n_accounts = s.count("accounts")
        for did in range(1, self.size.part(8, 10) + 1):
            gid = rng.choice((1, 1, 1, 2, 3))
            stage = rng.choice(stages_by_group[gid])
            created = self.when()
            modified = min(END, created + rng.randrange(0, 200 * 86400))
            status = rng.choice((0, 0, 0, 1, 2))
            contact = rng.randrange(1, n_contacts + 1)
            row = {"id": did, "hash": hashlib.md5(f"deal{did}".encode()).hexdigest()[:8],
                   "owner": str(rng.randrange(1, 4)), "contact": str(contact), "group": str(gid), "stage": str(stage),
                   "title": f"{rng.choice(COMPANIES)} {rng.choice(['licence', 'renewal', 'pilot', 'expansion', 'services'])}",
                   "description": rng.choice(["", "Inbound lead", "Referral from partner", "Upsell opportunity"]),
                   "percent": str(rng.choice((10, 25, 50, 75, 90))),
                   "cdate": t.iso(created), "mdate": t.iso(modified),
                   "nextdate": t.iso(modified + 7 * 86400) if status == 0 and rng.random() < 0.6 else None,
                   "value": str(rng.randrange(5, 5000) * 100 + rng.choice((0, 0, 50, 99))),
                   "currency": PIPELINES[gid - 1][1], "status": str(status),
                   "activitycount": str(rng.randrange(0, 12)),
                   "account": str(rng.randrange(1, n_accounts + 1)) if rng.random() < 0.5 else None,
                   "edate": t.iso(modified) if status else None}
            if rng.random() < 0.03:
                row["_disabled"] = True  # an inaccessible deal: listed as a stub, still counted
            s.insert("deals", row)
            if rng.random() < 0.2:
                s.insert("contactDeals", {"deal": str(did), "contact": str(rng.randrange(1, n_contacts + 1)),
                                          "cdate": t.iso(created + 3600)})
            if rng.random() < 0.4:
                due = created + rng.randrange(86400, 30 * 86400)
                s.insert("dealTasks", {"relid": str(did), "reltype": "Deal",
                                       "dealTasktype": str(rng.randrange(1, 5)), "user": row["owner"],
                                       "assignee": row["owner"], "title": rng.choice(["Call back", "Send proposal", None]),
                                       "note": rng.choice(["Discuss pricing", "Check budget", "Demo follow-up"]),
                                       "status": str(rng.choice((0, 1))), "duedate": t.iso(due),
                                       "edate": t.iso(due + 900), "cdate": t.iso(created), "udate": t.iso(created),
                                       "owner": {"type": "deal", "id": str(did)}})
            for mid in (1, 2, 3, 4):
                if rng.random() < 0.5:
                    stamp = t.iso(created)
                    value = {1: rng.choice(["Website", "Referral", "Event"]), 2: str(rng.choice((12, 24, 36))),
                             3: t.day(created + 60 * 86400), 4: rng.choice(["None", "Globex", "Initech"])}[mid]
                    s.insert("dealCustomFieldData", {"dealId": str(did), "customFieldId": str(mid),
                                                     "dealCustomFieldMetumId": str(mid), "fieldValue": value,
                                                     "createdTimestamp": stamp.replace(stamp[-6:], "+00:00"),
                                                     "updatedTimestamp": stamp.replace(stamp[-6:], "+00:00")})

    # ---- automations, campaigns, bounces ---------------------------------------------------------

    def automations(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        names = ["Welcome series", "Webinar follow-up", "Trial nurture", "Win-back", "Birthday greeting",
                 "Deal won onboarding", "Abandoned cart", "Re-engagement"]
        for aid, name in enumerate(names, start=1):
            created = START + aid * 86400 * 10
            s.insert("automations", {"id": aid, "name": name, "userid": "1", "status": "1" if aid != 8 else "2",
                                     "cdate": t.iso(created), "mdate": t.iso(created + 86400)})
        for cid in range(1, self.size.contacts + 1):
            if rng.random() < 0.3:
                aid = rng.randrange(1, len(names) + 1)
                added = self.when()
                total = rng.randrange(2, 9)
                done = rng.randrange(0, total + 1)
                status = "2" if done == total else "1"
                s.insert("contactAutomations", {
                    "contact": str(cid), "seriesid": str(aid), "automation": str(aid), "status": status,
                    "adddate": t.iso(added), "remdate": t.iso(added + 86400 * done) if status == "2" else None,
                    "timespan": str(86400 * done) if status == "2" else None, "lastblock": str(done + 1),
                    "lastdate": t.iso(added + 86400 * done), "completedElements": str(done),
                    "totalElements": str(total), "completed": 1 if status == "2" else 0,
                    "completeValue": int(100 * done / total)})

    def campaigns_and_bounces(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        bounce_id = 1
        for cid in range(1, 25):
            list_id = rng.randrange(1, len(LIST_NAMES) + 1)
            recipients = [r for r in s.rows_where("contactLists", "list", str(list_id)) if r["status"] == "1"]
            created = START + cid * 86400 * 60
            sent = created + 86400
            subject = rng.choice(["Your monthly update", "New features are live", "Last chance: webinar seats",
                                  "We miss you", "Black Friday deals inside", "Your 2026 planning guide"])
            s.insert("messages", {"id": cid, "userid": "1", "user": "1", "name": subject, "fromname": "Demo Agency",
                                  "fromemail": "news@demo-agency.example", "reply2": "hello@demo-agency.example",
                                  "subject": subject, "text": f"{subject}\n\nRead more on our site.",
                                  "html": f"<html><body><h1>{subject}</h1></body></html>",
                                  "cdate": t.iso(created), "mdate": t.iso(created)})
            send = len(recipients)
            unique_opens = int(send * rng.uniform(0.15, 0.45))
            unique_clicks = int(unique_opens * rng.uniform(0.05, 0.3))
            hard = min(send, int(send * rng.uniform(0, 0.01)))
            soft = min(send - hard, int(send * rng.uniform(0, 0.02)))
            status = "5" if cid < 23 else rng.choice(("0", "1"))  # 5 = completed; the last ones draft/scheduled
            sent_any = status == "5"
            s.insert("campaigns", {
                "id": cid, "type": rng.choice(("single", "single", "split", "recurring")), "userid": "1", "user": "1",
                "segmentid": "0", "seriesid": "0", "basemessageid": str(cid), "name": f"{subject} ({cid})",
                "cdate": t.iso(created), "mdate": t.iso(sent), "sdate": t.iso(sent) if sent_any else None,
                "ldate": t.iso(sent + 3600) if sent_any else None,
                "send_amt": str(send if sent_any else 0), "total_amt": str(send if sent_any else 0),
                "opens": str(unique_opens + rng.randrange(0, unique_opens + 1) if sent_any else 0),
                "uniqueopens": str(unique_opens if sent_any else 0),
                "linkclicks": str(unique_clicks + rng.randrange(0, unique_clicks + 1) if sent_any else 0),
                "uniquelinkclicks": str(unique_clicks if sent_any else 0),
                "hardbounces": str(hard if sent_any else 0), "softbounces": str(soft if sent_any else 0),
                "unsubscribes": str(int(send * rng.uniform(0, 0.01)) if sent_any else 0),
                "replies": "0", "uniquereplies": "0", "status": status, "public": "1", "_list": str(list_id)})
            if not sent_any:
                continue
            for n, contact_list in enumerate(rng.sample(recipients, hard + soft)):
                contact = s.get("contacts", contact_list["contact"])
                stamp = sent + rng.randrange(60, 7200)
                s.insert("bounceLogs", {"id": bounce_id, "tstamp": t.iso(stamp), "bounceid": "1" if n < hard else "2",
                                        "subscriberid": contact_list["contact"], "campaignid": str(cid),
                                        "messageid": str(cid), "codeid": "48" if n < hard else "21",
                                        "email": contact["email"] if contact else "",
                                        "source": "Return-Path: <>\nReceived: from mx.example.invalid",
                                        "created_timestamp": t.sql(stamp), "updated_timestamp": t.sql(stamp)})
                bounce_id += 1

    # ---- e-commerce ---------------------------------------------------------------------------

    def ecommerce(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        for cid, (service, name) in enumerate([("shopify", "Demo Shop"), ("woocommerce", "Demo Outlet")], start=1):
            stamp = t.iso(START + cid * 86400)
            s.insert("connections", {"id": cid, "service": service, "externalid": f"{service}.demo-shop.example",
                                     "name": name, "isInternal": "0", "status": "1", "syncStatus": "0",
                                     "lastSync": stamp, "logoUrl": "", "linkUrl": "", "cdate": stamp, "udate": stamp})
        products = [("SKATE-8", "Skateboard", 5000, "skateboards"), ("WHEEL-4", "Wheel set", 2400, "parts"),
                    ("HELM-1", "Helmet", 3900, "safety"), ("TEE-S", "T-shirt", 1800, "apparel"),
                    ("CAP-1", "Cap", 1500, "apparel"), ("BAG-2", "Backpack", 6500, "bags")]
        order_id = product_row = 1
        for cust in range(1, self.size.part(10, 5) + 1):
            contact = s.get("contacts", str(rng.randrange(1, self.size.contacts + 1)))
            assert contact is not None
            connection = rng.choice((1, 1, 2))
            first = self.when()
            s.insert("ecomCustomers", {"id": cust, "connectionid": str(connection), "connection": str(connection),
                                       "externalid": str(100000 + cust), "email": contact["email"],
                                       "tstamp": t.iso(first), "acceptsMarketing": rng.choice(("0", "1")),
                                       "avgProductCategory": ""})
            for _ in range(rng.choice((1, 1, 2, 3))):
                placed = self.when(first)
                lines = rng.sample(products, rng.randint(1, 3))
                subtotal = 0
                product_ids = []
                for sku, pname, price, category in lines:
                    qty = rng.randint(1, 3)
                    subtotal += price * qty
                    s.insert("ecomOrderProducts", {"id": product_row, "orderid": str(order_id), "ecomOrder": str(order_id),
                                                   "connectionid": str(connection), "externalid": f"{sku}-{order_id}",
                                                   "sku": sku, "name": pname, "description": f"The {pname.lower()}",
                                                   "price": str(price), "quantity": str(qty), "category": category,
                                                   "imageUrl": "", "productUrl": "",
                                                   "createdDate": t.iso(placed), "updatedDate": t.iso(placed),
                                                   "tstamp": t.iso(placed)})
                    product_ids.append(str(product_row))
                    product_row += 1
                shipping, discount = rng.choice((0, 500, 900)), rng.choice((0, 0, 1000))
                tax = subtotal * 8 // 100
                s.insert("ecomOrders", {
                    "id": order_id, "customerid": str(cust), "customer": str(cust), "connectionid": str(connection),
                    "connection": str(connection), "state": "1", "source": "1", "externalid": str(500000 + order_id),
                    "externalcheckoutid": None, "orderNumber": f"#{1000 + order_id}", "email": contact["email"],
                    "totalPrice": str(subtotal + shipping + tax - discount), "discountAmount": str(discount),
                    "shippingAmount": str(shipping), "taxAmount": str(tax), "totalProducts": str(len(lines)),
                    "currency": "USD", "shippingMethod": rng.choice(("Standard", "Express")), "orderUrl": "",
                    "externalCreatedDate": t.iso(placed), "externalUpdatedDate": t.iso(placed),
                    "createdDate": t.iso(placed), "updatedDate": t.iso(placed), "orderDate": t.iso(placed),
                    "tstamp": t.iso(placed), "_products": product_ids})
                order_id += 1

    # ---- the rest -------------------------------------------------------------------------------

    def misc(self) -> None:
        rng, s, t = self.rng, self.s, self.t
        segments = [("VIP customers", {"tag": "4"}), ("Newsletter active", {"list": "1", "status": "1"}),
                    ("Trial users", {"tag": "6"}), ("Customers list", {"list": "4", "status": "1"}),
                    ("Webinar unsubscribes", {"list": "3", "status": "2"})]
        for sid, (name, rule) in enumerate(segments, start=1):
            stamp = t.iso(START + sid * 86400)
            s.insert("segments", {"id": sid, "name": name, "logic": "and", "hidden": "0", "seriesid": "0",
                                  "cdate": stamp, "_rule": rule})
        for wid, (name, events) in enumerate([("CRM sync", ["subscribe", "unsubscribe"]),
                                              ("Slack alerts", ["sent"]),
                                              ("Data warehouse", ["subscribe", "update", "bounce"])], start=1):
            s.insert("webhooks", {"id": wid, "name": name, "url": f"https://hooks.demo-agency.example/{wid}",
                                  "events": events, "sources": ["public", "admin", "system"],
                                  "listid": str(wid if wid < 3 else 0), "cdate": t.iso(START + wid * 86400)})
        for rid, title in enumerate(["Pricing answer", "Demo booking", "Thanks for your order", "Out of office"], 1):
            s.insert("savedResponses", {"id": rid, "title": title, "subject": f"Re: {title.lower()}",
                                        "body": f"Hello %FIRSTNAME%,\n\n{title}.", "cdate": t.iso(START + rid * 3600),
                                        "mdate": None})
        n_contacts = self.size.contacts
        for nid in range(1, self.size.part(20, 5) + 1):
            on_deal = rng.random() < 0.4 and s.count("deals") > 0
            relid = rng.randrange(1, s.count("deals") + 1) if on_deal else rng.randrange(1, n_contacts + 1)
            moment = self.when()
            s.insert("notes", {"id": nid, "relid": str(relid), "reltype": "Deal" if on_deal else "Subscriber",
                               "userid": str(rng.randrange(1, 7)), "user": str(rng.randrange(1, 7)),
                               "note": rng.choice(["Called, left voicemail.", "Asked for a quote.", "Happy customer ✓",
                                                   "Wants a follow-up in Q3.", "Spoke with procurement."]),
                               "cdate": t.iso(moment), "mdate": t.iso(moment),
                               "owner": {"type": "deal" if on_deal else "contact", "id": str(relid)}})
        for aid in range(1, self.size.part(4, 5) + 1):
            contact = str(rng.randrange(1, n_contacts + 1))
            moment = self.when()
            s.insert("activities", {"id": aid, "subscriberid": contact, "userid": "1", "user": "1",
                                    "reference_type": rng.choice(("SubscriberEmail", "Note", "DealActivity")),
                                    "reference_id": str(rng.randrange(1, 500)),
                                    "referenceModelName": "contact-email", "tstamp": t.iso(moment)})
