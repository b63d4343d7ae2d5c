"""What routing does with each event it hears; each handler runs once per event (Consumer)."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.consumer import Handler
from services.core.events import Envelope
from services.routing import service, ticket_store
from services.routing.schemas import TicketCreatedData


async def on_created(session: AsyncSession, envelope: Envelope) -> None:
    """A new ticket: assign it by its rule, or queue it for the command center; flag duplicates."""
    if envelope.ticket_id is None:
        raise ValueError("ticket.created without a ticket_id")
    data = TicketCreatedData.model_validate(envelope.data)
    await service.route_new(session, envelope.ticket_id, data, envelope.occurred_at)


async def _ticket(session: AsyncSession, envelope: Envelope) -> dict:
    return await ticket_store.for_event(session, str(envelope.ticket_id or envelope.data["number"]))


async def on_returned(session: AsyncSession, envelope: Envelope) -> None:
    """退件 approved: back to the manual queue without the returning unit."""
    await service.return_to_queue(session, await _ticket(session, envelope),
                                  envelope.data["unit_code"], envelope.data.get("reason") or "退件")


async def on_ended(session: AsyncSession, envelope: Envelope) -> None:
    """Closed, rejected (不予受理) or expired: every assignment ends."""
    await service.close(session, await _ticket(session, envelope), envelope.type)


async def on_merged(session: AsyncSession, envelope: Envelope) -> None:
    """Merged into a master ticket: its assignments end and it follows the master."""
    await service.close(session, await _ticket(session, envelope), envelope.type,
                        master_number=envelope.data["master_number"])


async def on_reopened(session: AsyncSession, envelope: Envelope) -> None:
    """Sent back for re-handling: the units that held it hold it again."""
    await service.reopen(session, await _ticket(session, envelope))


async def on_urgency_changed(session: AsyncSession, envelope: Envelope) -> None:
    """The center marked the urgency: later assignments carry it (and its time class)."""
    ticket = await _ticket(session, envelope)
    await ticket_store.set_values(session, ticket["id"], urgency=envelope.data["urgency"])


HANDLERS: dict[str, Handler] = {
    "ticket.created": on_created,
    "ticket.returned": on_returned,
    "ticket.reopened": on_reopened,
    "ticket.closed": on_ended,
    "ticket.rejected": on_ended,
    "ticket.expired": on_ended,
    "ticket.merged": on_merged,
    "ticket.urgency_changed": on_urgency_changed,
}
