"""Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms) over the RPC API with signature v1."""

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from services.notify.providers.base import (
    ErrorCodes,
    SendResult,
    SmsMessage,
    read_json,
    request,
)

DEFAULT_BASE_URL = "https://dysmsapi.aliyuncs.com"
API_VERSION = "2017-05-25"

ERROR_CODES = ErrorCodes(
    transient=frozenset(
        {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "ServiceUnavailable", "InternalError"}
    ),
    transient_prefixes=("Throttling",),
)


def percent_encode(value: str) -> str:
    """Alibaba's RFC 3986 encoding: UTF-8, only A-Z a-z 0-9 - _ . ~ left as they are."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    """Parameters sorted by name, each name and value percent-encoded."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(params: Mapping[str, str], method: str = "GET") -> str:
    """METHOD&%2F&encode(canonical query), the exact text that gets signed."""
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign_rpc(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """Base64 HMAC-SHA1 keyed with secret + '&' over the string to sign."""
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def aliyun_phone(phone: str) -> str:
    """Mainland numbers without +86; others as country code + number, no plus sign."""
    if phone.startswith("+86"):
        return phone[3:]
    return phone.removeprefix("+")


class AliyunSmsProvider:
    """Sends SMS through Alibaba Cloud; one request per message."""

    name = "aliyun"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        access_key_id: str,
        access_key_secret: str,
        base_url: str = DEFAULT_BASE_URL,
        region_id: str = "cn-hangzhou",
        template_codes: Mapping[str, str] | None = None,
    ) -> None:
        self._client = client
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._base_url = base_url.rstrip("/")
        self._region_id = region_id
        # Our template keys -> the SMS_xxxxxxxx codes approved in this account.
        self._template_codes = dict(template_codes or {})

    async def send(self, msg: SmsMessage) -> SendResult:
        """Call SendSms; BizId on success, else a transient or permanent error."""
        url = f"{self._base_url}/?{self._signed_query(msg)}"
        response = await request(self._client, self.name, "GET", url)
        body = read_json(self.name, response)
        code = body.get("Code", f"HTTP_{response.status_code}")
        if code == "OK":
            return SendResult(body.get("BizId"))
        raise ERROR_CODES.error(self.name, code, body.get("Message", ""))

    def _signed_query(self, msg: SmsMessage) -> str:
        params = self._params(msg)
        signature = sign_rpc(params, self._secret)
        return f"{canonical_query(params)}&Signature={percent_encode(signature)}"

    def _params(self, msg: SmsMessage) -> dict[str, str]:
        return {
            "AccessKeyId": self._key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self._region_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            "PhoneNumbers": aliyun_phone(msg.phone),
            "SignName": msg.sign_name,
            "TemplateCode": self._template_codes.get(msg.template_code, msg.template_code),
            "TemplateParam": json.dumps(dict(msg.params), ensure_ascii=False),
        }
