"""The tickets routing knows: what it needs to route them and to spot duplicates."""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.consumer import NotYetKnown
from services.core.problems import Problem
from services.routing.models import tickets
from services.routing.schemas import TicketCreatedData

NOT_FOUND = Problem(404, "未找到", "工单不存在或无权查看")


class TicketNotYetKnown(NotYetKnown):
    """An event about a ticket whose `ticket.created` is not handled yet; retried later."""


async def insert_ticket(session: AsyncSession, ticket_id: uuid.UUID, data: TicketCreatedData,
                        created_at: datetime) -> dict | None:
    """Record a new ticket; None when it is already known (a second `ticket.created`)."""
    row = {**data.model_dump(exclude={"title"}), "id": ticket_id, "title": data.title[:100],
           "created_at": created_at}
    return (await session.execute(
        insert(tickets).values(**row).on_conflict_do_nothing().returning(tickets)
    )).mappings().first()


async def find(session: AsyncSession, id_or_number: str, *, lock: bool = False) -> dict | None:
    """A ticket by its UUID or its human number, optionally locked for a change."""
    try:
        condition = tickets.c.id == uuid.UUID(id_or_number)
    except ValueError:
        condition = tickets.c.number == id_or_number
    query = select(tickets).where(condition)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def for_event(session: AsyncSession, number: str) -> dict:
    """The locked ticket an event is about; TicketNotYetKnown lets the consumer retry later."""
    ticket = await find(session, number, lock=True)
    if ticket is None:
        raise TicketNotYetKnown(number)
    return ticket


async def set_values(session: AsyncSession, ticket_id: uuid.UUID, **values) -> None:
    """Change a ticket's routing fields (category, status, flags)."""
    await session.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))


def ensure_open(ticket: dict) -> None:
    """409 unless the ticket is still being handled."""
    if ticket["status"] != "open":
        detail = (f"工单已合并到 {ticket['master_number']}" if ticket["master_number"]
                  else "工单已结束，不能再派单")
        raise Problem(409, "当前状态不允许此操作", detail, type_="/problems/state")
