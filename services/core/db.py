"""Async SQLAlchemy: one engine per process, one session per request or message."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """The metadata of one service's own Postgres schema."""
    return MetaData(schema=schema, naming_convention=NAMING)


def _json_dumps(value) -> str:
    return orjson.dumps(value).decode()


class Database:
    """The engine and session factory of one process; built in the app lifespan."""

    def __init__(self, url: str, *, pool_size: int = 20, name: str = "hotline"):
        self.engine: AsyncEngine = create_async_engine(
            url,
            # pg_stat_activity names the service behind each connection.
            connect_args={"server_settings": {"application_name": name}},
            pool_size=pool_size,
            max_overflow=0,  # overflow connections are closed on return: churn under load
            pool_recycle=1800,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session committed when the block ends, rolled back on error: the one boundary."""
        async with self.sessionmaker() as session:
            async with session.begin():
                yield session
            for callback in session.info.pop("after_commit", ()):
                callback()

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
