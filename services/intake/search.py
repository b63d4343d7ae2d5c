"""The staff ticket list: filters within the caller's jurisdiction, pages by keyset.

Each page ends with an opaque cursor (the last row's sort key and id, signed), and the next
page starts strictly after it: no OFFSET, every row once, however deep the page.
Which index serves which filter: docs/console-queries.md.
"""

import hashlib
import hmac
import uuid
from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    Uuid,
    and_,
    asc,
    case,
    desc,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.problems import Problem
from services.intake.models import CATEGORY_TOP, DUE_ORDER, tickets
from services.intake.queues import QUEUES, SLA_STATES, UNIT_ROLES
from services.intake.search_schemas import LABELS, Sort, TicketQuery
from services.intake.service import jurisdiction
from services.intake.views import ticket_view

T = tickets.c
SHANGHAI = ZoneInfo("Asia/Shanghai")
ORDERS: dict[Sort, tuple[ColumnElement, bool]] = {  # the sort key, and whether descending
    Sort.created_desc: (T.created_at, True),
    Sort.created_asc: (T.created_at, False),
    Sort.updated_desc: (T.updated_at, True),
    Sort.due_asc: (DUE_ORDER.element, False),
}
SLA_STATE = case(*((condition, state) for state, condition in SLA_STATES.items()),
                 else_=None).label("sla_state")
HEAD = 3000  # how far along the list's order a page of matches is looked for before fencing
LIST_FIELDS = ("region_code", "town_code", "response_due", "completion_due", "warn_at", "sla_state",
               "dispatch_unit", "rework")


async def search(session: AsyncSession, principal: Principal, query: TicketQuery, *,
                 secret: str) -> dict:
    """One page of the tickets the caller may see that match, and the cursor of the next."""
    fenced = await fence_needed(session, principal, query, secret)
    rows = (await session.execute(statement(principal, query, secret, fenced=fenced))).mappings().all()
    page = rows[:query.limit]
    last = page[-1] if len(rows) > query.limit else None
    return {"items": [list_view(row, principal) for row in page],
            "next": write_cursor(query.sort, last["sort_key"], last["id"], secret) if last else None}


def statement(principal: Principal, query: TicketQuery, secret: str, *, fenced: bool = False) -> Select:
    """The SELECT of one page: one row more than asked, to know whether another page follows.

    PostgreSQL reads a page by walking the sort's index and filtering, betting that matches
    come soon; for a set it misjudges (a unit's tickets, a text's, those with a running
    clock) the walk may cross the whole table. `fenced` takes the matches through their own
    index first (OFFSET 0 keeps the planner from merging the two) and sorts only those.
    """
    key, descending = ORDERS[query.sort]
    selected = select(tickets, SLA_STATE, key.label("sort_key")).where(
        jurisdiction(principal), *conditions(query, principal))
    if (position := after(query, secret)) is not None:
        selected = selected.where(position)
    direction = desc if descending else asc
    if fenced:
        matches = selected.offset(0).subquery("matches")
        return select(matches).order_by(direction(matches.c.sort_key), direction(matches.c.id)) \
            .limit(query.limit + 1)
    return selected.order_by(direction(key), direction(T.id)).limit(query.limit + 1)


def after(query: TicketQuery, secret: str) -> ColumnElement | None:
    """Past the previous page's last ticket, in the list's order (None on the first page)."""
    if not query.after:
        return None
    key, descending = ORDERS[query.sort]
    after_key, after_id = read_cursor(query.after, query.sort, secret)
    position, bound = tuple_(key, T.id), tuple_(literal(after_key, DateTime(timezone=True)),
                                                literal(after_id, Uuid))
    return position < bound if descending else position > bound


async def fence_needed(session: AsyncSession, principal: Principal, query: TicketQuery,
                       secret: str) -> bool:
    """Whether to take the matches first (see `statement`): always for the lists of open
    tickets; for a condition the planner misjudges (a unit's tickets, a text's), when the
    list's own order does not meet a page of matches soon."""
    if bounded(query):
        return True
    if not uncertain(principal, query):
        return False
    return not await page_ahead(session, principal, query, secret)


def bounded(query: TicketQuery) -> bool:
    """Filters only tickets still being handled pass (few, however large the table grows), and
    that no index ordered by the sort serves. A status has its (status, created_at) index."""
    return bool(query.sla or query.queue)


def uncertain(principal: Principal, query: TicketQuery) -> list[ColumnElement]:
    """Conditions whose size the planner cannot estimate well: a unit's tickets (GIN), a text's."""
    found = [T.units.contains([principal.unit or "-"])] if principal.role in UNIT_ROLES else []
    if query.unit and query.unit != principal.unit:
        found.append(T.units.contains([query.unit]))
    if query.q and not query.number:
        found.append(_contains(query.q))
    return found


