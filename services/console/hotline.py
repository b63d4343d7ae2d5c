"""电话受理: a hotline agent records a call as a ticket, helped by suggestions and the caller's history."""

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.console.backend import Api, ApiError
from services.console.deps import FormDep, PersonDep, api_of
from services.console.pages import render
from services.console.session import Person
from services.core import vocabulary as words

router = APIRouter()
MAX_PHOTOS = 9
# intake's field paths → the form's field names (both addresses are called `address`).
FIELDS = {"contact.name": "name", "contact.phone": "phone", "contact.address": "contact_address",
          "location.region_code": "region_code", "location.town_code": "town_code",
          "location.address": "address", "title": "title", "content": "content",
          "category": "category", "type": "type", "urgency": "urgency", "body": "content"}
LABELS = {"phone": "来电号码", "name": "姓名", "contact_address": "联系地址", "region_code": "县（市）",
          "town_code": "乡镇（街道）", "address": "事发地址", "title": "标题", "content": "诉求内容",
          "category": "分类", "type": "诉求类型", "urgency": "紧急程度"}
SCOPE_NOTICE = ("本热线受理咨询、求助、投诉、举报、建议。紧急情况请引导来电人拨打 110（治安）、119（火警）、"
                "120（急救）、122（交通事故）；已进入诉讼、仲裁、纪检监察、行政复议、信访等法定途径的事项，"
                "涉及国家秘密、商业秘密、个人隐私的事项，不予受理。")


def _may_record(person: Person) -> None:
    if not person.is_agent:
        raise ApiError(403, {"detail": "电话受理仅限热线话务员使用"})


def _page(request: Request, person: Person, status: int = 200, **context):
    directory = request.app.state.directory
    region = person.principal.region if person.principal.region and not person.principal.region.endswith("00") else None
    values = context.pop("values", None) or {"region_code": region or "", "type": "complaint",
                                             "urgency": "normal"}
    return render(request, "hotline.html", status, values=values, errors=context.pop("errors", {}),
                  error=context.pop("error", None), key=context.pop("key", None) or uuid.uuid4().hex,
                  counties=directory.counties(person.principal.region), towns=directory.towns(),
                  categories=directory.category_choices(), types=list(words.TICKET_TYPES.items()),
                  scope_notice=SCOPE_NOTICE, labels=LABELS, **context)


@router.get("/intake/new")
async def new_call(request: Request, person: PersonDep):
    """The empty form, with a fresh idempotency key: a double click records one ticket."""
    _may_record(person)
    return _page(request, person)


@router.post("/intake/suggest")
async def suggest(request: Request, person: PersonDep, form: FormDep):
    """Categories for what the agent typed so far (htmx, debounced), with the unit each goes to."""
    text = f"{form.get('title') or ''} {form.get('content') or ''}".strip()
    if len(text) < 4:
        return render(request, "_suggestions.html", suggestions=[], knowledge=[])
    body = {"text": text[:2000], "top": 3}
    if region := str(form.get("region_code") or ""):
        body["region_code"] = region
    try:
        answer = await api_of(request).post("routing", "/v1/classify", json=body)
    except ApiError:
        answer = {"suggestions": []}
    return render(request, "_suggestions.html", suggestions=answer["suggestions"],
                  knowledge=answer.get("knowledge", []))


@router.get("/intake/history")
async def history(request: Request, person: PersonDep, phone: str = ""):
    """The caller's earlier tickets: a repeat call, or one already being handled."""
    phone = phone.strip()
    if len(phone) < 7:
        return render(request, "_history.html", tickets=[], phone=phone)
    try:
        page = await api_of(request).get("intake", "/v1/search/tickets",
                                         params={"phone": phone, "limit": 10})
    except ApiError:
        page = {"items": []}
    return render(request, "_history.html", tickets=page["items"], phone=phone)


def ticket_body(form) -> dict:
    """intake's TicketIn from the form (blank optional fields left out)."""
    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    location = {"region_code": text("region_code")}
    for name in ("town_code", "address"):
        if text(name):
            location[name] = text(name)
    contact = {"name": text("name") or "来电人"}
    if text("phone"):
        contact["phone"] = text("phone")
    if text("contact_address"):
        contact["address"] = text("contact_address")
    body = {"channel": "hotline", "type": text("type") or "complaint",
            "urgency": text("urgency") or "normal", "content": text("content"),
            "location": location, "contact": contact,
            "anonymous": form.get("anonymous") == "on", "public": form.get("public") == "on"}
    if text("title"):
        body["title"] = text("title")
    if text("category"):
        body["category"] = text("category")
    return body


async def _upload(api: Api, form, room: int) -> list[str]:
    ids = []
    for upload in [f for f in form.getlist("attachment") if getattr(f, "filename", None)][:room]:
        stored = await api.post("media", "/v1/media", files={
            "file": (upload.filename, await upload.read(), upload.content_type or "application/octet-stream")})
        ids.append(stored["id"])
    return ids


@router.post("/intake/new")
async def record(request: Request, person: PersonDep, form: FormDep):
    """Record the call; a refusal shows each message next to its field and keeps everything."""
    _may_record(person)
    api = api_of(request)
    key = str(form.get("idempotency_key") or uuid.uuid4().hex)[:200]
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    media_ids = [m for m in form.getlist("media_id") if isinstance(m, str) and m][:MAX_PHOTOS]
    try:
        media_ids += await _upload(api, form, MAX_PHOTOS - len(media_ids))
        created = await api.post("intake", "/v1/tickets", json={**ticket_body(form), "media_ids": media_ids},
                                 headers={"Idempotency-Key": key})
    except ApiError as refused:
        errors = {FIELDS.get(path, path.split(".")[-1]): message
                  for path, message in refused.field_errors(full_path=True).items()}
        return _page(request, person, 422, values=values, errors=errors, error=refused.message,
                     key=key, media_ids=media_ids)
    notice = f"已登记工单 {created['number']}，{created['status_label']}"
    return RedirectResponse(f"/tickets/{created['number']}?{urlencode({'notice': notice})}",
                            status_code=303)


