"""Open311 GeoReport v2 under /open311/v2/: every route in XML (`.xml`) and JSON (`.json`).

The rules live in open311_services.py, open311_requests.py and open311_submit.py; the
rendering and the error answers in open311_xml.py.
"""

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.routing import Route

from services.core.auth import Principal
from services.core.deps import SessionDep
from services.core.problems import Problem
from services.intake import idempotency, names, submission
from services.intake import open311_requests as requests
from services.intake import open311_services as services
from services.intake.access import channel_by_key
from services.intake.models import tickets
from services.intake.open311_submit import read_form, ticket_from_form
from services.intake.open311_xml import (
    CONTENT_TYPES,
    FORMATS,
    JSON,
    XML,
    Open311Error,
    answer,
    error_answer,
    response_format,
)

router = APIRouter(prefix="/open311/v2", tags=["open311"])
FormatDep = Annotated[str, Depends(response_format)]
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+08:00"
MAX_IDS = 1000
MAX_KEY = 200
REFUSALS = {400: {"description": "errors/error{code,description}：请求有误"},
            403: {"description": "api_key 缺失或无效"}, 404: {"description": "不存在"}}
Param = Annotated[str | None, Query()]
FORM_FIELDS = {
    "api_key": "渠道 API Key（必填）", "jurisdiction_id": "县（市）行政区划代码，如 532622（必填）",
    "service_code": "服务代码（必填）", "lat": "纬度（WGS84）", "long": "经度（WGS84）",
    "address_string": "地址", "address_id": "不支持", "email": "电子邮箱", "device_id": "设备号",
    "account_id": "账号", "first_name": "名", "last_name": "姓", "phone": "联系电话（必填）",
    "description": "诉求内容，最多 4000 字", "media_url": "图片链接",
}
POST_BODY = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["api_key", "jurisdiction_id", "service_code", "phone"],
    "properties": {name: {"type": "string", "description": text} for name, text in FORM_FIELDS.items()},
    "additionalProperties": {"type": "string", "description": "attribute[CODE]：服务定义中的属性取值"}}}}}}


def _paths(path: str) -> list[str]:
    return [f"{path}.{fmt}" for fmt in FORMATS]


def _checked(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if "\x00" in value or len(value) > 20_000:
        raise Open311Error(400, f"{field} 含空字符或过长")
    return value.strip()


def _listed(value: str | None, field: str) -> list[str]:
    text = _checked(value, field)
    return [item.strip() for item in text.split(",") if item.strip()] if text else []


async def _reader(request: Request, api_key: str | None) -> Principal | None:
    key = _checked(api_key, "api_key")
    if key is None:
        return None
    principal = await channel_by_key(request, key)
    if principal is None:
        raise Open311Error(403, "api_key 无效或已停用")
    return principal


def _jurisdiction(regions: frozenset[str] | dict, value: str | None) -> str | None:
    region = _checked(value, "jurisdiction_id")
    if region is not None and region not in regions:
        raise Open311Error(404, f"jurisdiction_id {region[:12]} 不是本平台服务的州、县（市）")
    return region


def _add(method: str, path: str, **kwargs):
    def register(endpoint):
        for full in _paths(path):
            success = {kwargs.get("status_code", 200): {"description": "Open311 的答复",
                                                        "content": {CONTENT_TYPES[full.rpartition(".")[2]]: {}}}}
            router.add_api_route(full, endpoint, methods=[method], name=f"{endpoint.__name__}{full[-5:]}",
                                 responses={**success, **REFUSALS}, response_class=Response, **kwargs)
        return endpoint
    return register


_FORWARDED_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:\d{1,5})?")
_FORWARDED_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]{1,64}){0,8}")


def public_base(request: Request) -> str:
    """This service's root as the client reached it: behind the gateway the host and port the
    client used (X-Forwarded-Host) and /api/intake (X-Forwarded-Prefix); a header that is not
    a plain host or path is ignored."""
    host = request.headers.get("x-forwarded-host", "")
    prefix = request.headers.get("x-forwarded-prefix", "")
    host = host if _FORWARDED_HOST.fullmatch(host) else request.url.netloc
    prefix = prefix if _FORWARDED_PREFIX.fullmatch(prefix) else ""
    return f"{request.url.scheme}://{host}{prefix}"


@_add("GET", "/discovery")
async def discovery(request: Request, fmt: FormatDep):
    """Service discovery: where this GeoReport v2 endpoint is and what it speaks."""
    base = public_base(request) + router.prefix
    return answer(fmt, "discovery", {
        "changeset": CHANGESET, "contact": "请联系当地 12345 政务服务便民热线",
        "key_service": "API Key 由平台管理员发放（python -m services.cli create-api-key）",
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}]})


@_add("GET", "/services")
async def service_list(session: SessionDep, fmt: FormatDep, jurisdiction_id: Param = None):
    """GET Service List: our categories, and 不清楚 for the classifier to decide."""
    places = await services.catalog(session)
    _jurisdiction(places.regions, jurisdiction_id)
    return answer(fmt, "services", places.services)


@_add("GET", "/services/{service_code}")
async def service_definition(service_code: str, session: SessionDep, fmt: FormatDep,
                             jurisdiction_id: Param = None):
    """GET Service Definition: the attributes a request of this service may answer."""
    places = await services.catalog(session)
    _jurisdiction(places.regions, jurisdiction_id)
    service = places.service(_checked(service_code, "service_code") or "")
    if service is None:
        raise Open311Error(404, f"service_code {service_code[:64]} 不存在")
    return answer(fmt, "service_definition", services.definition(places, service))


