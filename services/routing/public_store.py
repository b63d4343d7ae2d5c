"""What citizens may see of the tickets routing knows: counts per category, and open reports
near a point with their titles only (digits that could be a phone or an ID number masked)."""

import math
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.directory_cache import directory
from services.routing.duplicates import distance_m
from services.routing.models import assignments, tickets

HOT_WINDOW = timedelta(days=7)
NEARBY_MAX = 20
METRES_PER_DEGREE = 111_320.0
_LONG_DIGITS = re.compile(r"[0-9０-９]{5,}[0-9Xx]?")


def _scope(region: str) -> str:
    return region.rstrip("0") or region


async def hot_categories(session: AsyncSession, *, region: str | None,
                         limit: int = 10) -> list[dict]:
    """The categories of the most tickets created in the last seven days, in a region."""
    counted = func.count().label("count")
    query = (select(tickets.c.category, counted)
             .where(tickets.c.created_at >= datetime.now(UTC) - HOT_WINDOW,
                    tickets.c.category.is_not(None))
             .group_by(tickets.c.category).order_by(counted.desc(), tickets.c.category)
             .limit(limit))
    if region:
        query = query.where(tickets.c.region_code.startswith(_scope(region), autoescape=True))
    names = (await directory(session)).categories
    return [{"code": code, "name": names[code]["name"] if code in names else code, "count": n}
            for code, n in (await session.execute(query)).all()]


def _nearest(lat: float, lng: float, radius: float):
    """Open tickets in the radius by a flat-earth distance (exact enough within 5 km), nearest
    first: the lat/lng box uses the partial index on open tickets' places."""
    dlat = radius / METRES_PER_DEGREE
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    north, east = tickets.c.lat - lat, (tickets.c.lng - lng) * (dlat / dlng)
    flat = (north * north + east * east).label("flat")
    return (select(tickets.c.id, tickets.c.title, tickets.c.category, tickets.c.created_at,
                   tickets.c.lat, tickets.c.lng, flat)
            .where(tickets.c.status == "open",
                   tickets.c.lat.between(lat - dlat, lat + dlat),
                   tickets.c.lng.between(lng - dlng, lng + dlng), flat <= dlat * dlat * 1.01)
            .order_by(flat).limit(NEARBY_MAX))


def public_title(title: str, category_name: str) -> str:
    """A ticket's title as a stranger may read it: long digit runs masked, never empty."""
    return _LONG_DIGITS.sub("***", title).strip() or f"{category_name}问题"


async def nearby(session: AsyncSession, *, lat: float, lng: float, radius: float,
                 category: str | None = None) -> list[dict]:
    """Open tickets within `radius` metres of a point, nearest first: title, category, status."""
    query = _nearest(lat, lng, radius)
    if category:
        query = query.where(or_(tickets.c.category == category,
                                tickets.c.category.startswith(f"{category}.", autoescape=True)))
    near = query.subquery()
    assigned = exists().where(assignments.c.ticket_id == near.c.id, assignments.c.state == "active",
                              assignments.c.role != "dispatch")
    rows = await session.execute(select(near, assigned.label("assigned")).order_by(near.c.flat))
    names = (await directory(session)).categories
    found = []
    for row in rows.mappings():
        distance = distance_m((lat, lng), (row["lat"], row["lng"]))
        if distance <= radius:
            name = names[row["category"]]["name"] if row["category"] in names else "其他"
            found.append({"title": public_title(row["title"], name), "category_name": name,
                          "status_name": "办理中" if row["assigned"] else "待派单",
                          "created_at": row["created_at"], "distance_m": round(distance / 10) * 10})
    return found
