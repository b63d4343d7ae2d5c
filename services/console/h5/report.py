"""我要反映: the citizen's report, with pickers, photos, a map pin, the scope notice and nearby hints."""

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError
from services.console.h5 import media
from services.console.h5.deps import CitizenDep, FormDep, VisitorDep, api_of, public_api
from services.console.h5.pages import render
from services.console.h5.public import UNAVAILABLE, optional
from services.core import vocabulary as words

router = APIRouter()
# intake's field paths → the form's field names.
FIELDS = {"location.region_code": "region_code", "location.town_code": "town_code",
          "location.address": "address", "location.lat": "location", "location.lng": "location",
          "location": "location", "contact.name": "name", "title": "title", "content": "content",
          "category": "category", "type": "type", "media_ids": "photo", "body": "content"}
DEFAULT_SCOPE = ("本平台受理咨询、求助、投诉、举报、建议等非紧急、非诉讼类事项。紧急情况请拨打 110（报警）、"
                 "119（火警）、120（急救）；已进入诉讼、仲裁、行政复议、信访等法定途径的事项，涉及国家秘密、"
                 "商业秘密、个人隐私的事项不予受理。反映问题须实事求是，不得捏造、诬告。")


def _choices(config: dict | None) -> dict:
    """Types, categories, counties and towns for the pickers, from the public config."""
    config = config or {}
    types = [(t["code"], t["name"]) for t in config.get("request_types") or []] or list(words.TICKET_TYPES.items())
    categories = []
    for parent in config.get("categories") or []:
        categories.append((parent["code"], parent["name"]))
        categories += [(c["code"], f"{parent['name']} / {c['name']}") for c in parent.get("children") or []]
    acceptance = config.get("acceptance") or {}
    return {"types": types, "categories": categories, "counties": config.get("counties") or [],
            "scope": acceptance.get("notice") or DEFAULT_SCOPE,
            "emergencies": acceptance.get("emergencies") or []}


def _page(request: Request, status: int = 200, **context):
    values = context.pop("values", None) or {"type": "complaint", "public": "no"}
    return render(request, "report.html", status, values=values, errors=context.pop("errors", {}),
                  summary=context.pop("summary", None), key=context.pop("key", None) or uuid.uuid4().hex,
                  media_ids=context.pop("media_ids", []), unavailable=UNAVAILABLE,
                  map=_map_settings(request), **_choices(request.state.config), **context)


def _map_settings(request: Request) -> dict:
    settings = request.app.state.settings
    return {"tiles": settings.h5_tiles_url, "attribution": settings.h5_tiles_attribution,
            "lat": settings.h5_map_center[0], "lng": settings.h5_map_center[1]}


@router.get("/report")
async def new_report(request: Request, citizen: CitizenDep):
    """The empty form with a fresh idempotency key: a double tap sends one report."""
    return _page(request)


@router.get("/report/towns")
async def towns(request: Request, citizen: VisitorDep,
                region_code: Annotated[str, Query(max_length=12)] = ""):
    """The town picker for a county (htmx swaps it in when the county changes)."""
    return render(request, "_towns.html", counties=_choices(request.state.config)["counties"],
                  values={"region_code": region_code}, errors={})


@router.get("/report/nearby")
async def nearby(request: Request, citizen: VisitorDep,
                 lat: Annotated[float, Query(ge=-90, le=90)], lng: Annotated[float, Query(ge=-180, le=180)],
                 category: Annotated[str, Query(max_length=64)] = ""):
    """可能重复: open reports near the pin, so the citizen can see it is already being handled."""
    found = await optional(public_api(request), "routing", "/v1/public/nearby", lat=lat, lng=lng,
                           category=category, radius=500)
    return render(request, "_nearby.html", found=found)


def ticket_body(form, request: Request) -> dict:
    """intake's TicketIn from the form (blank optional fields left out)."""
    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    location: dict = {"region_code": text("region_code")}
    for name in ("town_code", "address"):
        if text(name):
            location[name] = text(name)
    if text("lat") and text("lng"):
        location["lat"], location["lng"] = _number(text("lat")), _number(text("lng"))
    agent = request.headers.get("user-agent", "")
    body = {"channel": "wechat" if "MicroMessenger" in agent else "web",
            "type": text("type") or "complaint", "content": text("content"),
            "location": location, "contact": {"name": text("name")},
            "anonymous": form.get("anonymous") == "on", "public": form.get("public") == "yes"}
    for name in ("title", "category"):
        if text(name):
            body[name] = text(name)
    return body


def _number(value: str):
    try:
        return float(value)
    except ValueError:
        return value  # intake names the field and says why


def _own_checks(form) -> dict[str, str]:
    """What the page checks itself before calling intake (intake checks everything again)."""
    errors = {}
    if not str(form.get("region_code") or ""):
        errors["region_code"] = "请选择反映事项所在的县（市）"
    if not str(form.get("name") or "").strip():
        errors["name"] = "请填写您的称呼"
    if len(str(form.get("title") or "").strip()) > 50:
        errors["title"] = "标题不能超过 50 个字"
    if form.get("scope_ok") != "on":
        errors["scope_ok"] = "请阅读受理范围并勾选确认"
    return errors


@router.post("/report")
async def submit(request: Request, citizen: CitizenDep, form: FormDep):
    """Send the report to intake; a refusal shows each message next to its field and keeps the rest."""
    api = api_of(request)
    key = str(form.get("idempotency_key") or uuid.uuid4().hex)[:200]
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    media_ids = [m for m in form.getlist("media_id") if isinstance(m, str) and m][:media.MAX_PHOTOS + 2]
    errors = _own_checks(form)
    if errors:
        return _page(request, 422, values=values, errors=errors, key=key, media_ids=media_ids,
                     summary="请按提示修改后再提交")
    try:
        media_ids += await media.store_form_files(api, form, len(media_ids))
        created = await api.post("intake", "/v1/tickets", json={**ticket_body(form, request), "media_ids": media_ids},
                                 headers={"Idempotency-Key": key})
    except ApiError as refused:
        errors = {FIELDS.get(path, path.split(".")[-1]): message
                  for path, message in refused.field_errors(full_path=True).items()}
        return _page(request, 422, values=values, errors=errors, summary=refused.message, key=key,
                     media_ids=media_ids)
    notice = f"提交成功！诉求编号 {created['number']}，可在“我的诉求”查看办理进度。"
    return RedirectResponse(f"/m/tickets/{created['number']}?{urlencode({'notice': notice})}", status_code=303)
