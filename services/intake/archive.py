"""一人一诉一档: one document per ticket, as JSON and as a printable page."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.intake.models import reports, requests
from services.intake.views import detail_view

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
MEDIA_LINK = "/api/media/v1/media/{}"
KINDS = {"contact": "联系诉求人", "interim": "阶段性答复", "part": "配合单位办理情况",
         "completion": "办结报告", "supervision": "督办", "supervision_answer": "督办答复"}


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


def render_html(record: dict) -> str:
    """The printable page of an archive record."""
    return _templates.get_template("archive.html").render(r=record)
