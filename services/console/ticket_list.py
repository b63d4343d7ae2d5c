"""工单列表: filters kept in the URL, keyset pages, countdowns, saved views, bulk 签收 / 派单."""

import asyncio
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError
from services.console.deps import FormDep, PersonDep, api_of
from services.console.pages import is_htmx, render
from services.console.session import Person
from services.core import vocabulary as words

router = APIRouter()
FILTERS = ("q", "status", "category", "unit", "region", "town", "urgency", "channel", "type",
           "created_from", "created_to", "sla", "queue", "sort")
STATUSES = (("submitted", "待受理"), ("pending_info", "待完善"), ("accepted", "已受理"),
            ("assigned", "已派单"), ("in_progress", "办理中"), ("leader_review", "单位审核中"),
            ("center_audit", "中心审核中"), ("resolved", "已办结待评价"), ("closed", "已归档"),
            ("rejected", "不予受理"), ("expired", "已失效"), ("merged", "已合并"))
SLA_STATES = (("normal", "正常"), ("warning", "即将超期"), ("overdue", "已超期"))
SORTS = (("created_desc", "最新提交在前"), ("created_asc", "最早提交在前"),
         ("updated_desc", "最近更新在前"), ("due_asc", "办结时限最近在前"))
QUEUES = {"submitted": "待受理", "awaiting_dispatch": "待派单", "return_requests": "退件申请",
          "extension_requests": "延期申请", "center_audit": "待审核", "to_sign": "待签收",
          "in_progress": "办理中", "warning": "即将超期", "overdue": "已超期",
          "leader_review": "待领导审核", "rework": "退回重办", "supervised": "督办中",
          "reopened": "重办中", "unsatisfied": "不满意", "recorded_today": "今日登记"}
PAGE = 20


def chosen(request: Request, names: tuple[str, ...] = FILTERS) -> dict[str, list[str] | str]:
    """The filters in the URL, as the search API takes them (empty ones dropped)."""
    found: dict[str, list[str] | str] = {}
    for name in names:
        values = [v.strip() for v in request.query_params.getlist(name) if v.strip()]
        if values:
            found[name] = values if name == "status" else values[0]
    return found


def query_string(filters: dict, **extra) -> str:
    pairs = []
    for name, value in {**filters, **extra}.items():
        for one in value if isinstance(value, list) else [value]:
            if one not in (None, ""):
                pairs.append((name, one))
    return urlencode(pairs)


async def _search(request: Request, filters: dict, after: str | None) -> tuple[dict, dict]:
    """One page of tickets, or the API's complaint about a filter (shown next to it)."""
    params = {**filters, "limit": PAGE}
    if after:
        params["after"] = after
    try:
        return await api_of(request).get("intake", "/v1/search/tickets", params=params), {}
    except ApiError as refused:
        if refused.status != 422:
            raise
        return {"items": [], "next": None}, refused.field_errors() or {"q": refused.message}


async def _saved_views(request: Request) -> list[dict]:
    try:
        return await api_of(request).get("intake", "/v1/me/views")
    except ApiError:
        return []


@router.get("/tickets")
async def ticket_list(request: Request, person: PersonDep, after: str | None = None):
    """The list; htmx asks for the table alone when a filter changes."""
    filters = chosen(request)
    (page, errors), views = await asyncio.gather(_search(request, filters, after),
                                                 _saved_views(request))
    context = dict(page=page, errors=errors, filters=filters, after=after, views=views,
                   query=query_string(filters), next_query=query_string(filters, after=page["next"]),
                   choices=_choices(request, person), queue_label=QUEUES.get(filters.get("queue", "")),
                   bulk=_bulk_actions(person), notice=request.query_params.get("notice"))
    return render(request, "tickets/_table.html" if is_htmx(request) else "tickets/list.html",
                  **context)


def _choices(request: Request, person: Person) -> dict:
    directory = request.app.state.directory
    region = person.principal.region if person.role.value in ("dispatcher", "supervisor") else None
    county = region if region and not region.endswith("00") else None
    return {"statuses": STATUSES, "sla": SLA_STATES, "sorts": SORTS,
            "urgency": list(words.URGENCY.items()), "channels": list(words.CHANNELS.items()),
            "types": list(words.TICKET_TYPES.items()),
            "categories": directory.category_choices(), "counties": directory.counties(region),
            "towns": directory.towns(county), "units": directory.handling_units(region)}


def _bulk_actions(person: Person) -> list[tuple[str, str]]:
    if person.is_unit:
        return [("sign", "批量签收")]
    if person.is_center:
        return [("dispatch", "批量派单")]
    return []


@router.post("/tickets/bulk")
async def bulk(request: Request, person: PersonDep, form: FormDep):
    """批量签收 or 批量派单: each ticket on its own; what was refused is said, nothing else lost."""
    numbers = [n for n in form.getlist("number") if isinstance(n, str) and n][:PAGE * 5]
    back = str(form.get("back") or "")
    what = form.get("bulk")
    if not numbers:
        return _back(back, "请先勾选工单")
    api = api_of(request)
    if what == "sign" and person.is_unit:
        calls = [api.post("intake", f"/v1/tickets/{n}/actions/sign", json={}) for n in numbers]
        done_word = "签收"
    elif what == "dispatch" and person.is_center and form.get("lead"):
        body = {"lead": form.get("lead")}
        calls = [api.post("routing", f"/v1/tickets/{n}/dispatch", json=body) for n in numbers]
        done_word = "派单"
    else:
        return _back(back, "请选择批量操作（派单须选择牵头单位）")
    results = await asyncio.gather(*calls, return_exceptions=True)
    failed = [(n, r) for n, r in zip(numbers, results, strict=True) if isinstance(r, Exception)]
    for _, failure in failed:
        if not isinstance(failure, ApiError):
            raise failure
    message = f"已{done_word} {len(numbers) - len(failed)} 件"
    if failed:
        message += "；未成功：" + "；".join(f"{n}（{f.message}）" for n, f in failed[:5])
    return _back(back, message)


def _back(query: str, notice: str) -> RedirectResponse:
    joined = f"{query}&" if query else ""
    return RedirectResponse(f"/tickets?{joined}{urlencode({'notice': notice})}", status_code=303)


@router.post("/tickets/views")
async def save_view(request: Request, person: PersonDep, form: FormDep):
    """我的视图: keep the list's current filters under a name."""
    query = str(form.get("query") or "")
    try:
        await api_of(request).post("intake", "/v1/me/views",
                                   json={"name": str(form.get("name") or "").strip(), "query": query})
    except ApiError as refused:
        return _back(query, f"视图未保存：{refused.field_errors().get('name') or refused.message}")
    return _back(query, f"已保存视图「{str(form.get('name')).strip()}」")


@router.post("/tickets/views/{view_id}/delete")
async def delete_view(request: Request, view_id: int, person: PersonDep, form: FormDep):
    """Forget one of my views."""
    try:
        await api_of(request).delete("intake", f"/v1/me/views/{view_id}")
    except ApiError as refused:
        return _back("", f"视图未删除：{refused.message}")
    return _back("", "已删除视图")
