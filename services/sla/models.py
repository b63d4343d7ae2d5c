"""Tables of the `sla` schema: policies, calendar overrides, clocks, and the facts the rates need."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.core.consumer import processed_table
from services.core.db import schema_metadata
from services.core.names import names_table
from services.core.outbox import outbox_table

metadata = schema_metadata("sla")
outbox = outbox_table(metadata)
processed = processed_table(metadata)
# Unit and category names as routing announces them: what the reports print.
names = names_table(metadata)


def _updated():
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


# How long a clock runs: per clock kind and time class; new clocks copy what they use.
policies = Table(
    "policies",
    metadata,
    Column("clock", String(20), primary_key=True),
    Column("sla_class", String(20), primary_key=True),
    Column("amount", Float, nullable=False),
    Column("basis", String(20), nullable=False),  # hours (clock hours) | working_days
    Column("warn_ratio", Float),
    Column("warn_before_hours", Float),
    Column("updated_by", String(100)),
    _updated(),
)

# Small settings of the rates, e.g. the weights of 满意 / 基本满意.
options = Table(
    "options",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", JSONB, nullable=False),
    Column("updated_by", String(100)),
    _updated(),
)

calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("day", Date, primary_key=True),
    Column("is_workday", Boolean, nullable=False),
    Column("year", Integer, nullable=False, index=True),  # the year of the notice that set it
)

# Years whose State Council notice an admin loaded: the calendar follows only the notice.
calendar_years = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("loaded_by", String(100)),
    Column("note", Text),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

clocks = Table(
    "clocks",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ticket_id", Uuid, nullable=False, index=True),
    Column("number", String(32), nullable=False, index=True),
    Column("unit_code", String(40), nullable=False),
    Column("unit_name", String(100)),
    Column("kind", String(20), nullable=False),  # response | completion
    Column("cycle", Integer, nullable=False),  # a reopened ticket gets a new completion cycle
    Column("sla_class", String(20), nullable=False),
    Column("statutory_days", Integer),
    Column("basis", String(20), nullable=False),  # clock | working
    Column("allowed_seconds", Float, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("paused_at", DateTime(timezone=True)),
    Column("paused_seconds", Float, nullable=False, server_default="0"),
    Column("state", String(20), nullable=False),  # running | paused | met | breached | stopped
    Column("warn_ratio", Float),
    Column("warn_before_seconds", Float),
    Column("warned_ratio_at", DateTime(timezone=True)),
    Column("warned_before_at", DateTime(timezone=True)),
    Column("overdue_at", DateTime(timezone=True)),
    # When the scheduler must look next; NULL when nothing is due (paused or ended).
    Column("next_check_at", DateTime(timezone=True)),
    Column("stopped_at", DateTime(timezone=True)),
    Column("ended_by", String(30)),
    Column("extended_count", Integer, nullable=False, server_default="0"),
    Column("region_code", String(6)),
    Column("category", String(64)),
    Column("correlation_id", String(100)),
    UniqueConstraint("ticket_id", "unit_code", "kind", "cycle"),
    Index("ix_clocks_due", "next_check_at", postgresql_where="next_check_at IS NOT NULL"),
    Index("ix_clocks_unit_started", "unit_code", "started_at"),
    Index("ix_clocks_region_started", "region_code", "started_at"),
)

# What the reports group by: one row per ticket, from ticket.created and ticket.assigned.
tickets = Table(
    "tickets",
    metadata,
    Column("ticket_id", Uuid, primary_key=True),
    Column("number", String(32), nullable=False, index=True),
    Column("category", String(64)),
    Column("ticket_type", String(20)),
    Column("urgency", String(10)),
    Column("region_code", String(6)),
    Column("town_code", String(12)),
    Column("address", String(200)),
    Column("created_at", DateTime(timezone=True), index=True),
    _updated(),
)

# Unit actions the rates count: signed, returned, extended, reopened.
unit_events = Table(
    "unit_events",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("ticket_id", Uuid, nullable=False),
    Column("number", String(32), nullable=False),
    Column("region_code", String(6)),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_unit_events_ticket", "ticket_id", "unit_code", "kind"),
    Index("ix_unit_events_at", "at"),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("ticket_id", Uuid, nullable=False, index=True),
    Column("number", String(32), nullable=False),
    Column("region_code", String(6)),
    Column("units", ARRAY(String(40)), nullable=False, server_default="{}"),
    Column("resolved", Boolean, nullable=False),
    Column("satisfaction", String(30), nullable=False),
    Column("auto", Boolean, nullable=False, server_default="false"),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)
