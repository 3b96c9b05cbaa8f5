"""The ActiveCampaign v3 tables, one spec each, from the API reference's field lists.

Adding a table is adding a spec here. Column names are the API's field names; `links` is dropped.
"""
from __future__ import annotations

from dataclasses import replace

from acn_magic.catalog.spec import Filter, JoinFilter, Parameter, TableSpec, columns

ALL = frozenset({"select", "insert", "update", "delete"})
READ = frozenset({"select"})

STAMPS = "created_timestamp:lts updated_timestamp:lts created_by:int updated_by:int"
CREATED_UPDATED = (Filter("cdate", "filters[created_after]", "after"), Filter("cdate", "filters[created_before]", "before"))

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "Contacts", "contacts", "People in the account: e-mail address, name, phone and bounce state.",
        columns(f"id:int email phone firstName lastName orgid:int orgname segmentio_id bounced_hard:int "
                f"bounced_soft:int bounced_date ip:int ua hash socialdata_lastcheck email_local email_domain "
                f"sentcnt:int rating_tstamp gravatar:int deleted:bool anonymized:bool adate:ts cdate:ts udate:ts "
                f"edate:ts deleted_at created_utc_timestamp:lts updated_utc_timestamp:lts {STAMPS} "
                f"email_empty:bool mpp_tracking:int organization:int scoreValues:json accountContacts:json"),
        single_key="contact",
        filters=(Filter("id", "ids[]", "ids"), Filter("id", "id_greater", "gt_int"), Filter("id", "id_less", "lt_int"),
                 Filter("email", "email"), Filter("email", "email_like", "like"), Filter("phone", "phone", "prefix"),
                 *CREATED_UPDATED, Filter("udate", "filters[updated_after]", "after"),
                 Filter("udate", "filters[updated_before]", "before")),
        sortable={"id": "id", "cdate": "cdate", "email": "email", "firstName": "first_name", "lastName": "last_name"},
        operations=ALL,
        join_filters=(JoinFilter("ContactTags", "contact", "tag", "tagid"),
                      JoinFilter("ContactLists", "contact", "list", "listid"),
                      JoinFilter("ContactLists", "contact", "status", "status")),
        parameters=(Parameter("listid", "listid", "contacts on this list"),
                    Parameter("tagid", "tagid", "contacts with this tag"),
                    Parameter("status", "status", "list status: -1 any, 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced"),
                    Parameter("segmentid", "segmentid", "contacts in this segment"),
                    Parameter("formid", "formid", "contacts who subscribed through this form"),
                    Parameter("seriesid", "seriesid", "contacts in this automation"),
                    Parameter("search", "search", "names, organisation, phone or e-mail containing the text")),
    ),
    TableSpec(
        "Deals", "deals", "Sales opportunities: value in cents, pipeline (group), stage, owner and status "
                          "(0 open, 1 won, 2 lost). Inaccessible deals appear with only id, title and isDisabled.",
        columns("id:int hash owner:int contact:int organization:int group:int stage:int title description "
                "percent:int cdate:ts mdate:ts nextdate:ts nexttaskid:int value:int currency winProbability:int "
                "winProbabilityMdate:ts status:int activitycount:int nextdealid:int edate:ts isDisabled:bool "
                "account:int customerAccount:int"),
        single_key="deal", total_is_int=True,
        filters=(Filter("stage", "filters[stage]"), Filter("group", "filters[group]"), Filter("status", "filters[status]"),
                 Filter("owner", "filters[owner]"), Filter("title", "filters[title]", "like"),
                 *CREATED_UPDATED, Filter("mdate", "filters[updated_after]", "after"),
                 Filter("mdate", "filters[updated_before]", "before"),
                 Filter("value", "filters[minimum_value]", "min_dollars"),
                 Filter("value", "filters[maximum_value]", "max_dollars")),
        sortable={"title": "title", "value": "value", "cdate": "cdate"},
        operations=ALL,
        parameters=(Parameter("search", "filters[search]", "title or contact containing the text"),
                    Parameter("tag", "filters[tag]", "deals whose contact has this tag")),
    ),
    TableSpec(
        "Accounts", "accounts", "Companies (accounts) with their number of contacts and deals.",
        columns("id:int name accountUrl createdTimestamp:ts updatedTimestamp:ts contactCount:int dealCount:int"),
        single_key="account", list_params={"count_deals": "true"}, operations=ALL,
    ),
    TableSpec(
        "AccountContacts", "accountContacts", "Which contact works at which account, with job title.",
        columns("id:int account:int contact:int jobTitle createdTimestamp:ts updatedTimestamp:ts"),
        single_key="accountContact",
        filters=(Filter("contact", "filters[contact]"), Filter("account", "filters[account]")), operations=ALL,
    ),
    TableSpec(
        "Lists", "lists", "Mailing lists with their sender details.",
        columns(f"id:int stringid userid:int name cdate:ts udate:ts p_use_tracking:bool p_use_analytics_read:bool "
                f"p_use_analytics_link:bool p_use_twitter:bool p_use_facebook:bool p_embed_image:bool "
                f"p_use_captcha:bool send_last_broadcast:bool private:bool require_name:bool "
                f"get_unsubscribe_reason:bool optinoptout:int optinmessageid:int optoutconf:int analytics_domains "
                f"analytics_source analytics_ua twitter_token twitter_token_secret facebook_session carboncopy "
                f"subscription_notify unsubscription_notify to_name sender_name sender_addr1 sender_addr2 sender_city "
                f"sender_state sender_zip sender_country sender_phone sender_url sender_reminder fulladdress "
                f"deletestamp {STAMPS} user:int"),
        single_key="list", sortable={"name": "name"},
        filters=(Filter("name", "filters[name]", "like"),),
        operations=frozenset({"select", "insert", "delete"}),
    ),
    TableSpec(
        "ContactLists", "contactLists", "List memberships: status 1 active, 2 unsubscribed (0 unconfirmed, 3 bounced). "
                                        "Insert or update a row to subscribe (status 1) or unsubscribe (status 2).",
        columns(f"id:int contact:int list:int form:int seriesid:int sdate:ts udate:ts status:int responder:int "
                f"sync:int unsubreason campaign:int message:int first_name last_name ip4Sub:int sourceid:int "
                f"autosyncLog ip4_last:int ip4Unsub:int {STAMPS} unsubscribeAutomation:int automation:int"),
        single_key="contactList", operations=frozenset({"select", "insert", "update"}),
        update_by_post=("contact", "list"),
    ),
    TableSpec(
        "Tags", "tags", "Tags with the number of contacts carrying each.",
        columns(f"id:int tagType tag description subscriber_count:int cdate:ts {STAMPS}"),
        single_key="tag", filters=(Filter("tag", "search", "like"),), operations=ALL,
    ),
    TableSpec(
        "ContactTags", "contactTags", "Which contact carries which tag.",
        columns(f"id:int contact:int tag:int cdate:ts {STAMPS}"),
        single_key="contactTag", operations=frozenset({"select", "insert", "delete"}),
    ),
    TableSpec(
        "Fields", "fields", "Contact custom fields: title, type and personalisation tag.",
        columns(f"id:int title descript type isrequired:bool perstag defval show_in_list:bool rows:int cols:int "
                f"visible:bool service ordernum:int cdate:ts udate:ts {STAMPS} options:json relations:json"),
        single_key="field", filters=(Filter("perstag", "filters[perstag]"),), operations=ALL,
    ),
    TableSpec(
        "FieldValues", "fieldValues", "Contact custom field values, one per contact and field.",
        columns("id:int contact:int field:int value cdate:ts udate:ts created_by:int updated_by:int owner:int"),
        single_key="fieldValue",
        filters=(Filter("field", "filters[fieldid]"), Filter("value", "filters[val]")), operations=ALL,
    ),
    TableSpec(
        "FieldOptions", "fieldOptions", "The choices of dropdown, radio, checkbox and listbox custom fields.",
        columns("id:int field:int orderid:int value label isdefault:bool cdate:ts udate:ts"),
        single_key="fieldOption", operations=frozenset({"select", "delete"}),
    ),
    TableSpec(
        "DealGroups", "dealGroups", "Pipelines, with the ids of their stages.",
        columns("id:int title currency autoassign:bool allusers:bool allgroups:bool "
                "win_probability_initialize_date:ts cdate:ts udate:ts stages:json"),
        single_key="dealGroup", filters=(Filter("title", "filters[title]", "like"),),
        sortable={"title": "title"}, operations=ALL,
    ),
    TableSpec(
        "DealStages", "dealStages", "Pipeline stages, each in one pipeline (group).",
        columns("id:int group:int title color order:int width:int dealOrder cardRegion1 cardRegion2 cardRegion3 "
                "cardRegion4 cardRegion5 cdate:ts udate:ts"),
        single_key="dealStage",
        filters=(Filter("group", "filters[d_groupid]"), Filter("title", "filters[title]", "like")),
        sortable={"title": "title"}, operations=ALL,
    ),
    TableSpec(
        "DealTasks", "dealTasks", "Tasks on deals and contacts, with due date and status (1 complete).",
        columns("id:int relid:int reltype dealTasktype:int user:int assignee:int automation:int cdate:ts duedate:ts "
                "edate:ts duration:int status:int title note donedate:ts doneAutomation:int udate:ts owner:json "
                "outcomeId:int outcomeInfo"),
        single_key="dealTask",
        filters=(Filter("relid", "filters[relid]"), Filter("reltype", "filters[reltype]"),
                 Filter("status", "filters[status]"), Filter("dealTasktype", "filters[d_tasktypeid]"),
                 Filter("duedate", "filters[due_after]", "after"), Filter("duedate", "filters[due_before]", "before")),
        operations=ALL,
    ),
    TableSpec(
        "DealTaskTypes", "dealTasktypes", "Kinds of tasks (call, e-mail, meeting...).",
        columns("id:int title status:int defduration:int cdate:ts udate:ts"),
        single_key="dealTasktype", operations=ALL,
    ),
    TableSpec(
        "Notes", "notes", "Notes on contacts (reltype Subscriber), deals (Deal) and other records.",
        columns("id:int relid:int reltype userid:int is_draft:bool cdate:ts mdate:ts note user:int owner:json"),
        single_key="note", operations=ALL,
    ),
    TableSpec(
        "Users", "users", "Users of the ActiveCampaign account.",
        columns("id:int username firstName lastName email phone signature localZoneid "
                "password_updated_utc_timestamp:lts cdate:ts udate:ts mfaEnabled:bool"),
        single_key="user", operations=ALL,
    ),
    TableSpec(
        "Campaigns", "campaigns", "E-mail campaigns with their send, open, click and bounce statistics.",
        columns("id:int type userid:int segmentid:int bounceid:int realcid:int sendid:int threadid:int seriesid:int "
                "formid:int basetemplateid basemessageid:int addressid:int source name cdate:ts mdate:ts sdate:ts "
                "ldate:ts send_amt:int total_amt:int opens:int uniqueopens:int linkclicks:int uniquelinkclicks:int "
                "subscriberclicks:int forwards:int uniqueforwards:int hardbounces:int softbounces:int "
                "unsubscribes:int unsubreasons:int updates:int socialshares:int replies:int uniquereplies:int "
                "status:int public:bool mail_transfer:int mail_send:int mail_cleanup:int mailer_log_file:int "
                "tracklinks tracklinksanalytics:bool trackreads:bool trackreadsanalytics:bool analytics_campaign_name "
                "tweet:bool facebook:bool survey embed_images:bool htmlunsub:bool textunsub:bool htmlunsubdata "
                "textunsubdata recurring willrecur:bool split_type split_content:int split_offset:int "
                "split_offset_type split_winner_messageid:int split_winner_awaiting:int responder_offset:int "
                "responder_type responder_existing:int reminder_field reminder_format reminder_type "
                "reminder_offset:int reminder_offset_type reminder_offset_sign reminder_last_cron_run "
                "activerss_interval activerss_url activerss_items:int ip4:int laststep managetext:int schedule:int "
                "scheduleddate:ts waitpreview:int deletestamp replysys:int user:int automation:int"),
        single_key="campaign", filters=(Filter("seriesid", "filters[seriesid]"),),
        sortable={"sdate": "sdate", "ldate": "ldate"}, operations=frozenset({"select", "delete"}),
    ),
    TableSpec(
        "Messages", "messages", "E-mail message contents used by campaigns.",
        columns("id:int userid:int ed_instanceid:int ed_version:int cdate:ts mdate:ts name fromname fromemail reply2 "
                "priority:int charset encoding format subject preheader_text text html htmlfetch textfetch "
                "hidden:bool preview_mime preview_data user:int"),
        single_key="message", operations=ALL,
    ),
    TableSpec(
        "Automations", "automations", "Automations with how many contacts entered and exited them.",
        columns("id:int name cdate:ts mdate:ts userid:int status:int entered:int exited:int hidden:bool "
                "defaultscreenshot screenshot entitlements_violation:bool source description "
                "exit_on_unsubscribe:bool exit_on_conversion:bool multientry:bool"),
        single_key="automation",
    ),
    TableSpec(
        "ContactAutomations", "contactAutomations", "Contacts in automations: progress and status (1 active, 2 completed).",
        columns("id:int contact:int seriesid:int startid:int status:int batchid adddate:ts remdate:ts timespan:int "
                "lastblock:int lastlogid:int lastdate:ts completedElements:int totalElements:int completed:bool "
                "completeValue:int automation:int"),
        single_key="contactAutomation", operations=frozenset({"select", "insert", "delete"}),
    ),
    TableSpec(
        "ContactDeals", "contactDeals", "Secondary contacts on deals.",
        columns("id:int deal:int contact:int cdate:ts"), single_key="contactDeal", operations=ALL,
    ),
    TableSpec(
        "DealCustomFieldMeta", "dealCustomFieldMeta", "Deal custom field definitions.",
        columns("id:int fieldLabel fieldType fieldOptions:json fieldDefault fieldDefaultCurrency isFormVisible:bool "
                "isRequired:bool displayOrder:int personalization knownFieldId:int hideFieldFlag:bool "
                "createdTimestamp:lts updatedTimestamp:lts"),
        single_key="dealCustomFieldMetum", operations=ALL,
    ),
    TableSpec(
        "DealCustomFieldData", "dealCustomFieldData", "Deal custom field values.",
        columns("id:int dealId:int customFieldId:int dealCustomFieldMetumId:int fieldValue createdTimestamp:ts "
                "updatedTimestamp:ts"),
        single_key="dealCustomFieldDatum", total_is_int=True, filters=(Filter("dealId", "filters[dealId]"),),
        operations=ALL,
    ),
    TableSpec(
        "AccountCustomFieldMeta", "accountCustomFieldMeta", "Account custom field definitions.",
        columns("id:int fieldLabel fieldType fieldOptions:json fieldDefault fieldDefaultCurrency isFormVisible:bool "
                "isRequired:bool displayOrder:int personalization knownFieldId:int hideFieldFlag:bool "
                "createdTimestamp:ts updatedTimestamp:ts"),
        single_key="accountCustomFieldMetum", operations=ALL,
    ),
    TableSpec(
        "AccountCustomFieldData", "accountCustomFieldData", "Account custom field values.",
        columns("id:int customerAccountId:int accountId:int customFieldId:int accountCustomFieldMetumId:int "
                "fieldValue createdTimestamp:ts updatedTimestamp:ts"),
        single_key="accountCustomFieldDatum",
        filters=(Filter("customerAccountId", "filters[customerAccountId]"),), operations=ALL,
    ),
    TableSpec(
        "Webhooks", "webhooks", "Webhooks: the URL called, on which events and from which sources.",
        columns("id:int cdate:ts listid:int name url events:json sources:json"),
        single_key="webhook",
        filters=(Filter("name", "filters[name]", "like"), Filter("listid", "filters[listid]")), operations=ALL,
    ),
    TableSpec(
        "EcomCustomers", "ecomCustomers", "E-commerce customers per store connection, with revenue in cents.",
        columns("id:int connectionid:int externalid email totalRevenue:int totalOrders:int totalProducts:int "
                "avgRevenuePerOrder:int avgProductCategory tstamp:ts acceptsMarketing:bool connection:int"),
        single_key="ecomCustomer",
        filters=(Filter("email", "filters[email]"), Filter("connectionid", "filters[connectionid]"),
                 Filter("externalid", "filters[externalid]")),
        operations=ALL,
    ),
    TableSpec(
        "EcomOrders", "ecomOrders", "E-commerce orders; amounts in cents.",
        columns("id:int customerid:int connectionid:int state:int source:int externalid externalcheckoutid orderNumber "
                "email totalPrice:int discountAmount:int shippingAmount:int taxAmount:int totalProducts:int currency "
                "shippingMethod orderUrl externalCreatedDate:ts externalUpdatedDate:ts abandonedDate:ts "
                "createdDate:ts updatedDate:ts orderDate:ts tstamp:ts connection:int customer:int orderProducts:json"),
        single_key="ecomOrder",
        filters=(Filter("email", "filters[email]"), Filter("customerid", "filters[customerid]"),
                 Filter("connectionid", "filters[connectionid]"), Filter("state", "filters[state]")),
        sortable={"email": "email", "externalCreatedDate": "external_created_date"},
        operations=ALL,
    ),
    TableSpec(
        "EcomOrderProducts", "ecomOrderProducts", "Order lines: product, price in cents and quantity.",
        columns("id:int orderid:int connectionid:int externalid sku name description price:int quantity:int category "
                "imageUrl productUrl createdDate:ts updatedDate:ts tstamp:ts ecomOrder:int"),
        single_key="ecomOrderProduct",
    ),
    TableSpec(
        "Connections", "connections", "E-commerce and integration connections (stores).",
        columns("id:int service externalid name isInternal:bool status:int syncStatus:int lastSync:ts logoUrl linkUrl "
                "listId:int cdate:ts udate:ts"),
        single_key="connection",
        filters=(Filter("service", "filters[service]"), Filter("externalid", "filters[externalid]")), operations=ALL,
    ),
    TableSpec(
        "Segments", "segments", "Saved segments of contacts.",
        columns("id:int name logic hidden:bool seriesid:int cdate:ts"), single_key="segment",
    ),
    TableSpec(
        "Forms", "forms", "Sign-up forms.",
        columns("id:int name action submit url layout title body button thanks parentformid:int userid:int "
                "addressid:int cdate:ts udate:ts entries:int aid:int defaultscreenshot recent:json contacts:int "
                "deals:int address:int"),
        single_key="form",
    ),
    TableSpec(
        "Groups", "groups", "User groups (permission sets).",
        columns("id:int title descript unsubscribelink:bool optinconfirm:bool p_admin:bool pgDeal:bool "
                "pgContactAdd:bool reqApproval:bool socialdata:bool sdate:ts"),
        single_key="group", operations=ALL,
    ),
    TableSpec(
        "Scores", "scores", "Lead and deal scoring rules.",
        columns("id:int reltype name descript status:int cdate:ts mdate:ts"), single_key="score",
    ),
    TableSpec(
        "SavedResponses", "savedResponses", "Saved e-mail responses for sales users.",
        columns("id:int title subject body ldate:ts last_sent_user_id:int cdate:ts mdate:ts"),
        single_key="savedResponse", operations=ALL,
    ),
    TableSpec(
        "BounceLogs", "bounceLogs", "Bounced e-mails: contact, campaign and bounce code.",
        columns(f"id:int tstamp:ts bounceid:int subscriberid:int campaignid:int messageid:int codeid:int email error "
                f"source {STAMPS}"),
        single_key="bounceLog",
    ),
    TableSpec(
        "Activities", "activities", "The activity stream of contacts.",
        columns("id:int tstamp:ts subscriberid:int reference_type reference_id:int reference_action jsonData userid:int "
                "permission referenceModelName notes:json user:int"),
        single_key="activity", filters=(Filter("subscriberid", "contact"),), sortable={"tstamp": "tstamp"},
    ),
)

