"""Notify's HTTP routes: message log, templates, provider receipts. The rules live elsewhere."""

import hmac
import uuid
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from services.core.auth import Principal, Role, require
from services.core.deps import CallerDep, SessionDep
from services.core.logging import mask
from services.core.problems import Problem, field_error
from services.notify import messages as store
from services.notify import receipts, template_store
from services.notify.context import SAMPLE
from services.notify.messages import masked
from services.notify.schemas import MessageOut, Status, TemplateIn, TemplateOut
from services.notify.templates import (
    DEFAULT_TEMPLATES,
    SmsTemplate,
    WechatTemplate,
    render_sms,
    render_wechat,
    sms_segments,
)

router = APIRouter(prefix="/v1")
READERS = (Role.admin, Role.dispatcher, Role.supervisor)
Provider = Literal["aliyun", "tencent", "wechat"]


@router.get("/messages", response_model=list[MessageOut], tags=["messages"])
async def list_messages(
    session: SessionDep,
    principal: CallerDep,
    ticket: Annotated[str | None, Query(max_length=32, pattern=r"^[0-9A-Za-z-]+$")] = None,
    phone: Annotated[str | None, Query(pattern=r"^\+?\d{5,15}$")] = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
):
    """Messages of a ticket or phone, or in a status (`failed` is what needs a person)."""
    require(principal, *READERS)
    region = _jurisdiction(principal)
    rows = await store.search(
        session,
        ticket=ticket,
        phone=phone,
        status=status,
        region=region,
        limit=limit,
        offset=offset,
    )
    return [_message_view(row, principal) for row in rows]


def _jurisdiction(principal: Principal) -> str | None:
    """The region prefix whose messages the caller may see (None: all, for admins)."""
    region = None if principal.role is Role.admin else (principal.region or "").rstrip("0")
    if region == "":
        raise Problem(403, "无权操作", "账号未配置所属区域")
    return region


def _message_view(row, principal: Principal) -> dict:
    view = dict(row, segments=sms_segments(row["text"]) if row["channel"] == "sms" else None)
    if principal.role is not Role.admin:
        view["recipient"] = masked(row["channel"], row["recipient"])
        view["text"] = mask(row["text"])
    return view


@router.post("/messages/{message_id}/retry", response_model=MessageOut, tags=["messages"])
async def retry(message_id: uuid.UUID, session: SessionDep, principal: CallerDep):
    """Send a failed message again (after its number or template was fixed)."""
    require(principal, Role.admin, Role.dispatcher)
    row = await store.requeue(session, message_id, region=_jurisdiction(principal))
    if row is None:  # another county's message is as unknown as one that never was
        raise Problem(404, "未找到", "消息不存在或不是发送失败状态")
    return _message_view(row, principal)


@router.get("/templates", response_model=list[TemplateOut], tags=["templates"])
async def list_templates(session: SessionDep, principal: CallerDep):
    """Every template in force: the shipped defaults with administrators' edits applied."""
    require(principal, Role.admin)
    edited = await template_store.overrides(session)
    return [_template_view(key, edited.get(key)) for key in sorted(DEFAULT_TEMPLATES)]


@router.get(
    "/templates/{kind}/{audience}/{channel}", response_model=TemplateOut, tags=["templates"]
)
async def get_template(
    kind: str, audience: str, channel: str, session: SessionDep, principal: CallerDep
):
    """One template in force."""
    require(principal, Role.admin)
    key = _known((kind, audience, channel))
    return _template_view(key, (await template_store.overrides(session)).get(key))


@router.put(
    "/templates/{kind}/{audience}/{channel}", response_model=TemplateOut, tags=["templates"]
)
async def put_template(
    kind: str,
    audience: str,
    channel: str,
    body: TemplateIn,
    session: SessionDep,
    principal: CallerDep,
):
    """Replace a template; it is checked against the variables events fill in."""
    require(principal, Role.admin)
    key = _known((kind, audience, channel))
    await template_store.save(session, key, _template(channel, body), by=principal.subject)
    return _template_view(key, (await template_store.overrides(session)).get(key))


@router.delete(
    "/templates/{kind}/{audience}/{channel}", response_model=TemplateOut, tags=["templates"]
)
async def reset_template(
    kind: str, audience: str, channel: str, session: SessionDep, principal: CallerDep
):
    """Go back to the shipped default."""
    require(principal, Role.admin)
    key = _known((kind, audience, channel))
    await template_store.reset(session, key)
    return _template_view(key, None)


def _known(key: tuple[str, str, str]) -> tuple[str, str, str]:
    if key not in DEFAULT_TEMPLATES:
        raise Problem(404, "未找到", f"没有 {'/'.join(key)} 这个模板")
    return key


def _template(channel: str, body: TemplateIn) -> SmsTemplate | WechatTemplate:
    needed = ("code", "body", "params") if channel == "sms" else ("template_id", "page", "data")
    for name in needed:
        if getattr(body, name) is None:
            raise field_error(name, "必填项")
    if channel == "wechat":
        return WechatTemplate(body.template_id, body.page, body.data)
    try:
        return SmsTemplate(body.code, body.body, body.params)
    except ValueError:
        raise field_error("params", "须与正文中的 ${…} 占位符一一对应") from None


def _template_view(key, edited: dict | None) -> dict:
    template = (
        template_store.from_body(key[2], edited["body"]) if edited else DEFAULT_TEMPLATES[key]
    )
    if isinstance(template, SmsTemplate):
        sms = render_sms(template, SAMPLE)
        preview = {"text": sms.text, "params": sms.params, "segments": sms.segments}
    else:
        wechat = render_wechat(template, SAMPLE)
        preview = {"data": wechat.data, "page": wechat.page}
    return {
        "kind": key[0],
        "audience": key[1],
        "channel": key[2],
        "source": "custom" if edited else "default",
        "template": template_store.to_body(template),
        "preview": preview,
        "updated_by": (edited or {}).get("updated_by"),
        "updated_at": (edited or {}).get("updated_at"),
    }


@router.post("/callbacks/{provider}", tags=["callbacks"])
async def callback(provider: Provider, request: Request, session: SessionDep):
    """Delivery receipts pushed by a provider: each message becomes delivered or failed."""
    _verify(provider, request)
    try:
        body = orjson.loads(await request.body())
        found = receipts.parse(provider, body)
    except (orjson.JSONDecodeError, receipts.BadReceipt) as exc:
        raise field_error("body", f"不是有效的回执：{exc}") from None
    settings, now = request.app.state.notify_settings, request.app.state.sender.clock()
    for receipt in found:
        await receipts.apply(
            session, request.app.state.outbox, receipt, now=now, sign_name=settings.sms_sign_name
        )
    answer = receipts.ANSWERS[provider]
    return PlainTextResponse(answer) if isinstance(answer, str) else JSONResponse(answer)


@router.get("/callbacks/wechat", tags=["callbacks"])
async def wechat_check(request: Request, echostr: str = ""):
    """WeChat's check of the push URL: echo back when the signature is right."""
    _verify("wechat", request)
    return PlainTextResponse(echostr)


def _verify(provider: str, request: Request) -> None:
    settings, query = request.app.state.notify_settings, request.query_params
    if provider == "wechat":
        ok = receipts.signed_by_wechat(
            settings.wechat_callback_token,
            query.get("signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
        )
    else:
        expected = settings.notify_callback_token
        ok = not expected or hmac.compare_digest(query.get("token", ""), expected)
    if not ok:
        raise Problem(401, "回执验证失败", "签名或令牌不正确")
