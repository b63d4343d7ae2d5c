"""办件查询: a ticket's progress by its number and the phone's last four digits, nothing personal."""

import hmac
from collections import deque

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.names import Names
from services.core.problems import Problem
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


def client_address(request) -> str:
    """Who asks: the address the gateway saw (the last X-Forwarded-For hop), else the peer's."""
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    return hops[-1][:64] if hops else (request.client.host if request.client else "-")


class MissLimiter:
    """Misses per client address in a sliding window: guessing numbers or tails gets a 429."""

    def __init__(self, limit: int, window: float, clock):
        self.limit, self.window, self.clock = limit, window, clock
        self._misses: dict[str, deque] = {}

    def check(self, client: str) -> None:
        """429 while the client has used up its misses."""
        misses = self._recent(client)
        if len(misses) >= self.limit:
            retry = int(misses[0] + self.window - self.clock()) + 1
            raise Problem(429, "查询过于频繁", "查询失败次数过多，请稍后再试",
                          headers={"Retry-After": str(max(retry, 1))})

    def miss(self, client: str) -> None:
        """Count one failed lookup."""
        self._recent(client).append(self.clock())
        if len(self._misses) > 10_000:  # forget quiet clients rather than grow without bound
            self._misses = {key: value for key, value in self._misses.items() if value}

    def _recent(self, client: str) -> deque:
        misses = self._misses.setdefault(client, deque())
        while misses and misses[0] <= self.clock() - self.window:
            misses.popleft()
        return misses