@_add("POST", "/requests", openapi_extra=POST_BODY, status_code=201)
async def create_request(request: Request, session: SessionDep, fmt: FormatDep,
                         idempotency_key: Annotated[str | None, Header()] = None):
    """POST Service Request: an ordinary ticket of the channel open311; `api_key` required."""
    try:
        form = await request.form()
    except HTTPException as error:  # a multipart body Starlette cannot read
        raise Open311Error(400, f"请求体无法解析（{error.detail}），请以 application/x-www-form-urlencoded 提交") from None
    fields, answers = read_form(list(form.multi_items()))
    principal = await _reader(request, fields.get("api_key"))
    if principal is None:
        raise Open311Error(403, "须提供 api_key（渠道密钥）才能提交诉求")
    body, extra = await ticket_from_form(session, fields, answers)
    if idempotency_key is not None and ("\x00" in idempotency_key or len(idempotency_key) > MAX_KEY):
        raise Open311Error(400, f"Idempotency-Key 不能超过 {MAX_KEY} 个字符")
    form_hash = idempotency.body_hash({"fields": fields, "attributes": answers})
    if idempotency_key:
        earlier = await _earlier(session, principal, idempotency_key, form_hash)
        if earlier is not None:
            return answer(fmt, "service_requests", [earlier], status=201)
    try:
        row = await submission.create_ticket(session, request.app.state.outbox, body, principal,
                                             prefix=request.app.state.settings.ticket_prefix,
                                             numbers=request.app.state.numbers, extra=extra)
    except Problem as refused:  # submission's own checks, in Open311's words
        raise Open311Error(404 if refused.status == 404 else 400, refused.detail or refused.title) from None
    created = {"service_request_id": row["number"], "service_notice": requests.SERVICE_NOTICE,
               "account_id": None}
    if idempotency_key:
        await idempotency.remember(session, principal.subject, idempotency_key, 201, created)
    return answer(fmt, "service_requests", [created], status=201)


async def _earlier(session, principal: Principal, key: str, form_hash: str) -> dict | None:
    try:
        earlier = await idempotency.claim(session, principal.subject, key, form_hash)
    except Problem as conflict:
        raise Open311Error(400, conflict.detail) from None
    return earlier["body"] if earlier else None


@_add("GET", "/requests")
async def request_list(request: Request, session: SessionDep, fmt: FormatDep,
                       service_request_id: Param = None, service_code: Param = None,
                       start_date: Param = None, end_date: Param = None, status: Param = None,
                       jurisdiction_id: Param = None, api_key: Param = None):
    """GET Service Requests: published ones (and the caller channel's own), 90 days at most."""
    reader = await _reader(request, api_key)
    known = await names.load(session)
    region = _jurisdiction(known.regions, jurisdiction_id)
    ids = _listed(service_request_id, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"service_request_id 一次最多 {MAX_IDS} 个")
    if ids:  # the spec: a list of ids overrides every other argument
        rows = await requests.by_numbers(session, ids, reader)
    else:
        statuses = _listed(status, "status")
        if unknown := set(statuses) - set(requests.OPEN311_STATUSES):
            raise Open311Error(400, f"status 只能是 open 或 closed，收到：{sorted(unknown)[0][:20]}")
        since, until = requests.window(_checked(start_date, "start_date"), _checked(end_date, "end_date"),
                                       requests.utc_now())
        rows = await requests.search(session, reader=reader, since=since, until=until, statuses=statuses,
                                     codes=_listed(service_code, "service_code"), region=region)
    return answer(fmt, "service_requests", [requests.request_view(row, known) for row in rows])


@_add("GET", "/requests/{service_request_id}")
async def request_one(service_request_id: str, request: Request, session: SessionDep, fmt: FormatDep,
                      jurisdiction_id: Param = None, api_key: Param = None):
    """GET Service Request: one published request (or the caller channel's own)."""
    reader = await _reader(request, api_key)
    known = await names.load(session)
    _jurisdiction(known.regions, jurisdiction_id)
    number = _checked(service_request_id, "service_request_id") or ""
    rows = await requests.by_numbers(session, [number], reader)
    if not rows:
        raise Open311Error(404, "该服务请求不存在或未公开")  # the same words, absent or private
    return answer(fmt, "service_requests", [requests.request_view(rows[0], known)])


@_add("GET", "/tokens/{token}")
async def token(token: str, session: SessionDep, fmt: FormatDep, jurisdiction_id: Param = None):
    """GET service_request_id from a token: a ticket's id (the `id` of /v1/tickets) as its token."""
    _jurisdiction((await services.catalog(session)).regions, jurisdiction_id)
    try:
        ticket_id = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, "token 不存在") from None
    number = await session.scalar(select(tickets.c.number).where(tickets.c.id == ticket_id))
    if number is None:
        raise Open311Error(404, "token 不存在")
    return answer(fmt, "service_requests", [{"service_request_id": number, "token": token}])


class Elsewhere:
    """Anything else under /open311/v2/, by any method: Open311's 404, or a 405 naming the
    resource's methods. An ASGI app rather than a function, so Starlette lets every method in."""

    async def __call__(self, scope, receive, send) -> None:
        path = scope["path"]
        allowed = sorted({method for route in router.routes if getattr(route, "methods", None)
                          and route.path_regex.match(path) for method in route.methods})
        if allowed:
            error = Open311Error(405, f"此资源只支持 {', '.join(allowed)}", headers={"Allow": ", ".join(allowed)})
        else:
            error = Open311Error(404, "没有这个 Open311 资源；支持的格式为 .xml 与 .json")
        await error_answer(JSON if path.endswith(".json") else XML, error)(scope, receive, send)


router.routes.append(Route(f"{router.prefix}/{{rest:path}}", Elsewhere(), include_in_schema=False))
