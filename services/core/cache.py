"""Tables read on every event but rarely edited (calendars, policies, templates, routing's
directory), read less often.

A value is loaded at most once per `ttl` seconds per process and database; a write made
in this process clears it when its transaction commits, so the writer's next read sees the
change at once and other replicas within `ttl`.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class Cached(Generic[T]):
    """One value loaded from the database, kept for `ttl` seconds."""

    def __init__(self, load: Callable[[AsyncSession], Awaitable[T]], *, ttl: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self._load = load
        self.ttl = ttl
        self._clock = clock
        self._values: dict[str, tuple[float, T]] = {}

    async def get(self, session: AsyncSession) -> T:
        if self in session.info.get("cache_changed", ()):  # its own edit, not yet committed
            return await self._load(session)
        key = str(session.bind.url)
        found = self._values.get(key)
        if found is not None and self._clock() < found[0]:
            return found[1]
        value = await self._load(session)
        self._values[key] = (self._clock() + self.ttl, value)
        return value

    async def reload(self, session: AsyncSession, *, unless_younger_than: float = 1.0) -> T:
        """Read again now: what it holds may be missing something another replica has heard
        of. A value read within `unless_younger_than` seconds is kept (one read per second at
        most, whatever a caller asks)."""
        key = str(session.bind.url)
        found = self._values.get(key)
        if found is not None and self._clock() < found[0] - self.ttl + unless_younger_than:
            return found[1]
        value = await self._load(session)
        self._values[key] = (self._clock() + self.ttl, value)
        return value

    def changed(self, session: AsyncSession) -> None:
        """The caller's transaction writes what this cache holds: forget it on commit."""
        # Now too: a copy read elsewhere before the commit must not outlive it. This session
        # reads the tables itself, and what it reads is not kept: it may yet roll back.
        self._values.clear()
        session.info.setdefault("cache_changed", set()).add(self)
        session.info.setdefault("after_commit", []).append(self._values.clear)
