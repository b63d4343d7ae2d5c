"""Open311 service requests as the public may read them: what, where, and how far along.

No contact data is ever part of an answer, and phone and ID numbers that citizens wrote
into a description or address are masked. Anyone reads the tickets whose citizens agreed
to publish them; a channel with its api_key reads the ones it submitted as well.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.logging import mask
from services.core.names import Names
from services.core.vocabulary import REJECT_REASONS
from services.intake.models import tickets
from services.intake.open311_services import GENERIC
from services.intake.open311_xml import Open311Error
from services.intake.service import in_region
from services.intake.statuses import Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW = timedelta(days=90)
LIMIT = 1000
YEARS = (1900, 9000)  # far beyond any ticket; the window's arithmetic stays within the calendar
# Open311's `closed` is "it has been resolved": the unit's work is done (待评价 included),
# or the platform will not act on it.
CLOSED = frozenset({Status.resolved, Status.closed, Status.rejected, Status.expired, Status.merged})
OPEN311_STATUSES = {"open": [s.value for s in Status if s not in CLOSED],
                    "closed": [s.value for s in CLOSED]}
SERVICE_NOTICE = ("本平台受理非紧急的求助、投诉、举报、咨询和建议，按时限派单办理并回访。"
                  "紧急情况请立即拨打 110（报警）、119（火警）、120（急救）；"
                  "诉讼、仲裁、信访等依法定途径解决的事项不予受理。")


def w3(moment: datetime | None) -> str | None:
    """A datetime in W3C-DTF with its offset, in Beijing time (2026-12-01T09:30:00+08:00)."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


def open_or_closed(status: str) -> str:
    """Our status as Open311's `open` or `closed`."""
    return "closed" if Status(status) in CLOSED else "open"


def status_notes(ticket: dict) -> str:
    """The Chinese status, with the reason where the platform will not act on it."""
    status = Status(ticket["status"])
    if status is Status.rejected and ticket["reject_reason"]:
        reason = ticket["reject_reason"]
        return f"{status.label}：{REJECT_REASONS.get(reason.get('code'), '')}".rstrip("：")
    if status is Status.merged and ticket["master_number"]:
        return f"{status.label}（并入 {ticket['master_number']} 一并办理）"
    return status.label


def request_view(ticket: dict, known: Names) -> dict:
    """One ticket as an Open311 `request`, without anything that names or reaches a person."""
    code = ticket["category"] or GENERIC["service_code"]
    return {
        "service_request_id": ticket["number"],
        "status": open_or_closed(ticket["status"]),
        "status_notes": status_notes(ticket),
        "service_name": known.category(ticket["category"]) if ticket["category"] else GENERIC["service_name"],
        "service_code": code,
        "description": mask(ticket["content"]),
        "agency_responsible": known.unit(ticket["lead_unit"]) if ticket["lead_unit"] else None,
        "service_notice": SERVICE_NOTICE,
        "requested_datetime": w3(ticket["created_at"]),
        "updated_datetime": w3(ticket["updated_at"]),
        "expected_datetime": w3(ticket["completion_due"]),
        "address": mask(ticket["address"]) if ticket["address"] else None,
        "address_id": None,
        "zipcode": None,
        "lat": ticket["lat"],
        "long": ticket["lng"],
        "media_url": ticket["media_url"],
    }


def readable_by(reader: Principal | None):
    """Published tickets, and the reader channel's own."""
    if reader is None:
        return tickets.c.public.is_(True)
    return or_(tickets.c.public.is_(True), tickets.c.submitted_by == reader.subject)


def parse_w3(value: str, field: str) -> datetime:
    """A W3C-DTF datetime with its offset; 400 otherwise."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{field} 应为带时区的 W3C 时间，如 2026-12-01T00:00:00+08:00") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{field} 须带时区（Z 或 +08:00）")
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise Open311Error(400, f"{field} 超出可查询的日期范围（{YEARS[0]}—{YEARS[1]} 年）")
    return moment


def window(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The requested_datetime range: the last 90 days unless told, never more than 90 days."""
    since = parse_w3(start, "start_date") if start else None
    until = parse_w3(end, "end_date") if end else None
    if since is None and until is None:
        return now - WINDOW, now
    since = until - WINDOW if since is None else since
    until = since + WINDOW if until is None else until
    if until < since:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if until - since > WINDOW:
        raise Open311Error(400, "start_date 与 end_date 相隔不能超过 90 天")
    return since, until


async def by_numbers(session: AsyncSession, numbers: list[str], reader: Principal | None) -> list[dict]:
    """The readable tickets among `numbers`, in the order asked."""
    rows = (await session.execute(select(tickets).where(
        tickets.c.number.in_(numbers), readable_by(reader)))).mappings().all()
    found = {row["number"]: row for row in rows}
    return [found[number] for number in dict.fromkeys(numbers) if number in found]


async def search(session: AsyncSession, *, reader: Principal | None, since: datetime, until: datetime,
                 statuses: list[str], codes: list[str], region: str | None) -> list[dict]:
    """Readable tickets requested in the window, newest first, at most 1,000."""
    query = select(tickets).where(readable_by(reader), tickets.c.created_at >= since,
                                  tickets.c.created_at <= until)
    if statuses:
        query = query.where(tickets.c.status.in_([s for name in statuses for s in OPEN311_STATUSES[name]]))
    if codes:
        conditions = [tickets.c.category.in_(codes)]
        if GENERIC["service_code"] in codes:
            conditions.append(tickets.c.category.is_(None))
        query = query.where(or_(*conditions))
    if region:
        query = query.where(in_region(region))
    query = query.order_by(tickets.c.created_at.desc()).limit(LIMIT)
    return list((await session.execute(query)).mappings())


def utc_now() -> datetime:
    return datetime.now(UTC)
