"""Who may see an upload: its owner, the units handling its ticket, its county's center and
督查室, and admins."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role, principal_from_request, unauthorized
from services.media.models import STORED, attachments, objects, ticket_regions, ticket_units

AREA_STAFF = (Role.dispatcher, Role.supervisor)
UNIT_STAFF = (Role.handler, Role.unit_leader)
# An uploader is kept in these columns, so a caller who does not fit them is no one media knows.
SUBJECT_LENGTH = objects.c.owner.type.length
UNIT_LENGTH = objects.c.owner_unit.type.length


def _fits(value: str | None, length: int) -> bool:
    return value is None or (len(value) <= length and "\x00" not in value)


async def caller(request: Request) -> Principal:
    """A channel back-end by `X-Api-Key` (checked with intake), or the signed-in caller; 401 if its
    token names a user or unit media cannot keep (too long, NUL)."""
    key = request.headers.get("x-api-key")
    principal = (await request.app.state.channel_keys.principal(key) if key
                 else await principal_from_request(request))
    if not (_fits(principal.subject, SUBJECT_LENGTH) and _fits(principal.unit, UNIT_LENGTH)):
        raise unauthorized("登录身份无效，请重新登录")
    return principal


CallerDep = Annotated[Principal, Depends(caller)]


async def can_read(session: AsyncSession, principal: Principal, row: dict) -> bool:
    """Whether the principal may see this upload (a pending one only its owner)."""
    if row["owner"] == principal.subject:
        return True
    if row["state"] != STORED:
        return False
    if principal.role is Role.admin:
        return True
    if principal.role in AREA_STAFF and principal.region:
        return await area_holds(session, row["id"], principal.region)
    if principal.role in UNIT_STAFF and principal.unit:
        return await unit_handles(session, row["id"], principal.unit)
    return False


async def unit_handles(session: AsyncSession, media_id: uuid.UUID, unit_code: str) -> bool:
    """Whether a ticket this upload is attached to is assigned to the unit now."""
    resets = ticket_units.alias("resets")
    last_reset = (
        select(func.max(resets.c.assigned_at))
        .where(resets.c.ticket_id == ticket_units.c.ticket_id, resets.c.replaces_others)
        .scalar_subquery()
    )
    query = (
        select(literal(1))
        .select_from(attachments.join(ticket_units,
                                      ticket_units.c.ticket_id == attachments.c.ticket_id))
        .where(attachments.c.media_id == media_id, ticket_units.c.unit_code == unit_code,
               ticket_units.c.assigned_at >= func.coalesce(last_reset, ticket_units.c.assigned_at))
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def area_holds(session: AsyncSession, media_id: uuid.UUID, region: str) -> bool:
    """Whether a ticket this upload is attached to lies in a county (a prefecture, 5326 00:
    any of its counties)."""
    if region.endswith("00"):
        within = ticket_regions.c.region_code.startswith(region[:4], autoescape=True)
    else:
        within = ticket_regions.c.region_code == region
    query = (
        select(literal(1))
        .select_from(attachments.join(ticket_regions,
                                      ticket_regions.c.ticket_id == attachments.c.ticket_id))
        .where(attachments.c.media_id == media_id, within)
        .limit(1)
    )
    return (await session.execute(query)).first() is not None
