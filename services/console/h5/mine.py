"""我的诉求, one ticket's page (基本信息, 流程跟踪), 补充材料 and 评价, and 我的."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError
from services.console.h5 import media
from services.console.h5.deps import CitizenDep, FormDep, api_of
from services.console.h5.pages import render

router = APIRouter()
PAGE = 20
Number = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,32}$")]
SATISFACTION = (("satisfied", "满意"), ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意"))


@router.get("/tickets")
async def my_tickets(request: Request, citizen: CitizenDep,
                     offset: Annotated[int, Query(ge=0, le=10_000)] = 0):
    """我的诉求: the citizen's own tickets, newest first."""
    tickets = await api_of(request).get("intake", "/v1/tickets", params={"limit": PAGE + 1, "offset": offset})
    return render(request, "tickets.html", tickets=tickets[:PAGE], more=len(tickets) > PAGE,
                  offset=offset, page=PAGE)


async def _ticket_page(request: Request, number: str, status: int = 200, **context):
    api = api_of(request)
    ticket = await api.get("intake", f"/v1/tickets/{number}")
    attachments = await media.describe(api, ticket["media_ids"])
    context.setdefault("errors", {})
    context.setdefault("values", {"satisfaction": "satisfied"})
    return render(request, "ticket.html", status, ticket=ticket, attachments=attachments,
                  satisfaction=SATISFACTION, timeline=list(reversed(ticket["timeline"])), **context)


@router.get("/tickets/{number}")
async def ticket(request: Request, citizen: CitizenDep, number: Number, notice: str = ""):
    """诉求详情: 基本信息, 流程跟踪, and what the citizen may do now (补充 or 评价)."""
    return await _ticket_page(request, number, notice=notice[:200])


@router.post("/tickets/{number}/supplement")
async def supplement(request: Request, citizen: CitizenDep, form: FormDep, number: Number):
    """补充材料 for a ticket marked 待完善: text and files."""
    api = api_of(request)
    content = str(form.get("content") or "").strip()
    if not content:
        return await _ticket_page(request, number, 422, errors={"content": "请填写补充内容"},
                                  values={"content": content})
    try:
        ids = await media.store_form_files(api, form, 0)
        await api.post("intake", f"/v1/tickets/{number}/supplement", json={"content": content, "media_ids": ids})
    except ApiError as refused:
        message = refused.field_errors().get("content") or refused.message
        return await _ticket_page(request, number, 422, errors={"content": message},
                                  values={"content": content})
    return RedirectResponse(_with_notice(number, "补充材料已提交，请等待受理"), status_code=303)


@router.post("/tickets/{number}/evaluation")
async def evaluate(request: Request, citizen: CitizenDep, form: FormDep, number: Number):
    """办理结果评价: 问题是否解决, 满意/基本满意/不满意 (满意 unless chosen), a comment."""
    values = {k: str(form.get(k) or "").strip() for k in ("resolved", "satisfaction", "comment")}
    errors = {}
    if values["resolved"] not in ("yes", "no"):
        errors["resolved"] = "请选择问题是否解决"
    if values["satisfaction"] not in dict(SATISFACTION):
        values["satisfaction"] = "satisfied"
    if len(values["comment"]) > 500:
        errors["comment"] = "评价内容不能超过 500 字"
    if errors:
        return await _ticket_page(request, number, 422, errors=errors, values=values)
    body = {"resolved": values["resolved"] == "yes", "satisfaction": values["satisfaction"]}
    if values["comment"]:
        body["comment"] = values["comment"]
    try:
        done = await api_of(request).post("intake", f"/v1/tickets/{number}/evaluation", json=body)
    except ApiError as refused:
        return await _ticket_page(request, number, 422, values=values,
                                  errors={**refused.field_errors(), "evaluation": refused.message})
    notice = ("感谢您的评价，诉求已重新交办，我们将继续跟进办理。" if done["status"] in ("in_progress", "assigned")
              else "感谢您的评价！")
    return RedirectResponse(_with_notice(number, notice), status_code=303)


def _with_notice(number: str, notice: str) -> str:
    return f"/m/tickets/{number}?{urlencode({'notice': notice})}"


@router.get("/me")
async def me(request: Request, citizen: CitizenDep):
    """我的: the verified phone, the citizen's entries, 退出登录."""
    return render(request, "me.html")
