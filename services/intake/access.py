"""Who may see which ticket, and how much of it."""

from fastapi import Request

from services.core.auth import Principal, Role, bearer, read_token, unauthorized
from services.core.problems import Problem
from services.intake import accounts

NOT_FOUND = Problem(404, "未找到", "工单不存在或无权查看")
KEY_CACHE_SECONDS = 60.0


async def caller(request: Request) -> Principal:
    """A channel back-end by `X-Api-Key`, or anyone with a bearer token."""
    key = request.headers.get("x-api-key")
    if key:
        return await _channel(request, key)
    token = bearer(request)
    if token is None:
        raise unauthorized("请先登录，或提供渠道 X-Api-Key")
    return read_token(token, request.app.state.settings.jwt_secret)


async def _channel(request: Request, key: str) -> Principal:
    principal = await channel_by_key(request, key)
    if principal is None:
        raise Problem(401, "渠道密钥无效", "X-Api-Key 无效或已停用")
    return principal


async def channel_by_key(request: Request, key: str) -> Principal | None:
    """The channel an API key belongs to (kept a minute per process), or None."""
    cache: dict = request.app.state.api_key_cache
    loop_time = request.app.state.clock()
    hit = cache.get(accounts.digest(key))
    if hit and hit[1] > loop_time:
        return hit[0]
    async with request.app.state.db.transaction() as session:
        principal = await accounts.channel_for_key(session, key)
    if principal is not None:
        cache[accounts.digest(key)] = (principal, loop_time + KEY_CACHE_SECONDS)
    return principal


def can_read(principal: Principal, ticket: dict) -> bool:
    """A citizen reads its own tickets; a channel what it submitted; staff by jurisdiction."""
    match principal.role:
        case Role.citizen:
            return ticket["owner_phone"] == principal.phone
        case Role.channel:
            return ticket["submitted_by"] == principal.subject
        case Role.admin | Role.agent:
            return True
        case Role.dispatcher | Role.supervisor:
            return in_county(principal, ticket)
        case _:
            return principal.unit is not None and principal.unit in (ticket.get("units") or ())


def in_county(principal: Principal, ticket: dict) -> bool:
    """A county's staff cover its adcode; a prefecture's (5326 00) cover all of 5326xx."""
    region = principal.region or ""
    if region.endswith("00"):
        return ticket["region_code"].startswith(region[:4])
    return ticket["region_code"] == region


def readable(principal: Principal, ticket: dict | None) -> dict:
    """The ticket if the principal may read it; 404 otherwise, so its existence stays hidden."""
    if ticket is None or not can_read(principal, ticket):
        raise NOT_FOUND
    return ticket


def shows_contact(principal: Principal, ticket: dict) -> bool:
    """An anonymous ticket's contact is hidden from the handling units."""
    if principal.role in (Role.handler, Role.unit_leader):
        return not ticket["anonymous"]
    return True
