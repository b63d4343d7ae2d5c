"""Which counties, towns and categories intake accepts: the ones routing has announced.

A ticket for a place or category routing does not know would reach no one (routing could not
place it, and every later event of it would fail), so intake refuses it at the door. What it
knows comes from `unit.upserted` and `category.upserted` (intake's names table); a code it
does not know makes it read the table again (at most once a second) before refusing, so a
town an admin has just added is accepted as soon as intake has heard of it.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import names as known
from services.core.cache import Cached
from services.core.problems import Problem
from services.intake.models import names

TOWN_KINDS = ("town",)


@dataclass(frozen=True)
class Directory:
    """The active regions, towns (with their county) and categories intake has heard of."""

    regions: frozenset[str]
    towns: dict[str, str]
    categories: frozenset[str]

    def refusals(self, region: str, town: str | None, category: str | None) -> list[dict]:
        """What is wrong with a ticket's place and category, one entry per field."""
        wrong = []
        if region not in self.regions:
            wrong.append(_error("location.region_code", "不是本平台受理的县（市、区），请重新选择"))
        elif town is not None and self.towns.get(town) != region:
            wrong.append(_error("location.town_code", "不是所选县（市、区）的乡镇（街道），请重新选择"))
        if category is not None and category not in self.categories:
            wrong.append(_error("category", "没有这个诉求类别，请重新选择或留空由工作人员分类"))
        return wrong


def _error(field: str, message: str) -> dict:
    return {"field": field, "message": message}


async def _load(session: AsyncSession) -> Directory:
    rows = (await session.execute(
        select(names.c.kind, names.c.code, names.c.unit_kind, names.c.region_code)
        .where(names.c.active))).all()
    units = [row for row in rows if row.kind == known.UNIT]
    return Directory(
        regions=frozenset(row.code for row in units if row.unit_kind in known.REGION_KINDS),
        towns={row.code: row.region_code for row in units if row.unit_kind in TOWN_KINDS},
        categories=frozenset(row.code for row in rows if row.kind == known.CATEGORY),
    )


KNOWN = Cached(_load, ttl=10.0)


async def refuse_unknown(session: AsyncSession, *, region: str, town: str | None,
                         category: str | None) -> None:
    """A 422 naming each field whose code the directory does not hold (or no longer holds)."""
    wrong = (await KNOWN.get(session)).refusals(region, town, category)
    if wrong:
        wrong = (await KNOWN.reload(session)).refusals(region, town, category)
    if wrong:
        detail = "；".join(f"{error['field']}：{error['message']}" for error in wrong)
        raise Problem(422, "请求参数有误", detail, errors=wrong)
