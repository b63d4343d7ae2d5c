"""What media learns from intake and routing: which tickets hold an upload, who handles them."""

import uuid

from sqlalchemy import DateTime, Uuid, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.events import Envelope
from services.media.models import attachments, objects, ticket_regions, ticket_units

MEDIA_FIELDS = ("media_ids", "evidence_media_ids")
# A lead given by the center afresh (派单, 改派, after 退件) takes the ticket from the others.
REPLACING_REASONS = {"dispatch", "transfer", "return"}


async def on_media_listed(session: AsyncSession, envelope: Envelope) -> None:
    """A ticket was created, supplemented or reported on with uploads: they are attached."""
    media_ids = [m for name in MEDIA_FIELDS for m in _uuids(envelope.data.get(name))]
    if envelope.ticket_id is None or not media_ids:
        return
    await attach(session, envelope.ticket_id, media_ids, at=envelope.occurred_at)


async def attach(session: AsyncSession, ticket_id: uuid.UUID, media_ids: list[uuid.UUID], *,
                 at) -> None:
    """Link known uploads to a ticket; they are safe from the retention job from now on."""
    known = (select(objects.c.id, literal(ticket_id, Uuid), literal(at, DateTime(timezone=True)))
             .where(objects.c.id.in_(media_ids)))
    await session.execute(insert(attachments)
                          .from_select(["media_id", "ticket_id", "attached_at"], known)
                          .on_conflict_do_nothing())
    await session.execute(update(objects).where(objects.c.id.in_(media_ids)).values(
        attached_at=func.coalesce(objects.c.attached_at, at),
        ticket_id=func.coalesce(objects.c.ticket_id, ticket_id)))


async def on_created(session: AsyncSession, envelope: Envelope) -> None:
    """A new ticket: its county's center may see its uploads, which are attached to it."""
    await remember_region(session, envelope)
    await on_media_listed(session, envelope)


async def remember_region(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the county a ticket is in (it never changes; the first event to tell wins)."""
    region = envelope.data.get("region_code")
    if envelope.ticket_id is None or not isinstance(region, str) or len(region) != 6:
        return
    await session.execute(insert(ticket_regions).values(ticket_id=envelope.ticket_id,
                                                        region_code=region)
                          .on_conflict_do_nothing())


async def on_assigned(session: AsyncSession, envelope: Envelope) -> None:
    """Routing gave a unit the ticket: its staff may see the ticket's uploads."""
    await remember_region(session, envelope)
    data = envelope.data
    if envelope.ticket_id is None or not data.get("unit_code"):
        return
    replaces = data.get("role") == "lead" and data.get("reason") in REPLACING_REASONS
    await session.execute(insert(ticket_units).values(
        ticket_id=envelope.ticket_id, unit_code=data["unit_code"], assigned_at=envelope.occurred_at,
        replaces_others=replaces).on_conflict_do_nothing())


def _uuids(values) -> list[uuid.UUID]:
    """The valid ids among what an event listed (a malformed one is nothing to attach)."""
    found = []
    for value in values or ():
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


HANDLERS = {
    "ticket.created": on_created,
    "ticket.supplemented": on_media_listed,
    "ticket.return_requested": on_media_listed,
    "ticket.resolved": on_media_listed,
    "ticket.media_attached": on_media_listed,
    "ticket.assigned": on_assigned,
}
BINDINGS = ("ticket.created", "ticket.supplemented", "ticket.return_requested", "ticket.resolved",
            "ticket.media_attached", "ticket.assigned.*")
