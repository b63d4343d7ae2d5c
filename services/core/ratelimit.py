"""Rate limits shared by a service's replicas: fixed-window counters in its own table.

A hit is counted in its own short transaction, committed at once, so a refused login still
counts even though the request's own transaction rolls back. Subjects (a phone, an IP, a
username) are stored as digests, never as themselves.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, select
from sqlalchemy.dialects.postgresql import insert

from services.core.db import Database
from services.core.problems import Problem


def rate_limits_table(metadata: MetaData) -> Table:
    """Hits per (limit, subject digest, window start)."""
    return Table(
        "rate_limits", metadata,
        Column("key", String(80), primary_key=True),
        Column("window_start", DateTime(timezone=True), primary_key=True),
        Column("hits", Integer, nullable=False),
    )


@dataclass(frozen=True)
class Limit:
    """At most `allowed` hits per `seconds` for one subject; `message` says so in Chinese."""

    name: str
    allowed: int
    seconds: int
    message: str


class RateLimiter:
    """Counts hits of a service's limits in its `rate_limits` table."""

    def __init__(self, db: Database, table: Table, clock=lambda: datetime.now(UTC)):
        self.db, self.table, self.clock = db, table, clock

    async def hit(self, limit: Limit, subject: str) -> None:
        """Count one hit; a 429 with Retry-After once the window's allowance is spent."""
        key, start, retry = self._window(limit, subject)
        statement = insert(self.table).values(key=key, window_start=start, hits=1)
        statement = statement.on_conflict_do_update(
            index_elements=[self.table.c.key, self.table.c.window_start],
            set_={"hits": self.table.c.hits + 1}).returning(self.table.c.hits)
        async with self.db.transaction() as session:
            hits = await session.scalar(statement)
        if hits > limit.allowed:
            raise _refusal(limit, retry)

    async def check(self, limit: Limit, subject: str) -> None:
        """A 429 if the allowance is already spent, counting nothing (hit on failure only)."""
        key, start, retry = self._window(limit, subject)
        async with self.db.transaction() as session:
            hits = await session.scalar(select(self.table.c.hits).where(
                self.table.c.key == key, self.table.c.window_start == start))
        if (hits or 0) >= limit.allowed:
            raise _refusal(limit, retry)

    async def forget_old(self, *, older_than_seconds: int = 86400) -> int:
        """Delete windows long past (housekeeping)."""
        cutoff = self.clock() - timedelta(seconds=older_than_seconds)
        async with self.db.transaction() as session:
            result = await session.execute(delete(self.table).where(self.table.c.window_start < cutoff))
        return result.rowcount

    def _window(self, limit: Limit, subject: str) -> tuple[str, datetime, int]:
        now = self.clock().timestamp()
        start = int(now // limit.seconds) * limit.seconds
        digest = hashlib.sha256(subject.encode()).hexdigest()[:40]
        retry = max(1, int(start + limit.seconds - now))
        return f"{limit.name}:{digest}", datetime.fromtimestamp(start, UTC), retry


def _refusal(limit: Limit, retry: int) -> Problem:
    return Problem(429, "请求过于频繁", limit.message, headers={"Retry-After": str(retry)})
