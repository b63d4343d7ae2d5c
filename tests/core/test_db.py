"""The database handle every service uses."""

from sqlalchemy import text

from services.core.db import Database


async def test_connections_carry_the_service_name_for_pg_stat_activity(settings):
    db = Database(settings.database_url, pool_size=1, name="routing")
    async with db.transaction() as session:
        seen = await session.scalar(text(
            "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"))
    await db.dispose()
    assert seen == "routing"
