"""首页, 办件查询, 案例公开 and 知识库/热门话题: public pages, readable without logging in."""

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.console.backend import ApiError
from services.console.h5.deps import VisitorDep, public_api
from services.console.h5.pages import render
from services.console.h5.public import UNAVAILABLE, optional

router = APIRouter()
PAGE = 20
NUMBER = re.compile(r"^[A-Za-z0-9]{1,32}$")
TAIL = re.compile(r"^\d{4}$")
ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Words = Annotated[str, Query(max_length=50)]


def _hotline(request: Request) -> str:
    config = request.state.config or {}
    counties = config.get("counties") or []
    return counties[0].get("hotline") if counties and counties[0].get("hotline") else request.app.state.settings.h5_hotline


@router.get("/")
async def home(request: Request, citizen: VisitorDep):
    """首页: 一键呼叫, the entries, 热门话题."""
    hot = await optional(public_api(request), "routing", "/v1/public/hot")
    return render(request, "home.html", hot=hot, dial=_hotline(request), unavailable=UNAVAILABLE)


@router.get("/lookup")
async def lookup(request: Request, citizen: VisitorDep, number: Words = "", phone_tail: Words = ""):
    """办件查询: a ticket's progress by its number and the phone's last four digits."""
    number, phone_tail = number.strip(), phone_tail.strip()
    errors, found = {}, None
    if number or phone_tail:
        if not NUMBER.match(number):
            errors["number"] = "请输入正确的诉求编号（字母和数字）"
        if not TAIL.match(phone_tail):
            errors["phone_tail"] = "请输入反映时所留手机号的后 4 位数字"
        if not errors:
            found = await _progress(request, number, phone_tail)
            if found is None:
                errors["number"] = "未查到该诉求，请核对诉求编号和手机号后 4 位"
    return render(request, "lookup.html", 400 if errors else 200, number=number,
                  phone_tail=phone_tail, errors=errors, found=found)


async def _progress(request: Request, number: str, tail: str) -> dict | None:
    """The public lookup (intake's new endpoint), else the older progress query; None if no match."""
    api = public_api(request)
    found = await optional(api, "intake", f"/v1/public/tickets/{number}", phone_tail=tail)
    if found:
        return found
    try:
        old = await api.get("intake", f"/v1/tickets/{number}/progress", params={"phone_last4": tail})
    except ApiError:
        return None
    return {"number": old["number"], "status": old["status"], "status_name": old["status_label"],
            "created_at": old["created_at"], "title": old.get("title"),
            "steps": [{"at": e["at"], "action": e["action"], "label": e["status_label"]}
                      for e in old["timeline"]]}


@router.get("/cases")
async def cases(request: Request, citizen: VisitorDep, q: Words = "", category: Words = "",
                offset: Annotated[int, Query(ge=0, le=10_000)] = 0):
    """案例公开: published cases, newest first or by relevance to the words."""
    found = await optional(public_api(request), "intake", "/v1/public/cases", q=q.strip(),
                           category=category, limit=PAGE, offset=offset)
    return render(request, "cases.html", q=q.strip(), category=category, found=found,
                  offset=offset, page=PAGE, unavailable=UNAVAILABLE)


@router.get("/cases/{case_id}")
async def case(request: Request, citizen: VisitorDep, case_id: ItemId):
    """One published case: what was asked and how it was handled."""
    found = await optional(public_api(request), "intake", f"/v1/public/cases/{case_id}")
    if found is None:
        return render(request, "error.html", 404, title="案例不存在", message="该案例不存在或已撤回。")
    return render(request, "case.html", case=found)


@router.get("/knowledge")
async def knowledge(request: Request, citizen: VisitorDep, q: Words = "", category: Words = ""):
    """知识库 and 热门话题: policy answers and office guides, searched by words."""
    api = public_api(request)
    found = hot = None
    if q.strip() or category:
        found = await optional(api, "routing", "/v1/public/knowledge", q=q.strip(),
                               category=category, limit=PAGE)
    else:
        hot = await optional(api, "routing", "/v1/public/hot")
    return render(request, "knowledge.html", q=q.strip(), category=category, found=found, hot=hot,
                  unavailable=UNAVAILABLE)


@router.get("/knowledge/{item_id}")
async def knowledge_item(request: Request, citizen: VisitorDep, item_id: ItemId):
    """One knowledge item in full."""
    found = await optional(public_api(request), "routing", f"/v1/public/knowledge/{item_id}")
    if found is None:
        return render(request, "error.html", 404, title="内容不存在", message="该条知识不存在或已下线。")
    return render(request, "knowledge_item.html", item=found)
