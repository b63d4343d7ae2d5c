"""Tables of the `media` schema: object metadata, attachments, the units of each ticket."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Uuid,
    func,
)

from services.core.consumer import processed_table
from services.core.db import schema_metadata
from services.core.outbox import outbox_table

metadata = schema_metadata("media")
outbox = outbox_table(metadata)
processed = processed_table(metadata)

PENDING, STORED, DELETED = "pending_upload", "stored", "deleted"

objects = Table(
    "objects",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("content_type", String(100), nullable=False),
    # Of the stored bytes: a photo is measured and hashed after its EXIF is removed.
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64)),
    # The uploader's token subject: a citizen id, `channel:<name>` or a staff username.
    Column("owner", String(100), nullable=False, index=True),
    Column("owner_role", String(20), nullable=False),
    Column("owner_unit", String(40)),
    Column("object_key", String(200), nullable=False, unique=True),
    Column("thumbnail_key", String(200)),
    Column("state", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attached_at", DateTime(timezone=True)),
    # The first ticket it was attached to; every ticket is in `attachments`.
    Column("ticket_id", Uuid),
    Column("deleted_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('image', 'video', 'audio')", name="kind"),
    CheckConstraint(f"state IN ('{PENDING}', '{STORED}', '{DELETED}')", name="state"),
    # What the retention job scans: live uploads no ticket has claimed yet.
    Index("ix_objects_unattached", "created_at",
          postgresql_where=f"attached_at IS NULL AND state <> '{DELETED}'"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("media_id", Uuid, ForeignKey(objects.c.id), primary_key=True),
    Column("ticket_id", Uuid, primary_key=True, index=True),
    Column("attached_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row per `ticket.assigned` event. A unit counts for a ticket while no lead assignment
# that replaced the others came after its own, so events may be handled in any order.
ticket_units = Table(
    "ticket_units",
    metadata,
    Column("ticket_id", Uuid, primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("assigned_at", DateTime(timezone=True), primary_key=True),
    Column("replaces_others", Boolean, nullable=False, server_default="false"),
)


# The county of each ticket (from ticket.created and ticket.assigned): a command center and a
# 督查室 see the uploads of their own area's tickets only.
ticket_regions = Table(
    "ticket_regions",
    metadata,
    Column("ticket_id", Uuid, primary_key=True),
    Column("region_code", String(6), nullable=False),
)
