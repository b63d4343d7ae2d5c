"""办件查询: a ticket's progress by its number and the phone's last four digits, nothing personal."""

import hmac

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.names import Names
from services.core.problems import Problem
from services.core.ratelimit import Limit
from services.core.vocabulary import TIMELINE_ACTIONS
from services.intake.models import timeline
from services.intake.statuses import Status

# One answer for a wrong number and a wrong tail, so neither can be probed on its own.
NOT_FOUND = Problem(404, "未找到", "工单号或手机号后四位不正确")


def matches(ticket: dict | None, phone_tail: str) -> bool:
    """Whether the tail is the last four digits of the ticket's contact phone (constant time)."""
    tail = (ticket or {}).get("contact_phone", "")[-4:] or "----"
    return ticket is not None and hmac.compare_digest(tail, phone_tail)


async def lookup_view(session: AsyncSession, ticket: dict, known: Names) -> dict:
    """Status, category and the steps of 流程跟踪, by their Chinese names only."""
    rows = (await session.execute(select(timeline.c.at, timeline.c.action, timeline.c.status)
                                  .where(timeline.c.ticket_id == ticket["id"])
                                  .order_by(timeline.c.id))).all()
    status = Status(ticket["status"])
    steps = [{"at": row.at, "label": TIMELINE_ACTIONS.get(row.action) or Status(row.status).label}
             for row in rows]
    return {"number": ticket["number"], "status": status.value, "status_name": status.label,
            "category_name": known.category(ticket["category"]), "created_at": ticket["created_at"],
            "steps": steps}


def miss_limit(settings) -> Limit:
    """Failed lookups one client address may make per window, shared by every replica."""
    return Limit("lookup.ip", settings.lookup_misses_per_window, int(settings.lookup_window_seconds),
                 "查询失败次数过多，请稍后再试")
