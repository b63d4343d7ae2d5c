"""Tables of the `routing` schema: directory, rules, tickets, assignments, classifier models."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from services.core.consumer import processed_table
from services.core.db import schema_metadata
from services.core.outbox import outbox_table

metadata = schema_metadata("routing")
outbox = outbox_table(metadata)
processed = processed_table(metadata)


def _updated():
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _codes(name: str):
    return Column(name, ARRAY(String(64)), nullable=False, server_default="{}")


units = Table(
    "units",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent", String(40)),
    Column("region_code", String(6), nullable=False, index=True),
    _codes("handler_phones"),
    _codes("handler_openids"),
    _codes("leader_phones"),
    Column("active", Boolean, nullable=False, server_default="true"),
    _updated(),
)

categories = Table(
    "categories",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("parent", String(64)),
    Column("urgency", String(10), nullable=False),
    Column("sla_class", String(10), nullable=False),
    Column("statutory_days", Integer),
    Column("active", Boolean, nullable=False, server_default="true"),
    _updated(),
)

# The seed upserts rules by this natural key; a rule without a town is one rule, not many.
rule_key = UniqueConstraint("category", "region_prefix", "town_code", "lead",
                            postgresql_nulls_not_distinct=True)

rules = Table(
    "rules",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("category", String(64), ForeignKey("categories.code"), nullable=False, index=True),
    Column("region_prefix", String(6), nullable=False),
    Column("town_code", String(12)),
    Column("lead", String(40), ForeignKey("units.code"), nullable=False),
    Column("priority", Integer, nullable=False, server_default="0"),
    Column("active", Boolean, nullable=False, server_default="true"),
    _updated(),
    rule_key,
)

rule_co_units = Table(
    "rule_co_units",
    metadata,
    Column("rule_id", BigInteger, ForeignKey("rules.id", ondelete="CASCADE"), nullable=False),
    Column("unit_code", String(40), ForeignKey("units.code"), nullable=False),
    Column("role", String(20), nullable=False),
    PrimaryKeyConstraint("rule_id", "unit_code"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("region_code", String(6), nullable=False),
    Column("town_code", String(12)),
    Column("category", String(64)),
    Column("urgency", String(10), nullable=False),
    Column("ticket_type", String(20), nullable=False),
    Column("contact_phone", String(20)),
    Column("lat", Float),
    Column("lng", Float),
    Column("title", String(100), nullable=False, server_default=""),
    Column("content", Text, nullable=False),
    Column("status", String(10), nullable=False, server_default="open"),
    Column("master_number", String(32)),
    Column("repeat_count", Integer, nullable=False, server_default="1"),
    Column("group_complaint", Boolean, nullable=False, server_default="false"),
    # 会商: repeat or group complaints the center studies with the units together.
    Column("consult", Boolean, nullable=False, server_default="false"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Index("ix_tickets_phone_created", "contact_phone", "created_at"),
    Index("ix_tickets_created", "created_at"),
    Index("ix_tickets_place", "lat", "lng", postgresql_where="status = 'open'"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("unit_code", String(40), ForeignKey("units.code"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("state", String(20), nullable=False, server_default="active"),
    Column("reason", String(20), nullable=False),
    Column("suggestions", JSONB, nullable=False, server_default="[]"),
    # Units that returned the ticket, left out of this manual-queue entry's suggestions.
    _codes("excluded"),
    Column("assigned_by", String(100)),
    Column("assigned_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", Text),
    Index("ix_assignments_queue", "unit_code", "state", "assigned_at"),
    # A unit holds a ticket at most once at a time, whatever replicas race.
    Index("uq_assignments_active_unit", "ticket_id", "unit_code", unique=True,
          postgresql_where="state = 'active'"),
)

duplicate_flags = Table(
    "duplicate_flags",
    metadata,
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False),
    Column("candidate_id", Uuid, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("reason", String(10), nullable=False),
    Column("distance_m", Float),
    Column("similarity", Float),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("ticket_id", "candidate_id"),
)

knowledge = Table(
    "knowledge",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("category", String(64), ForeignKey("categories.code"), nullable=False, index=True),
    Column("region", String(6)),
    _codes("keywords"),
    # jieba's words of title (A), keywords (B) and body (C), built in knowledge_text.py;
    # `headline` holds the title's and keywords' alone, for the hints beside a complaint.
    Column("search", TSVECTOR, nullable=False),
    Column("headline", TSVECTOR, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    _updated(),
    Index("ix_knowledge_search", "search", postgresql_using="gin"),
    Index("ix_knowledge_headline", "headline", postgresql_using="gin"),
)

# Views (detail pages) and matches (search results) per item and day: the 热门 list's counts.
knowledge_hits = Table(
    "knowledge_hits",
    metadata,
    Column("knowledge_id", Uuid, ForeignKey("knowledge.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("views", Integer, nullable=False, server_default="0"),
    Column("matches", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("knowledge_id", "day"),
    Index("ix_knowledge_hits_day", "day"),
)

# What dispatchers decided: a ticket's text and the category a person gave it. One row per
# ticket (its latest label) or per corpus text; `holdout` is fixed at insert, so the slice
# every model is judged on never feeds any model's training.
training_examples = Table(
    "training_examples",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("ticket_id", Uuid),
    Column("text", Text, nullable=False),
    Column("category", String(64), nullable=False),
    Column("source", String(20), nullable=False),
    Column("labelled_by", String(100)),
    Column("holdout", Boolean, nullable=False),
    Column("labelled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Every model trained, with its scores on the held-out slice; at most one is active.
classifier_models = Table(
    "classifier_models",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("status", String(10), nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("examples", Integer, nullable=False),
    Column("holdout", Integer, nullable=False),
    Column("accuracy", Float, nullable=False),
    Column("top_accuracy", Float, nullable=False),
    Column("baseline_accuracy", Float, nullable=False),
    Column("baseline", String(20), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("auto_rate", Float, nullable=False),
    Column("auto_precision", Float),
    # joblib bytes of learned.TextModel; only kept for models that were activated. `model`
    # serves (fitted on every example); `judge` was fitted without the held-out slice and is
    # what later versions are compared with (null before migration 0004: `model` was both).
    Column("model", LargeBinary),
    Column("judge", LargeBinary),
    Column("trained_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("uq_classifier_models_active", "status", unique=True,
          postgresql_where="status = 'active'"),
)