# What insert and update may send, per table: (required on insert, writable columns).
WRITES: dict[str, tuple[str, str]] = {
    "Contacts": ("email", "email firstName lastName phone"),
    "Deals": ("title value currency group stage owner",
              "title description value currency group stage owner contact account percent status"),
    "Accounts": ("name", "name accountUrl"),
    "AccountContacts": ("account contact", "account contact jobTitle"),
    "Lists": ("name stringid sender_url sender_reminder",
              "name stringid sender_url sender_reminder sender_name sender_addr1 sender_city sender_country"),
    "ContactLists": ("list contact status", "list contact status"),
    "Tags": ("tag", "tag tagType description"),
    "ContactTags": ("contact tag", "contact tag"),
    "Fields": ("title type", "title type descript perstag defval isrequired visible ordernum"),
    "FieldValues": ("contact field value", "contact field value"),
    "DealGroups": ("title currency", "title currency autoassign allusers allgroups"),
    "DealStages": ("title group", "title group color order width"),
    "DealTasks": ("relid duedate dealTasktype", "relid reltype duedate edate dealTasktype title note status assignee"),
    "DealTaskTypes": ("title", "title status defduration"),
    "Notes": ("note reltype relid", "note reltype relid"),
    "Users": ("username email firstName lastName", "username email firstName lastName phone"),
    "Messages": ("fromname fromemail reply2", "name fromname fromemail reply2 subject text html"),
    "ContactAutomations": ("contact automation", "contact automation"),
    "ContactDeals": ("deal contact", "deal contact"),
    "DealCustomFieldMeta": ("fieldLabel fieldType", "fieldLabel fieldType fieldDefault isRequired displayOrder"),
    "DealCustomFieldData": ("dealId customFieldId fieldValue", "dealId customFieldId fieldValue"),
    "AccountCustomFieldMeta": ("fieldLabel fieldType", "fieldLabel fieldType fieldDefault isRequired displayOrder"),
    "AccountCustomFieldData": ("customerAccountId customFieldId fieldValue",
                               "customerAccountId customFieldId fieldValue"),
    "Webhooks": ("name url events sources", "name url events sources listid"),
    "EcomCustomers": ("connectionid externalid email", "connectionid externalid email acceptsMarketing"),
    "EcomOrders": ("externalid source email totalPrice currency connectionid customerid externalCreatedDate",
                   "externalid externalcheckoutid source email totalPrice currency connectionid customerid "
                   "externalCreatedDate orderNumber shippingMethod"),
    "Connections": ("service externalid name logoUrl linkUrl", "service externalid name logoUrl linkUrl status"),
    "Groups": ("title", "title descript"),
    "SavedResponses": ("title subject body", "title subject body"),
}

TABLES = tuple(replace(t, required=tuple(WRITES[t.name][0].split()), writable=tuple(WRITES[t.name][1].split()))
               if t.name in WRITES else t for t in TABLES)