async def page_ahead(session: AsyncSession, principal: Principal, query: TicketQuery,
                     secret: str) -> bool:
    """Whether a page of matches lies within the first HEAD tickets along the list's order.

    The walk goes along what an ordered index serves (a county, a town, a status, a
    category, the dates, the cursor); the rest is checked row by row. A page met early means
    the walk is cheap (a common phrase: a few hundred rows); one that is not means it could
    cross the table (a new unit's desk: 3.9 s at a million tickets) and the fence is cheaper.
    Counting the matches instead misjudged both ways: a town's urgent tickets are few but
    lie far apart (walked: 124 ms), its 市政管理 ones few but close along their index
    (fenced: 69 ms), and counting a common phrase's matches cost more than any walk.
    """
    key, descending = ORDERS[query.sort]
    scope = jurisdiction(principal)
    unit_scope = principal.role in UNIT_ROLES  # a GIN lookup: checked, not walked
    along = [*([] if unit_scope else [scope]), *ordered_conditions(query)]
    rest = [*([scope] if unit_scope else []), *other_conditions(query, principal)]
    if (position := after(query, secret)) is not None:
        along.append(position)
    direction = desc if descending else asc
    head = (select(and_(*rest).label("hit")).where(*along)
            .order_by(direction(key), direction(T.id)).limit(HEAD).subquery())
    hits = await session.scalar(select(func.count()).select_from(head).where(head.c.hit))
    return hits > query.limit


def conditions(query: TicketQuery, principal: Principal) -> list[ColumnElement]:
    """The query's filters as WHERE clauses, each one an index can serve."""
    return ordered_conditions(query) + other_conditions(query, principal)


def ordered_conditions(query: TicketQuery) -> list[ColumnElement]:
    """Filters with an index ordered like the list: (county | town | urgency | channel | type |
    status | category, created_at)."""
    found = [column == value for column, value in (
        (T.region_code, query.region), (T.town_code, query.town), (T.urgency, query.urgency),
        (T.channel, query.channel), (T.type, query.type)) if value is not None]
    if query.status:
        found.append(T.status.in_([status.value for status in query.status]))
    if query.category:
        top_level = "." not in query.category
        found.append(CATEGORY_TOP == query.category if top_level else T.category == query.category)
    if query.created_from:
        found.append(T.created_at >= beijing_midnight(query.created_from))
    if query.created_to:
        found.append(T.created_at < beijing_midnight(query.created_to) + timedelta(days=1))
    return found


def other_conditions(query: TicketQuery, principal: Principal) -> list[ColumnElement]:
    """Filters checked row by row along the list (or through their own index when few)."""
    found = []
    # A unit's own desk already is its tickets: the same condition twice misleads the planner.
    if query.unit and not (principal.role in UNIT_ROLES and query.unit == principal.unit):
        found.append(T.units.contains([query.unit]))
    if query.sla:
        found.append(SLA_STATES[query.sla])
    if query.phone:
        found.append(T.contact_phone == query.phone)
        if principal.role in UNIT_ROLES:  # a unit must not find whose an anonymous ticket is
            found.append(~T.anonymous)
    if query.q:
        found.append(T.number == query.number if query.number else _contains(query.q))
    if query.queue:
        found.append(QUEUES[query.queue].where(principal))
    return found


def _contains(text: str) -> ColumnElement:
    # Backslash is LIKE's default escape, which pg_trgm's index support understands too.
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return T.title.ilike(f"%{escaped}%") | T.content.ilike(f"%{escaped}%")


def beijing_midnight(day) -> datetime:
    """The instant a Beijing calendar day begins."""
    return datetime.combine(day, time(), tzinfo=SHANGHAI)


def list_view(row, principal: Principal) -> dict:
    """A ticket on a list: `ticket_view` (anonymity respected) with its deadlines and place."""
    return {**ticket_view(row, principal), **{field: row[field] for field in LIST_FIELDS}}


def _signature(body: bytes, secret: str) -> bytes:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()[:12]
    return urlsafe_b64encode(digest).rstrip(b"=")


def write_cursor(sort: Sort, key: datetime, ticket_id: uuid.UUID, secret: str) -> str:
    """The signed position after which the next page starts."""
    body = urlsafe_b64encode(orjson.dumps([sort.value, key.isoformat(), str(ticket_id)])).rstrip(b"=")
    return (body + b"." + _signature(body, secret)).decode()


def read_cursor(token: str, sort: Sort, secret: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor of ours holds; 422 if it was altered or made for another sort."""
    try:
        body, _, signature = token.encode("ascii").partition(b".")
        if not hmac.compare_digest(signature, _signature(body, secret)):
            raise ValueError("signature")
        made_for, key, ticket_id = orjson.loads(urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        if made_for != sort.value:
            raise ValueError("sort")
        return datetime.fromisoformat(key), uuid.UUID(ticket_id)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        message = "无效或已被修改，或与当前排序不符；请从第一页重新查询"
        raise Problem(422, "请求参数有误", f"{LABELS['after']}：{message}",
                      errors=[{"field": "after", "message": message, "label": LABELS["after"]}]) from None
