"""案例公开: staff publish a closed ticket its citizen let go public, in their own words."""

import re
import uuid

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.names import Names
from services.core.problems import Problem
from services.intake import textsearch
from services.intake.access import in_county
from services.intake.models import cases, reports
from services.intake.public_schemas import PublicationIn
from services.intake.statuses import Status

PUBLISHERS = (Role.dispatcher, Role.admin)
NOT_FOUND = Problem(404, "未找到", "案例不存在或已撤回")
SUMMARY_CHARS = 80
# Anyone's mobile or ID number in published text is refused, not only the ticket's own.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
TEXT_FIELDS = ("title", "body", "reply")


def personal_data_in(body: PublicationIn, ticket: dict) -> list[dict]:
    """The fields of a publication that carry the ticket's contact or any phone or ID number."""
    own = [(ticket["contact_phone"], "电话号码"), (ticket["contact_id_number"], "身份证号码"),
           (ticket["contact_name"], "姓名"), (ticket["contact_address"], "住址")]
    errors = []
    for field in TEXT_FIELDS:
        text = getattr(body, field)
        found = [label for value, label in own if value and len(value) >= 2 and value in text]
        found += ["电话号码"] * bool(_MOBILE.search(text)) + ["身份证号码"] * bool(_ID_NUMBER.search(text))
        if found:
            kinds = "、".join(dict.fromkeys(found))
            errors.append({"field": field, "message": f"含有个人信息（{kinds}），请删除后再公开"})
    return errors


async def publish(session: AsyncSession, ticket: dict | None, actor: Principal,
                  body: PublicationIn) -> dict:
    """Publish a closed ticket's case; 409 unless closed and public, 422 on personal data."""
    if ticket is None or (actor.role is not Role.admin and not in_county(actor, ticket)):
        raise Problem(404, "未找到", "工单不存在或无权查看")
    if Status(ticket["status"]) is not Status.closed:
        raise Problem(409, "当前状态不允许公开", "只有已办结归档的工单可以公开")
    if not ticket["public"]:
        raise Problem(409, "诉求人未同意公开", "诉求人提交时未选择公开，不能公开此工单")
    errors = personal_data_in(body, ticket) + await _foreign_photos(session, ticket, body.photos)
    if errors:
        raise Problem(422, "请求参数有误", errors[0]["message"], errors=errors)
    if await session.scalar(select(cases.c.id).where(cases.c.ticket_id == ticket["id"],
                                                      cases.c.withdrawn_at.is_(None))):
        raise Problem(409, "已公开", "该工单已有公开案例，请先撤回")
    row = {"id": uuid.uuid4(), "ticket_id": ticket["id"], "title": body.title, "body": body.body,
           "reply": body.reply, "category": ticket["category"], "region_code": ticket["region_code"],
           "photos": body.photos, "published_by": actor.subject}
    search = textsearch.document((body.title, "A"), (body.body, "B"), (body.reply, "C"))
    return (await session.execute(insert(cases).values(**row, search=search)
                                  .returning(*_public_columns()))).mappings().one()


async def _foreign_photos(session: AsyncSession, ticket: dict, photos: list[uuid.UUID]) -> list[dict]:
    if not photos:
        return []
    evidence = await session.scalars(select(func.unnest(reports.c.media_ids))
                                     .where(reports.c.ticket_id == ticket["id"]))
    known = set(ticket["media_ids"]) | set(evidence)
    return [{"field": f"photos.{index}", "message": "照片不属于该工单"}
            for index, photo in enumerate(photos) if photo not in known]


async def withdraw(session: AsyncSession, case_id: uuid.UUID, actor: Principal) -> None:
    """Take a case down; a county's dispatcher only its own county's."""
    row = (await session.execute(select(cases.c.id, cases.c.region_code).where(
        cases.c.id == case_id, cases.c.withdrawn_at.is_(None)).with_for_update())).first()
    if row is None or (actor.role is not Role.admin and not in_county(actor, {"region_code": row.region_code})):
        raise NOT_FOUND
    await session.execute(update(cases).where(cases.c.id == case_id).values(withdrawn_at=func.now()))


def _public_columns():
    return (cases.c.id, cases.c.title, cases.c.body, cases.c.reply, cases.c.category,
            cases.c.region_code, cases.c.photos, cases.c.published_at)


def _filters(category: str | None, region: str | None) -> list:
    where = [cases.c.withdrawn_at.is_(None)]
    if category:
        where.append((cases.c.category == category) | cases.c.category.startswith(category + ".", autoescape=True))
    if region:
        where.append(cases.c.region_code.startswith(region[:4]) if region.endswith("00")
                     else cases.c.region_code == region)
    return where


async def search(session: AsyncSession, *, q: str | None, category: str | None, region: str | None,
                 limit: int, offset: int) -> tuple[list[dict], int]:
    """Published cases: by relevance to `q` (jieba words, ranked), else newest first."""
    where = _filters(category, region)
    tsquery = textsearch.query(q) if q else None
    order = [cases.c.published_at.desc(), cases.c.id]
    if q and tsquery is None:
        return [], 0
    if tsquery is not None:
        where.append(cases.c.search.op("@@")(tsquery))
        order.insert(0, func.ts_rank_cd(cases.c.search, tsquery).desc())
    total = await session.scalar(select(func.count()).select_from(cases).where(*where))
    rows = (await session.execute(select(*_public_columns()).where(*where).order_by(*order)
                                  .limit(limit).offset(offset))).mappings().all()
    return list(rows), total or 0


async def find(session: AsyncSession, case_id: uuid.UUID) -> dict:
    """One published case; 404 once withdrawn."""
    row = (await session.execute(select(*_public_columns()).where(
        cases.c.id == case_id, cases.c.withdrawn_at.is_(None)))).mappings().first()
    if row is None:
        raise NOT_FOUND
    return row


def summary_view(row: dict, known: Names) -> dict:
    """A case in the public list: nothing of the ticket but its category and county."""
    body = row["body"]
    return {"id": row["id"], "title": row["title"],
            "summary": body if len(body) <= SUMMARY_CHARS else body[:SUMMARY_CHARS] + "…",
            "category": row["category"], "category_name": known.category(row["category"]),
            "region": row["region_code"], "region_name": known.region(row["region_code"]),
            "published_at": row["published_at"]}


def detail_view(row: dict, known: Names, photos: list[dict]) -> dict:
    """A published case with its reply and the links of the photos staff ticked."""
    view = {key: value for key, value in summary_view(row, known).items() if key != "summary"}
    return {**view, "body": row["body"], "reply": row["reply"], "photos": photos}
