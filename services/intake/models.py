"""Tables of the `intake` schema: tickets, timeline, idempotency keys, accounts."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from services.core.calendar_store import calendar_tables
from services.core.consumer import processed_table
from services.core.db import schema_metadata
from services.core.names import names_table
from services.core.outbox import outbox_table
from services.core.ratelimit import rate_limits_table

metadata = schema_metadata("intake")
outbox = outbox_table(metadata)
processed = processed_table(metadata)
ticket_number_seq = Sequence("ticket_number_seq", metadata=metadata)
# Unit and category names as routing announces them: what the printed archive shows.
names = names_table(metadata)
# The State Council notices loaded into sla: the 退件 window counts working days by them.
calendar_overrides, calendar_years = calendar_tables(metadata)
# Logins, SMS codes and citizens' reports counted per phone, IP or username.
rate_limits = rate_limits_table(metadata)


def _now():
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


tickets = Table(
    "tickets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("channel", String(20), nullable=False),
    Column("type", String(20), nullable=False),
    Column("category", String(64)),
    Column("urgency", String(10), nullable=False),
    Column("title", String(50), nullable=False),
    Column("content", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("town_code", String(12)),
    Column("address", String(200)),
    Column("lat", Float),
    Column("lng", Float),
    Column("contact_name", String(50), nullable=False),
    Column("contact_phone", String(20), nullable=False),
    Column("contact_id_number", String(18)),
    Column("contact_address", String(200)),
    # The phone whose citizen account sees this ticket under 我的诉求.
    Column("owner_phone", String(20), nullable=False, index=True),
    Column("anonymous", Boolean, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("media_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("submitted_by", String(100), nullable=False),
    Column("info_request", Text),
    Column("pending_info_since", DateTime(timezone=True)),
    Column("status_before_info", String(20)),
    Column("evaluation", JSONB),
    # Who handles it now, as routing last said: the lead unit and every unit with its role.
    Column("lead_unit", String(40), index=True),
    Column("unit_roles", JSONB, nullable=False, server_default="{}"),
    Column("units", ARRAY(String(40)), nullable=False, server_default="{}"),
    Column("assigned_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("reopen_count", Integer, nullable=False, server_default="0"),
    Column("overdue", Boolean, nullable=False, server_default="false"),
    Column("supervised", Boolean, nullable=False, server_default="false"),
    Column("returned_count", Integer, nullable=False, server_default="0"),
    Column("master_number", String(32)),
    Column("duplicates", JSONB),
    Column("reject_reason", JSONB),
    # The lead unit's running clocks as sla announced them (null while paused or stopped),
    # when the first warning falls, and whether sla has warned since the clocks last changed.
    Column("response_due", DateTime(timezone=True)),
    Column("completion_due", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True), Computed("LEAST(response_due, completion_due)")),
    Column("warn_at", DateTime(timezone=True)),
    Column("warned", Boolean, nullable=False, server_default="false"),
    # The command center's manual queue (cc-<region>) while the ticket waits there for a lead.
    Column("dispatch_unit", String(40)),
    # Sent back to the unit (by its leader, the center or the citizen) and not yet re-submitted.
    Column("rework", Boolean, nullable=False, server_default="false"),
    # What an Open311 client sent beside the report: a link to its photo, the citizen's email.
    Column("media_url", String(1000)),
    Column("contact_email", String(254)),
    _now(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_tickets_pending_info", "pending_info_since", postgresql_where="status = 'pending_info'"),
    Index("ix_tickets_resolved", "resolved_at", postgresql_where="status = 'resolved'"),
    Index("ix_tickets_units", "units", postgresql_using="gin"),
)

# The sort key of 时限最近 (due_asc): tickets without a completion deadline come last.
DUE_ORDER = func.coalesce(tickets.c.completion_due,
                          literal_column("'9999-12-31 00:00:00+00'::timestamptz")).label("due_order")
# A top-level category (municipal) matches its sub-categories (municipal.noise) too.
CATEGORY_TOP = func.split_part(tickets.c.category, literal_column("'.'"), literal_column("1"))
T = tickets.c

# What the staff lists filter and sort on (docs/console-queries.md). Queries spell partial
# predicates and expressions exactly as here, with literals, so the planner matches them.
for _name, *_parts, _where in (
    ("ix_tickets_created", T.created_at, T.id, None),
    ("ix_tickets_updated", T.updated_at, T.id, None),
    ("ix_tickets_region_created", T.region_code, T.created_at, T.id, None),
    ("ix_tickets_status_created", T.status, T.created_at, T.id, None),
    ("ix_tickets_category_created", T.category, T.created_at, T.id, None),
    ("ix_tickets_category_top_created", CATEGORY_TOP, T.created_at, T.id, None),
    ("ix_tickets_town_created", T.town_code, T.created_at, T.id, None),
    ("ix_tickets_urgency_created", T.urgency, T.created_at, T.id, None),
    ("ix_tickets_channel_created", T.channel, T.created_at, T.id, None),
    ("ix_tickets_type_created", T.type, T.created_at, T.id, None),
    ("ix_tickets_contact_phone", T.contact_phone, None),
    ("ix_tickets_submitted_by_created", T.submitted_by, T.created_at, None),
    ("ix_tickets_due_order", DUE_ORDER.element, T.id, None),
    ("ix_tickets_due", T.due_at, "due_at IS NOT NULL"),
    ("ix_tickets_dispatch", T.dispatch_unit, "dispatch_unit IS NOT NULL"),
    ("ix_tickets_rework", T.lead_unit, "rework"),
    ("ix_tickets_supervised", T.status, "supervised"),
    ("ix_tickets_reopened", T.status, "reopen_count > 0"),
    ("ix_tickets_unsatisfied", T.status, "(evaluation ->> 'satisfaction') = 'unsatisfied'"),
):
    Index(_name, *_parts, postgresql_where=text(_where) if _where else None)
Index("ix_tickets_title_trgm", T.title, postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"})
Index("ix_tickets_content_trgm", T.content, postgresql_using="gin",
      postgresql_ops={"content": "gin_trgm_ops"})

# The clocks of every unit of a ticket, as sla's events last described them; the lead
# unit's running ones are copied onto the ticket (deadlines.py).
deadlines = Table(
    "deadlines",
    metadata,
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("clock", String(20), primary_key=True),  # response | completion
    Column("state", String(20), nullable=False),  # running | paused | stopped
    Column("deadline", DateTime(timezone=True)),
    Column("warn_at", DateTime(timezone=True)),
    Column("warned", Boolean, nullable=False, server_default="false"),
    # The occurred_at of the event this row is from: an older event never overwrites it.
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Reports of the handling units: interim replies, contact logs, parts, completion reports,
# supervision notes and their answers; each with its evidence.
reports = Table(
    "reports",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("unit_code", String(40)),
    Column("actor", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("media_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("state", String(20)),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Return (退件) and extension (延期) requests awaiting the command center.
requests = Table(
    "requests",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("media_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("requested_deadline", DateTime(timezone=True)),
    Column("state", String(20), nullable=False, server_default="pending"),
    Column("decided_by", String(100)),
    Column("decision", Text),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("decided_at", DateTime(timezone=True)),
    Index("ix_requests_state_kind_at", "state", "kind", "at"),
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("action", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("actor_unit", String(40)),
    Column("actor_name", String(100)),
    Column("text", Text),
    Column("data", JSONB),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("caller", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer),
    Column("response", JSONB),
    _now(),
)

citizens = Table(
    "citizens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("phone", String(20), nullable=False, unique=True),
    Column("openid", String(64)),
    _now(),
)

sms_codes = Table(
    "sms_codes",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("phone", String(20), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("used", Boolean, nullable=False, server_default="false"),
    _now(),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("unit_code", String(40)),
    Column("region_code", String(6)),
    Column("display_name", String(80)),
    Column("active", Boolean, nullable=False, server_default="true"),
    _now(),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("active", Boolean, nullable=False, server_default="true"),
    _now(),
)

# 我的视图: a staff member's saved ticket-list filters (the console's query strings).
saved_views = Table(
    "saved_views",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False),
    Column("name", String(40), nullable=False),
    Column("query", String(1000), nullable=False),
    _now(),
    UniqueConstraint("username", "name", name="uq_saved_views_username_name"),
)

# 案例公开: a closed ticket's case as staff edited it for the public; `search` holds the
# jieba-segmented words of title (A), body (B) and reply (C) as a tsvector.
cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False),
    Column("title", String(50), nullable=False),
    Column("body", Text, nullable=False),
    Column("reply", Text, nullable=False),
    Column("category", String(64)),
    Column("region_code", String(6), nullable=False),
    Column("photos", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("search", TSVECTOR, nullable=False),
    Column("published_by", String(100), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("withdrawn_at", DateTime(timezone=True)),
    Index("ix_cases_search", "search", postgresql_using="gin"),
    Index("ix_cases_published", "published_at", postgresql_where=text("withdrawn_at IS NULL")),
    Index("uq_cases_ticket_live", "ticket_id", unique=True, postgresql_where=text("withdrawn_at IS NULL")),
)

# Inbound SMS, one row per part as the gateway posts it; parts of one phone become one
# ticket once no part has come for a few seconds (ticket_id set then).
sms_parts = Table(
    "sms_parts",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("phone", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("ticket_id", Uuid, ForeignKey("tickets.id")),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_sms_parts_phone_received", "phone", "received_at"),
    Index("ix_sms_parts_waiting", "received_at", postgresql_where=text("ticket_id IS NULL")),
)
