"""The channels beside the API: the SMS gateway's webhook, WeChat login, channel-key checks."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.core.auth import Principal, Role, require, unauthorized
from services.core.deps import SessionDep, SettingsDep
from services.core.problems import field_error
from services.intake import accounts, events, service, sms_channel
from services.intake.access import caller, readable
from services.intake.api import _token
from services.intake.models import tickets
from services.intake.public_schemas import AttachmentsIn, ChannelOut, InboundSms, WechatLoginIn
from services.intake.schemas import TicketDetail, TicketNumber, TokenOut
from services.intake.statuses import Status
from services.intake.timeline import record
from services.intake.views import detail_view

router = APIRouter(prefix="/v1")
MAX_ATTACHMENTS = 9
SIGNED_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": InboundSms.model_json_schema()}}}}


@router.post("/channels/sms/inbound", status_code=202, tags=["channels"], openapi_extra=SIGNED_BODY)
async def sms_inbound(request: Request, session: SessionDep,
                      x_signature: str | None = Header(None, description="hex HMAC-SHA256 of the body")):
    """One inbound SMS (or part of a long one) from the gateway, signed with the shared secret."""
    raw = await request.body()
    sms_channel.check_signature(raw, x_signature, request.app.state.intake_settings.sms_inbound_secret)
    try:
        message = InboundSms.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]) from None
    fresh = await sms_channel.receive(session, message)
    return JSONResponse({"received": True, "duplicate": not fresh}, status_code=202)


@router.post("/auth/wechat", response_model=TokenOut, tags=["auth"])
async def wechat_login(body: WechatLoginIn, session: SessionDep, settings: SettingsDep, request: Request):
    """Mini-program login: a wx.login code and a getPhoneNumber code for a citizen token."""
    wechat = request.app.state.wechat
    openid = await wechat.openid(body.code)
    phone = await wechat.phone(body.phone_code)
    if await accounts.openid_of(session, phone) != openid:  # notify re-addresses open tickets
        await request.app.state.outbox.stage(session, events.CitizenWechatBound(phone=phone, openid=openid))
    citizen = await accounts.citizen_id(session, phone, openid)
    return _token(Principal(str(citizen), Role.citizen, phone=phone), settings)


@router.get("/auth/channel", response_model=ChannelOut, tags=["auth"])
async def channel_key(request: Request, x_api_key: str | None = Header(None)):
    """Whose a channel API key is: for another service (media) checking a key it was given."""
    if not x_api_key:
        raise unauthorized("请提供渠道 X-Api-Key")
    principal = await caller(request)
    return {"subject": principal.subject, "role": principal.role.value}


@router.post("/tickets/{number}/attachments", response_model=TicketDetail, tags=["channels"])
async def attach(number: TicketNumber, body: AttachmentsIn, session: SessionDep, request: Request,
                 principal: Annotated[Principal, Depends(caller)]):
    """A channel back-end adds its uploads (a call recording, a relayed photo) to a ticket it submitted."""
    require(principal, Role.channel)
    ticket = readable(principal, await service.find(session, number, lock=True))
    new = [media_id for media_id in body.media_ids if media_id not in ticket["media_ids"]]
    if len(ticket["media_ids"]) + len(new) > MAX_ATTACHMENTS:
        raise field_error("media_ids", f"每个工单最多 {MAX_ATTACHMENTS} 个附件")
    await request.app.state.media.describe(new, principal)
    if new:
        await session.execute(tickets.update().where(tickets.c.id == ticket["id"]).values(
            media_ids=[*ticket["media_ids"], *new]))
        await record(session, ticket["id"], action="attach", status=Status(ticket["status"]),
                     actor=principal, text=f"受理渠道补充附件 {len(new)} 个")
        await request.app.state.outbox.stage(session, events.TicketMediaAttached(
            number=number, media_ids=new), ticket_id=ticket["id"])
    return await detail_view(session, await service.find(session, number), principal)
