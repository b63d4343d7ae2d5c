"""The 流程跟踪 of a ticket: every state change with time, actor's unit and text."""

import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.intake.models import timeline
from services.intake.statuses import Status

_INSERT = insert(timeline)



async def record(session: AsyncSession, ticket_id: uuid.UUID, *, action: str, status: Status,
                 actor: Principal | None, text: str | None = None, data: dict | None = None) -> None:
    """Append one entry; `actor=None` means the platform itself acted."""
    await session.execute(_INSERT, entry(ticket_id, action=action, status=status, actor=actor,
                                         text=text, data=data))


def entry(ticket_id: uuid.UUID, *, action: str, status: Status, actor: Principal | None,
          text: str | None = None, data: dict | None = None) -> dict:
    """The row of one timeline entry."""
    return {
        "ticket_id": ticket_id,
        "action": action,
        "status": status.value,
        "actor_role": actor.role.value if actor else "system",
        "actor_unit": actor.unit if actor else None,
        "actor_name": actor.subject if actor and actor.is_staff else None,
        "text": text,
        "data": data,
    }


async def entries(session: AsyncSession, ticket_id: uuid.UUID) -> list[dict]:
    """A ticket's timeline, oldest first, shaped for the API."""
    rows = (
        await session.execute(
            select(timeline).where(timeline.c.ticket_id == ticket_id).order_by(timeline.c.id)
        )
    ).mappings()
    return [
        {
            "at": row["at"],
            "action": row["action"],
            "status": row["status"],
            "status_label": Status(row["status"]).label,
            "actor_role": row["actor_role"],
            "actor_unit": row["actor_unit"],
            "text": row["text"],
        }
        for row in rows
    ]
