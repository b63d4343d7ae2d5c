"""Names of units, counties, towns and categories as routing announces them: for printed pages."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import names as known
from services.core.events import Envelope
from services.core.names import Names
from services.intake.directory import KNOWN
from services.intake.models import names


async def on_unit_upserted(session: AsyncSession, envelope: Envelope) -> None:
    """Routing's directory changed: the archive names the unit (county, town) as it is now."""
    await known.learn_unit(session, names, envelope)
    KNOWN.changed(session)


async def on_category_upserted(session: AsyncSession, envelope: Envelope) -> None:
    """Routing's catalog changed: the archive names the category as it is now."""
    await known.learn_category(session, names, envelope)
    KNOWN.changed(session)


async def load(session: AsyncSession) -> Names:
    """Every name intake knows: read once per page."""
    return await known.load(session, names)


async def unit_name(session: AsyncSession, code: str) -> str:
    """One unit's name, for a line of the timeline; the code if routing never announced it."""
    found = await session.scalar(select(names.c.name).where(names.c.kind == known.UNIT,
                                                             names.c.code == code))
    return found or code


async def category_names(session: AsyncSession, codes: list[str]) -> list[str]:
    """Categories' names in the order given, for a line of the timeline; unknown ones as codes."""
    rows = await session.execute(select(names.c.code, names.c.name).where(
        names.c.kind == known.CATEGORY, names.c.code.in_(codes)))
    found = {row.code: row.name for row in rows}
    return [found.get(code, code) for code in codes]
