"""Who may read which clocks and statistics."""

from dataclasses import dataclass

from services.core.auth import Principal, Role
from services.core.problems import Problem

NOT_FOUND = Problem(404, "未找到", "工单不存在、尚无时限，或无权查看")
COUNTY_WIDE = (Role.dispatcher, Role.supervisor, Role.agent)
STATS_ROLES = (Role.admin, Role.dispatcher, Role.supervisor, Role.unit_leader, Role.handler)
OWN_UNIT_ONLY = (Role.unit_leader, Role.handler)


@dataclass(frozen=True)
class Scope:
    """Which statistics a caller asked for and may see: one unit, one county (or prefecture)."""

    unit: str | None = None
    region: str | None = None


def staff(principal: Principal) -> None:
    """403 for citizens and channel back-ends."""
    if not principal.is_staff:
        raise Problem(403, "无权操作", "仅限工作人员")


def covers(region: str | None, ticket_region: str | None) -> bool:
    """A county's staff cover its adcode; a prefecture's (5326 00) cover all of 5326xx."""
    if not region:
        return False
    if region.endswith("00"):
        return (ticket_region or "").startswith(region[:4])
    return ticket_region == region


def can_read_ticket(principal: Principal, region_code: str | None, units: set[str]) -> bool:
    """Admins read all; county staff their county; a unit's staff the tickets it has clocks on."""
    if principal.role is Role.admin:
        return True
    if principal.role in COUNTY_WIDE:
        return covers(principal.region, region_code)
    if principal.role in (Role.handler, Role.unit_leader):
        return principal.unit in units
    return False


def stats_scope(principal: Principal, unit: str | None, region: str | None) -> Scope:
    """The scope of statistics for a caller: narrowed to its unit or county, 403 beyond it."""
    if principal.role not in STATS_ROLES:
        raise Problem(403, "无权操作", "统计报表仅限指挥中心、督查、管理员和承办单位查看")
    if principal.role in OWN_UNIT_ONLY:
        if unit and unit != principal.unit:
            raise Problem(403, "无权操作", "承办单位只能查看本单位的统计")
        return Scope(unit=principal.unit, region=region)
    if principal.role is Role.admin:
        return Scope(unit=unit, region=region)
    own = principal.region
    if region and not (covers(own, region) or region == own):
        raise Problem(403, "无权操作", f"只能查看本辖区（{own}）的统计")
    return Scope(unit=unit, region=region or own)
