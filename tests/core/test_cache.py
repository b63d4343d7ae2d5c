"""Tables read on every event, cached per process: fresh after a local edit, bounded staleness."""

from sqlalchemy import text

from services.core.cache import Cached
from services.core.db import Database


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_value_is_read_again_after_its_time_or_a_local_edit(settings):
    db = Database(settings.database_url, pool_size=1)
    stored, reads, clock = {"value": "v1"}, [], Clock()

    async def load(session):
        await session.execute(text("SELECT 1"))
        reads.append(stored["value"])
        return stored["value"]

    cache = Cached(load, ttl=10.0, clock=clock)
    async with db.transaction() as session:
        assert await cache.get(session) == "v1"
        stored["value"] = "v2"  # another replica's edit
        assert await cache.get(session) == "v1"
    clock.now = 10.0
    async with db.transaction() as session:
        assert await cache.get(session) == "v2"  # seen once the time ran out

    async with db.transaction() as session:  # this process edits it
        cache.changed(session)
        stored["value"] = "v3"
        assert await cache.get(session) == "v3"  # the editor reads its own edit...
    async with db.transaction() as session:
        assert await cache.get(session) == "v3"  # ...and everyone at once, not 10 s later
    assert reads == ["v1", "v2", "v3", "v3"]  # what the editing session read was not kept
    await db.dispose()
