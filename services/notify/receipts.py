"""Delivery receipts: what Aliyun, Tencent and WeChat report after a message left us.

Aliyun (SmsReport, HTTP batch push) and Tencent (短信下发状态回调) post JSON arrays;
WeChat posts `subscribe_msg_sent_event` to the mini-program's message push URL.
"""

import hashlib
import hmac
from dataclasses import astuple, dataclass

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.outbox import Outbox
from services.notify import messages as store
from services.notify.events import NotifyFailed
from services.notify.models import messages

log = structlog.get_logger()
PROVIDERS = ("aliyun", "tencent", "wechat")
# What each provider expects back when it may stop retrying the push.
ANSWERS = {
    "aliyun": {"code": 0, "msg": "接收成功"},
    "tencent": {"result": 0, "errmsg": "OK"},
    "wechat": "success",
}


@dataclass(frozen=True)
class Receipt:
    """One message's fate as its provider reports it."""

    provider: str
    provider_message_id: str
    delivered: bool
    code: str
    text: str = ""
    to: str | None = None  # as the provider wrote it: possibly masked (138****1234)


class BadReceipt(ValueError):
    """The body is not a receipt of that provider."""


def parse(provider: str, body) -> list[Receipt]:
    """The receipts in one push; BadReceipt when its shape is wrong."""
    found = _parse(provider, body)
    if any("\x00" in value for receipt in found for value in astuple(receipt) if isinstance(value, str)):
        raise BadReceipt("含有空字符（\\u0000）")
    return found


def _parse(provider: str, body) -> list[Receipt]:
    try:
        if provider == "wechat":
            return _wechat(body)
        if not isinstance(body, list):
            raise BadReceipt("应为回执数组")
        return [_aliyun(item) if provider == "aliyun" else _tencent(item) for item in body]
    except (KeyError, TypeError, AttributeError) as exc:
        raise BadReceipt(f"缺少字段 {exc}") from None


def _aliyun(item: dict) -> Receipt:
    return Receipt(
        "aliyun",
        str(item["biz_id"]),
        item["success"] is True,
        str(item.get("err_code") or ""),
        str(item.get("err_msg") or ""),
        item.get("phone_number"),
    )


def _tencent(item: dict) -> Receipt:
    return Receipt(
        "tencent",
        str(item["sid"]),
        item["report_status"] == "SUCCESS",
        str(item.get("errmsg") or ""),
        str(item.get("description") or ""),
        item.get("mobile"),
    )


def _wechat(body: dict) -> list[Receipt]:
    if body.get("Event") != "subscribe_msg_sent_event":
        return []  # other pushes (popup, change) are not about a message we sent
    items = body["List"] if isinstance(body["List"], list) else [body["List"]]
    return [
        Receipt(
            "wechat",
            str(i["MsgID"]),
            str(i.get("ErrorCode", "0")) == "0",
            str(i.get("ErrorCode", "")),
            str(i.get("ErrorStatus") or ""),
            body.get("FromUserName"),
        )
        for i in items
    ]


def wechat_signature(token: str, timestamp: str, nonce: str) -> str:
    """The SHA-1 WeChat puts on each push: over token, timestamp and nonce, sorted."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def signed_by_wechat(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    return bool(token) and hmac.compare_digest(wechat_signature(token, timestamp, nonce), signature)


def same_recipient(recipient: str, reported: str | None) -> bool:
    """The reported number matches ours, reading * as any digit and ignoring +86."""
    if not reported:
        return True
    ours, theirs = _national(recipient), _national(reported)
    return len(ours) == len(theirs) and all(
        t in ("*", o) for o, t in zip(ours, theirs, strict=True)
    )


def _national(number: str) -> str:
    number = number.removeprefix("+")
    return number[2:] if number.startswith("86") and len(number) == 13 else number


async def apply(
    session: AsyncSession, outbox: Outbox, receipt: Receipt, *, now, sign_name: str
) -> bool:
    """Record one receipt on its message; False when it names no message of ours."""
    row = (
        await session.execute(
            select(messages)
            .where(
                messages.c.provider == receipt.provider,
                messages.c.provider_message_id == receipt.provider_message_id,
            )
            .with_for_update()
        )
    ).first()
    if row is None or not same_recipient(
        row.recipient, receipt.to if row.channel == "sms" else None
    ):
        log.warning(
            "notify.receipt_unmatched", provider=receipt.provider, id=receipt.provider_message_id
        )
        return False
    if row.status != "sent":
        return True  # a repeated push, or a late one after the outcome is known
    if receipt.delivered:
        await _set(session, row.id, status="delivered", delivered_at=now)
    elif row.channel == "wechat" and await store.add_fallback(session, row, sign_name=sign_name):
        await _set(
            session, row.id, status="fallback", error_code=receipt.code[:64], error_text=receipt.text
        )
    else:
        await _set(
            session, row.id, status="failed", error_code=receipt.code[:64], error_text=receipt.text
        )
        failed = NotifyFailed(
            **store.event_data(row), error_code=receipt.code, error=receipt.text[:200]
        )
        await outbox.stage(session, failed, ticket_id=row.ticket_id)
    return True


async def _set(session: AsyncSession, message_id, **values) -> None:
    await session.execute(update(messages).where(messages.c.id == message_id).values(**values))
