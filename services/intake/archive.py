"""一人一诉一档: one document per ticket, as JSON and as a printable page."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import pages
from services.core import vocabulary as words
from services.core.auth import Principal
from services.intake import actions, names, unit_requests  # noqa: F401  (the process table's labels)
from services.intake.models import reports, requests
from services.intake.statuses import Status
from services.intake.views import detail_view
from services.intake.workflow import ACTIONS

MEDIA_LINK = "/api/media/v1/media/{}"
KINDS = {"contact": "联系诉求人", "interim": "阶段性答复", "part": "配合单位办理情况",
         "completion": "办结报告", "supervision": "督办", "supervision_answer": "督办答复"}
REPORT_STATES = {"leader_review": "待单位审核", "accepted": "审核通过", "sent_back": "已退回",
                 "open": "待答复", "answered": "已答复"}
REQUEST_KINDS = {"return": "退件", "extension": "延期"}
REQUEST_STATES = {"pending": "待审核", "approved": "同意", "denied": "不同意"}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}


def _evidence(media_ids) -> list[dict]:
    return [{"media_id": str(m), "href": MEDIA_LINK.format(m)} for m in media_ids or []]


async def build(session: AsyncSession, ticket: dict, reader: Principal) -> dict:
    """The whole record: ticket, timeline, reports with evidence, requests, evaluation."""
    detail = await detail_view(session, ticket, reader)
    report_rows = (await session.execute(select(reports).where(reports.c.ticket_id == ticket["id"])
                                         .order_by(reports.c.id))).mappings()
    request_rows = (await session.execute(select(requests).where(requests.c.ticket_id == ticket["id"])
                                          .order_by(requests.c.id))).mappings()
    return {
        "ticket": {k: v for k, v in detail.items() if k != "timeline"},
        "attachments": _evidence(ticket["media_ids"]),
        "timeline": detail["timeline"],
        "reports": [{"kind": r["kind"], "kind_label": KINDS.get(r["kind"], r["kind"]),
                     "unit_code": r["unit_code"], "text": r["text"], "state": r["state"],
                     "at": r["at"], "evidence": _evidence(r["media_ids"])} for r in report_rows],
        "requests": [{"kind": r["kind"], "unit_code": r["unit_code"], "reason": r["reason"],
                      "requested_deadline": r["requested_deadline"], "state": r["state"],
                      "decision": r["decision"], "at": r["at"]} for r in request_rows],
        "evaluation": ticket["evaluation"],
    }


_other_step = pages.labels(words.TIMELINE_ACTIONS)


def _step(action: str | None) -> str:
    """A timeline step by its label in the process table (签收), else by the shared words."""
    known = ACTIONS.get(action or "")
    return known.label if known else _other_step(action)


_templates = pages.environment(Path(__file__).parent / "templates", {
    "status": pages.labels({status.value: status.label for status in Status}),
    "channel": pages.labels(words.CHANNELS),
    "ticket_type": pages.labels(words.TICKET_TYPES),
    "urgency": pages.labels(words.URGENCY),
    "unit_role": pages.labels(words.UNIT_ROLES),
    "actor_role": pages.labels(words.ACTOR_ROLES),
    "step": _step,
    "report_kind": pages.labels(KINDS),
    "report_state": pages.labels(REPORT_STATES),
    "request_kind": pages.labels(REQUEST_KINDS),
    "request_state": pages.labels(REQUEST_STATES),
    "satisfaction": pages.labels(SATISFACTION),
})


async def render_html(session: AsyncSession, record: dict) -> str:
    """The printable page of an archive record: Beijing time, names instead of codes."""
    return _templates.get_template("archive.html").render(r=record, names=await names.load(session))
