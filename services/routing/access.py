"""Who may read or change what in routing: by role, county and unit."""

from sqlalchemy import false, true

from services.core.auth import STAFF, Principal, Role, require
from services.core.problems import Problem
from services.routing.ticket_store import NOT_FOUND

DISPATCHERS = (Role.dispatcher, Role.admin)
CLASSIFIERS = (Role.agent, Role.dispatcher, Role.admin)
TICKET_READERS = (Role.agent, Role.dispatcher, Role.supervisor, Role.admin)


def covers(principal: Principal, region_code: str) -> bool:
    """Whether a staff member's area (county 532622, prefecture 532600) includes a region."""
    if principal.role is Role.admin:
        return True
    scope = (principal.region or "").rstrip("0")
    return bool(scope) and region_code.startswith(scope)


def area_of(principal: Principal, column):
    """SQL: the rows whose region `column` lies in the caller's area (all of them for admins)."""
    if principal.role is Role.admin:
        return true()
    scope = (principal.region or "").rstrip("0")
    return column.startswith(scope, autoescape=True) if scope else false()


def require_staff(principal: Principal) -> None:
    """403 for citizens and channel back-ends."""
    require(principal, *STAFF)


def ticket_for(principal: Principal, ticket: dict | None, *roles: Role) -> dict:
    """The ticket when the caller has a role and the ticket is in its area; 404 hides the rest."""
    require(principal, *roles)
    if ticket is None or not covers(principal, ticket["region_code"]):
        raise NOT_FOUND
    return ticket


def may_read_queue(principal: Principal, unit: dict) -> bool:
    """Anyone reads their own unit's queue; dispatchers and supervisors their area's; admins all."""
    if principal.role is Role.admin or principal.unit == unit["code"]:
        return principal.is_staff
    if principal.role in (Role.dispatcher, Role.supervisor):
        return covers(principal, unit["region_code"])
    return False


def queue_of(principal: Principal, unit: dict | None) -> dict:
    """The unit whose queue the caller may read; 403 otherwise."""
    if unit is None:
        raise Problem(404, "未找到", "单位不存在")
    if not may_read_queue(principal, unit):
        raise Problem(403, "无权操作", "只能查看本单位（调度员：本辖区单位）的工单队列")
    return unit
