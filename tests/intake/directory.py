"""Routing's directory announcements, played here so intake is tested on its own."""

from sqlalchemy import select

from services.core.consumer import wait_until
from services.core.events import Event
from services.core.testing import publish, until_consuming
from services.intake.models import names


class UnitUpserted(Event):
    """What routing publishes (docs/events.md)."""

    type = "unit.upserted"
    code: str
    name: str
    kind: str
    parent: str | None = None
    region_code: str = "532622"
    handler_phones: list[str] = []
    handler_openids: list[str] = []
    leader_phones: list[str] = []
    active: bool = True


class CategoryUpserted(Event):
    """What routing publishes (docs/events.md)."""

    type = "category.upserted"
    code: str
    name: str
    parent: str | None = None
    urgency: str = "normal"
    sla_class: str = "normal"
    statutory_days: int | None = None
    active: bool = True


async def name_of(db, kind: str, code: str) -> str | None:
    """The name intake keeps for a unit or category code."""
    async with db.transaction() as session:
        return await session.scalar(select(names.c.name).where(names.c.kind == kind,
                                                                names.c.code == code))


async def announce(settings, db, *events: Event) -> None:
    """Routing announces units and categories; wait until intake has learned each."""
    await until_consuming(settings, settings.broker_name("intake"))
    for event in events:
        await publish(settings, event, producer="routing")
    for event in events:
        kind = "unit" if isinstance(event, UnitUpserted) else "category"

        async def learned(kind=kind, event=event) -> bool:
            return await name_of(db, kind, event.code) == event.name

        assert await wait_until(learned), f"intake never learned {event.code}"
