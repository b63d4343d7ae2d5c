"""What the citizen pages show before a report: hotlines, counties and towns, scope, types, categories.

The scope's wording is the Wenshan mini-program guide's 诉求须知 and the Yanshan plan's 受理范围
(../shared/seeds/000_…, 001_…); names are routing's, as intake learned them from its events.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.names import CATEGORY, UNIT
from services.core.vocabulary import TICKET_TYPES
from services.intake.models import names
from services.intake.schemas import TicketType
from services.intake.settings import IntakeSettings

ACCEPTED = [
    "市政管理、环境卫生、社会治安、安全生产、生态保护、社会事业、基础设施、市场管理、政策咨询、"
    "权益诉求、政务监督等非紧急、非诉讼类事项",
    "经济调节、市场监管、社会管理、公共服务、生态环境保护等领域的咨询、求助、投诉、举报和意见建议",
]
NOT_ACCEPTED = [
    "须通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等法定途径解决的事项（请通过相应渠道办理）",
    "已进入信访渠道的事项（请向信访部门反映）",
    "涉及国家秘密、工作秘密、商业秘密和个人隐私的事项",
    "违反社会公序良俗、恶意骚扰或无实质诉求的信息",
    "紧急情况（请直接拨打 110、119、120 等应急电话）",
]
EMERGENCIES = [{"number": "110", "label": "报警"}, {"number": "119", "label": "火警"},
               {"number": "120", "label": "急救"}]
NOTICE = (
    "本平台受理市政管理、环境卫生、社会治安、安全生产、生态保护、社会事业、基础设施、市场管理、"
    "政策咨询、权益诉求、政务监督等非紧急情况和非诉讼类事项。紧急情况请拨打110、119、120等指定"
    "渠道反映，诉讼、仲裁事项请通过诉讼、仲裁渠道解决，已进入信访渠道的事项请向信访部门反映。"
    "反映问题不得涉及国家秘密、工作秘密、商业秘密和个人隐私，相关图片和视频内不得有军事设施等"
    "涉密和敏感内容。"
)


def acceptance() -> dict:
    """The acceptance scope shown before submitting."""
    return {"accepted": ACCEPTED, "not_accepted": NOT_ACCEPTED, "emergencies": EMERGENCIES,
            "notice": NOTICE}


def request_types() -> list[dict]:
    """The request types `POST /v1/tickets` accepts, with their Chinese names."""
    return [{"code": kind.value, "name": TICKET_TYPES[kind.value]} for kind in TicketType]


async def public_config(session: AsyncSession, settings: IntakeSettings) -> dict:
    """The whole public configuration, from the names intake knows now."""
    rows = (await session.execute(
        select(names.c.kind, names.c.code, names.c.name, names.c.unit_kind, names.c.parent,
               names.c.region_code)
        .where(names.c.active.is_(True)).order_by(names.c.code))).all()
    return {"counties": _counties(rows, settings), "acceptance": acceptance(),
            "request_types": request_types(), "categories": _categories(rows)}


def _counties(rows, settings: IntakeSettings) -> list[dict]:
    units = [row for row in rows if row.kind == UNIT]
    towns: dict[str, list[dict]] = {}
    for row in units:
        if row.unit_kind == "town":
            county = row.parent or row.region_code
            towns.setdefault(county, []).append({"code": row.code, "name": row.name})
    return [{"code": row.code, "name": row.name, "hotline": settings.hotline(row.code),
             "towns": towns.get(row.code, [])}
            for row in units if row.unit_kind == "county"]


def _categories(rows) -> list[dict]:
    categories = [row for row in rows if row.kind == CATEGORY]
    children: dict[str, list[dict]] = {}
    for row in categories:
        if row.parent:
            children.setdefault(row.parent, []).append({"code": row.code, "name": row.name})
    return [{"code": row.code, "name": row.name, "children": children.get(row.code, [])}
            for row in categories if not row.parent]
