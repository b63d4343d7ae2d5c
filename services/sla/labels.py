"""Chinese names for codes in reports: what routing announced (`unit.upserted`,
`category.upserted`) into sla's own names table; unknown codes show as they are."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core import names as known
from services.core.names import Names
from services.sla.models import names


async def load(session: AsyncSession) -> Names:
    """Every unit, region and category name sla knows: read once per report."""
    return await known.load(session, names)
