"""工单详情/办理: every field, media, 流程跟踪, clocks, duplicates, and the actions allowed now."""

import asyncio
import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.action_forms import body_from, form_for, in_order
from services.console.backend import Api, ApiError
from services.console.deps import FormDep, PersonDep, api_of
from services.console.dispatch import CO_ROLES, dispatch_body, plain
from services.console.pages import go_to, is_htmx, render
from services.console.session import Person
from services.core.auth import Role

router = APIRouter()
NUMBER = re.compile(r"^[A-Za-z0-9]{1,32}$")  # as intake's TicketNumber
ROUTING_READERS = (Role.agent, Role.dispatcher, Role.supervisor, Role.admin)
MAX_EVIDENCE = 9


def _checked(number: str) -> str:
    if not NUMBER.match(number):
        raise ApiError(404, {})
    return number


async def _optional(call):
    """A side panel's data, or None when that service keeps it from this person."""
    try:
        return await call
    except ApiError:
        return None


async def _media(api: Api, ids: list[str]) -> dict[str, dict]:
    found = await asyncio.gather(*(_optional(api.get("media", f"/v1/media/{i}")) for i in ids))
    return {i: m for i, m in zip(ids, found, strict=True) if m}


async def _ticket_data(request: Request, person: Person, number: str) -> dict:
    api = api_of(request)
    record, actions = await asyncio.gather(
        api.get("intake", f"/v1/tickets/{number}/archive", params={"format": "json"}),
        api.get("intake", f"/v1/tickets/{number}/actions"))
    readers = person.role in ROUTING_READERS
    clocks, duplicates, assignments = await asyncio.gather(
        _optional(api.get("sla", f"/v1/tickets/{number}/sla")),
        _optional(api.get("routing", f"/v1/tickets/{number}/duplicates")) if readers else _none(),
        _optional(api.get("routing", f"/v1/tickets/{number}/assignments")) if readers else _none())
    directory = request.app.state.directory
    ids = [*record["ticket"]["media_ids"], *(m for r in record["reports"] for m in _ids(r))]
    return {"record": record, "ticket": record["ticket"], "actions": in_order(actions), "clocks": clocks,
            "duplicates": duplicates, "assignments": assignments or [],
            "media": await _media(api, list(dict.fromkeys(str(i) for i in ids))),
            "can_dispatch": person.is_center and record["ticket"]["status"] in DISPATCHABLE,
            "can_publish": can_publish(person, record["ticket"]),
            "dispatch_units": directory.handling_units(person.principal.region),
            "dispatch_categories": directory.category_choices(), "co_roles": CO_ROLES}


DISPATCHABLE = ("submitted", "accepted", "assigned", "in_progress")


def can_publish(person: Person, ticket: dict) -> bool:
    """The county's center (or an admin) may publish a closed ticket its citizen let go public."""
    return person.is_center and ticket["status"] == "closed" and bool(ticket.get("public"))


def _ids(report: dict) -> list[str]:
    return [e["media_id"] if isinstance(e, dict) else e for e in report.get("evidence") or []]


async def _none():
    return None


@router.get("/tickets/{number}")
async def ticket_page(request: Request, number: str, person: PersonDep, act: str | None = None):
    """The whole page; `?act=` opens one action's form (the page works before scripts load)."""
    data = await _ticket_data(request, person, _checked(number))
    opened = _open_form(data["actions"], act)
    return render(request, "ticket.html", **data, opened=opened, form_state=_blank(),
                  notice=request.query_params.get("notice"))


def _open_form(actions: list[dict], act: str | None) -> dict | None:
    for allowed in actions:
        if allowed["action"] == act:
            return {**allowed, "form": form_for(act)}
    return None


def _blank() -> dict:
    return {"values": {}, "errors": {}, "error": None, "media_ids": []}


@router.get("/tickets/{number}/act/{action}")
async def action_form(request: Request, number: str, action: str, person: PersonDep):
    """One action's form, for htmx to open in place."""
    actions = await api_of(request).get("intake", f"/v1/tickets/{_checked(number)}/actions")
    opened = _open_form(actions, action)
    if opened is None:
        return render(request, "_refused.html", message="此操作当前不可用，请刷新页面。")
    return render(request, "_action_form.html", number=number, opened=opened, form_state=_blank())


@router.post("/tickets/{number}/act/{action}")
async def act(request: Request, number: str, action: str, person: PersonDep, form: FormDep):
    """Upload the evidence, then ask intake to do the action; a refusal keeps what was typed."""
    _checked(number)
    api = api_of(request)
    kept = [m for m in form.getlist("media_id") if isinstance(m, str) and m][:MAX_EVIDENCE]
    state = {"values": {k: v for k, v in form.items() if isinstance(v, str)}, "errors": {},
             "error": None, "media_ids": kept}
    try:
        state["media_ids"] = kept + await _upload(api, form, MAX_EVIDENCE - len(kept))
        await api.post("intake", f"/v1/tickets/{number}/actions/{action}",
                       json=body_from(action, form, state["media_ids"]))
    except ApiError as refused:
        if refused.status == 404:
            raise
        state["error"], state["errors"] = refused.message, refused.field_errors()
        return await _refused(request, person, number, action, state)
    label = _label(form)
    return done(request, number, f"「{label}」已完成" if label else "操作已完成")


def _label(form) -> str:
    return str(form.get("label") or "")


async def _upload(api: Api, form, room: int) -> list[str]:
    files = [f for f in form.getlist("evidence") if getattr(f, "filename", None)][:max(room, 0)]
    ids = []
    for upload in files:
        content = await upload.read()
        stored = await api.post("media", "/v1/media", files={
            "file": (upload.filename, content, upload.content_type or "application/octet-stream")})
        ids.append(stored["id"])
    return ids


async def _refused(request: Request, person: Person, number: str, action: str, state: dict):
    actions = await api_of(request).get("intake", f"/v1/tickets/{number}/actions")
    opened = _open_form(actions, action) or {"action": action, "label": _label(state["values"]),
                                              "form": form_for(action), "gone": True}
    if is_htmx(request):
        return render(request, "_action_form.html", 422, number=number, opened=opened,
                      form_state=state)
    data = await _ticket_data(request, person, number)
    return render(request, "ticket.html", 422, **data, opened=opened, form_state=state, notice=None)


def done(request: Request, number: str, notice: str) -> Response:
    """Back to the ticket's page, saying what was done."""
    return go_to(request, f"/tickets/{number}?{urlencode({'notice': notice})}")


@router.post("/tickets/{number}/dispatch")
async def dispatch(request: Request, number: str, person: PersonDep, form: FormDep):
    """派单 from the ticket page: a lead unit and any 责任 / 配合 units."""
    _checked(number)
    try:
        await api_of(request).post("routing", f"/v1/tickets/{number}/dispatch",
                                   json=dispatch_body(form))
    except ApiError as refused:
        if refused.status == 404:
            raise
        data = await _ticket_data(request, person, number)
        return render(request, "ticket.html", 422, **data, opened=None, form_state=_blank(),
                      dispatch_error=plain(refused), notice=None)
    return done(request, number, "已派单")


@router.get("/tickets/{number}/archive")
async def archive(request: Request, number: str, person: PersonDep):
    """一人一诉一档, printable: intake's page, with this person's rights."""
    response = await api_of(request).call("intake", "GET", f"/v1/tickets/{_checked(number)}/archive",
                                          params={"format": "html"})
    if response.status_code >= 400:
        raise ApiError(response.status_code, {})
    return HTMLResponse(response.text)
