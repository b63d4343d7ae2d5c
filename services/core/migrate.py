"""Alembic, one migration history per service schema; version table inside that schema."""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent
MIGRATED = ("intake", "routing", "sla", "notify", "media")


def alembic_config(service: str, database_url: str) -> Config:
    """An Alembic config for one service's migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["schema"] = service
    return config


def upgrade(service: str, database_url: str) -> None:
    """Bring one schema to its newest revision (call from a thread when a loop is running)."""
    command.upgrade(alembic_config(service, database_url), "head")


def available(services=MIGRATED) -> list[str]:
    """The services whose migrations folder exists in this checkout."""
    return [s for s in services if (SERVICES_DIR / s / "migrations" / "env.py").exists()]


def upgrade_all(database_url: str, services=MIGRATED) -> None:
    """Migrate every service schema present."""
    for service in available(services):
        upgrade(service, database_url)


def run_env(metadata: MetaData) -> None:
    """The body of each service's env.py: online, async, schema-scoped migrations."""
    schema = metadata.schema
    url = context.config.get_main_option("sqlalchemy.url")

    def migrate(connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, parent: type_ != "schema" or name == schema,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(main())


if __name__ == "__main__":
    from services.core.settings import get_settings

    upgrade_all(get_settings().database_url)
