"""Tables of the `notify` schema: who can be reached, template overrides, every message."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
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
from services.core.outbox import outbox_table

metadata = schema_metadata("notify")
outbox = outbox_table(metadata)
processed = processed_table(metadata)

STATUSES = ("queued", "sending", "sent", "delivered", "failed", "deferred", "fallback")
PRIORITIES = ("code", "urgent", "normal")


def _at(name: str, **kwargs) -> Column:
    return Column(name, DateTime(timezone=True), **kwargs)


# Routing's directory as `unit.upserted` tells it: whom to reach for a unit.
units = Table(
    "units",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent", String(40)),
    Column("region_code", String(6), nullable=False),
    Column("handler_phones", ARRAY(String(20)), nullable=False, server_default="{}"),
    Column("handler_openids", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("leader_phones", ARRAY(String(20)), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False, server_default="true"),
    _at("updated_at", nullable=False, server_default=func.now()),
)

# The citizen behind each ticket, from `ticket.created`.
tickets = Table(
    "tickets",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("ticket_id", Uuid),
    Column("contact_phone", String(20), nullable=False),
    Column("citizen_openid", String(64)),
    Column("anonymous", Boolean, nullable=False, server_default="false"),
    Column("urgency", String(10), nullable=False, server_default="normal"),
    Column("category", String(64)),
    Column("category_name", String(100)),  # from ticket.assigned: what messages show
    Column("title", String(100), nullable=False, server_default=""),
    Column("region_code", String(6), nullable=False),
    _at("created_at", nullable=False, server_default=func.now()),
)

# Which units handle a ticket now, from `ticket.assigned.*` and `ticket.returned`.
ticket_units = Table(
    "ticket_units",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("unit_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    # The correlation id of routing's decision: a transfer releases earlier decisions' units.
    Column("decision", String(100), nullable=False, server_default=""),
    _at("assigned_at", nullable=False, server_default=func.now()),
)

# Administrators' edits of the templates shipped in code (templates.DEFAULT_TEMPLATES).
templates = Table(
    "templates",
    metadata,
    Column("kind", String(60), primary_key=True),
    Column("audience", String(20), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("body", JSONB, nullable=False),
    Column("updated_by", String(100), nullable=False),
    _at("updated_at", nullable=False, server_default=func.now()),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", String(60), nullable=False),
    Column("template", String(60), nullable=False),  # the template kind, e.g. ticket.accepted
    Column("ticket_id", Uuid),
    Column("ticket_number", String(32), index=True),
    Column("region_code", String(6)),
    Column("audience", String(20), nullable=False),
    Column("recipient", String(64), nullable=False),  # phone for sms, openid for wechat
    Column("channel", String(10), nullable=False),
    # Where a citizen's WeChat message goes by SMS when WeChat cannot deliver it.
    Column("fallback_phone", String(20)),
    Column("fallback_of", Uuid),
    Column("priority", String(10), nullable=False),
    Column("provider_template", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("params", JSONB, nullable=False),
    Column("page", String(200)),
    # What the templates were rendered from: a fallback SMS renders from it later.
    Column("context", JSONB, nullable=False),
    Column("status", String(10), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    _at("next_attempt_at"),
    _at("claimed_at"),
    _at("expires_at"),
    Column("provider", String(20)),
    Column("provider_message_id", String(64)),
    Column("error_code", String(64)),
    Column("error_text", Text),
    _at("created_at", nullable=False, server_default=func.now()),
    _at("sent_at"),
    _at("delivered_at"),
    UniqueConstraint("event_id", "recipient", "channel"),
    CheckConstraint(f"status IN {STATUSES}", name="status"),
    CheckConstraint(f"priority IN {PRIORITIES}", name="priority"),
    Index(
        "ix_messages_due",
        "next_attempt_at",
        postgresql_where="status IN ('queued', 'deferred', 'sending')",
    ),
    Index("ix_messages_provider_id", "provider", "provider_message_id"),
    Index("ix_messages_recipient_claimed", "recipient", "claimed_at"),
)
