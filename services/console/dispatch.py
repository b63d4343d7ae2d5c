"""派单台: the manual queue with the classifier's suggestions, duplicates, return and extension requests."""

import asyncio
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError
from services.console.deps import FormDep, PersonDep, api_of
from services.console.pages import render
from services.console.session import Person

router = APIRouter()
CO_ROLES = (("responsible", "责任单位"), ("cooperating", "配合单位"))
MAX_CO = 10
MAX_DUPLICATES = 20  # the desk shows the newest; the rest wait their turn


def dispatch_body(form) -> dict:
    """routing's DispatchIn from a form: lead, optional category and note, co-units with roles."""
    body: dict = {"lead": str(form.get("lead") or "")}
    for name in ("category", "note"):
        if value := str(form.get(name) or "").strip():
            body[name] = value
    codes, roles = form.getlist("co_unit"), form.getlist("co_role")
    body["co"] = [{"unit_code": code, "role": role if role in dict(CO_ROLES) else "cooperating"}
                  for code, role in zip(codes, roles, strict=False) if code][:MAX_CO]
    return body


def plain(refused: ApiError) -> str:
    """A refusal in words: the fields' messages when there are any, else the service's detail."""
    return "；".join(refused.field_errors().values()) or refused.message


def center_of(person: Person) -> str:
    """The command center whose manual queue this dispatcher works: its own unit."""
    return person.principal.unit or f"cc-{person.principal.region or '532600'}"


async def _requests(request: Request, kind: str) -> list[dict]:
    try:
        return await api_of(request).get("intake", "/v1/requests",
                                         params={"kind": kind, "state": "pending"})
    except ApiError:
        return []


async def _duplicates(request: Request) -> list[dict]:
    """Tickets of the manual queue routing flagged as possible duplicates."""
    try:
        page = await api_of(request).get("intake", "/v1/search/tickets",
                                         params={"queue": "awaiting_dispatch", "limit": 100})
    except ApiError:
        return []
    flagged = [t for t in page["items"] if (t.get("duplicates") or {}).get("candidates")]
    return flagged[:MAX_DUPLICATES]


async def _classifier(request: Request) -> dict | None:
    """Which classifier suggests and dispatches, how well, and this county's auto-dispatch share."""
    try:
        return await api_of(request).get("routing", "/v1/classifier")
    except ApiError:
        return None


@router.get("/dispatch")
async def desk(request: Request, person: PersonDep):
    """The desk: what waits for a dispatcher's decision."""
    if not person.is_center:
        raise ApiError(403, {"detail": "派单台仅限指挥中心使用"})
    api = api_of(request)
    queue, returns, extensions, duplicates, classifier = await asyncio.gather(
        api.get("routing", "/v1/assignments", params={"unit": center_of(person), "limit": 100}),
        _requests(request, "return"), _requests(request, "extension"), _duplicates(request),
        _classifier(request))
    directory = request.app.state.directory
    return render(request, "dispatch.html", queue=queue, returns=returns, extensions=extensions,
                  duplicates=duplicates, classifier=classifier, units=directory.handling_units(person.principal.region),
                  categories=directory.category_choices(), co_roles=CO_ROLES,
                  notice=request.query_params.get("notice"), error=request.query_params.get("error"))


@router.post("/dispatch/{number}")
async def dispatch_from_desk(request: Request, number: str, person: PersonDep, form: FormDep):
    """One click on a suggestion, or the dispatcher's own choice of units."""
    try:
        await api_of(request).post("routing", f"/v1/tickets/{number}/dispatch",
                                   json=dispatch_body(form))
    except ApiError as refused:
        return _desk(error=f"{number}：{plain(refused)}")
    return _desk(notice=f"{number} 已派单")


@router.post("/dispatch/{number}/{action}")
async def decide(request: Request, number: str, action: str, person: PersonDep, form: FormDep):
    """同意/不同意 退件 or 延期, or 合并 a duplicate: intake's actions, from the desk."""
    allowed = {"approve_return": "note", "deny_return": "reason", "approve_extension": "note",
               "deny_extension": "reason", "merge": "master_number"}
    if action not in allowed:
        raise ApiError(404, {})
    field = allowed[action]
    value = str(form.get(field) or "").strip()
    body = {field: value} if value else {}
    try:
        await api_of(request).post("intake", f"/v1/tickets/{number}/actions/{action}", json=body)
    except ApiError as refused:
        return _desk(error=f"{number}：{plain(refused)}")
    return _desk(notice=f"{number}：{str(form.get('label') or '已处理')}")


def _desk(**message) -> RedirectResponse:
    return RedirectResponse(f"/dispatch?{urlencode(message)}", status_code=303)
