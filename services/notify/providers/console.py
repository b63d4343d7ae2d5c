"""Providers for development: messages go to the log instead of a phone."""

import re
import uuid

import structlog

from services.notify.providers.base import SendResult, SmsMessage, WechatMessage

_MOBILE = re.compile(r"^(\+?86)?(1\d{2})\d{4}(\d{4})$")


def mask_phone(phone: str) -> str:
    """138****1234 for a mainland mobile; anything else keeps only its last 4 characters."""
    match = _MOBILE.match(phone)
    if match:
        return f"{match[2]}****{match[3]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


class ConsoleSmsProvider:
    """Logs each SMS (phone masked) and pretends it was sent."""

    name = "console"

    def __init__(self, logger: structlog.typing.FilteringBoundLogger | None = None) -> None:
        self._log = logger or structlog.get_logger("notify.sms.console")

    async def send(self, msg: SmsMessage) -> SendResult:
        """Log the message; the returned id is unique like a provider's."""
        message_id = f"console-{uuid.uuid4().hex}"
        self._log.info(
            "sms.console",
            phone=mask_phone(msg.phone),
            sign_name=msg.sign_name,
            template_code=msg.template_code,
            params=dict(msg.params),
            text=msg.text,
            provider_message_id=message_id,
        )
        return SendResult(message_id)


class ConsoleWechatProvider:
    """Logs each subscribe message and pretends it was sent."""

    name = "console"

    def __init__(self, logger: structlog.typing.FilteringBoundLogger | None = None) -> None:
        self._log = logger or structlog.get_logger("notify.wechat.console")

    async def send(self, msg: WechatMessage) -> SendResult:
        """Log the message; the returned id is unique like WeChat's msgid."""
        message_id = f"console-{uuid.uuid4().hex}"
        self._log.info(
            "wechat.console",
            openid=msg.openid,
            template_id=msg.template_id,
            page=msg.page,
            data=dict(msg.data),
            provider_message_id=message_id,
        )
        return SendResult(message_id)
