"""SMS and WeChat providers behind one small interface; pick one by name from settings."""

from typing import Any

import httpx

from services.notify.providers.aliyun import AliyunSmsProvider
from services.notify.providers.base import (
    PermanentProviderError,
    ProviderError,
    SendResult,
    SmsMessage,
    SmsProvider,
    TransientProviderError,
    WechatMessage,
    WechatProvider,
    default_http_client,
)
from services.notify.providers.console import ConsoleSmsProvider, ConsoleWechatProvider
from services.notify.providers.tencent import TencentSmsProvider
from services.notify.providers.wechat import WechatSubscribeProvider

__all__ = [
    "AliyunSmsProvider",
    "ConsoleSmsProvider",
    "ConsoleWechatProvider",
    "PermanentProviderError",
    "ProviderError",
    "SendResult",
    "SmsMessage",
    "SmsProvider",
    "TencentSmsProvider",
    "TransientProviderError",
    "WechatMessage",
    "WechatProvider",
    "WechatSubscribeProvider",
    "build_sms_provider",
    "build_wechat_provider",
    "default_http_client",
]

_SMS = {"aliyun": AliyunSmsProvider, "tencent": TencentSmsProvider}


def build_sms_provider(
    name: str, *, client: httpx.AsyncClient | None = None, **settings: Any
) -> SmsProvider:
    """console, aliyun or tencent; settings are the chosen provider's keyword arguments."""
    if name == "console":
        return ConsoleSmsProvider(**settings)
    if name not in _SMS:
        raise ValueError(f"unknown SMS provider {name!r}: expected console, aliyun or tencent")
    if client is None:
        raise ValueError(f"the {name} SMS provider needs a shared httpx.AsyncClient")
    return _SMS[name](client, **settings)


def build_wechat_provider(
    name: str, *, client: httpx.AsyncClient | None = None, **settings: Any
) -> WechatProvider:
    """console or wechat; settings are the chosen provider's keyword arguments."""
    if name == "console":
        return ConsoleWechatProvider(**settings)
    if name != "wechat":
        raise ValueError(f"unknown WeChat provider {name!r}: expected console or wechat")
    if client is None:
        raise ValueError("the wechat provider needs a shared httpx.AsyncClient")
    return WechatSubscribeProvider(client, **settings)
