"""Tencent Cloud SMS (API 2021-01-11, SendSms) signed with TC3-HMAC-SHA256."""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx

from services.notify.providers.base import (
    Clock,
    ErrorCodes,
    SendResult,
    SmsMessage,
    read_json,
    request,
)

DEFAULT_BASE_URL = "https://sms.tencentcloudapi.com"
API_VERSION = "2021-01-11"
SERVICE = "sms"
CONTENT_TYPE = "application/json; charset=utf-8"
ALGORITHM = "TC3-HMAC-SHA256"
SIGNED_HEADERS = "content-type;host"

ERROR_CODES = ErrorCodes(
    transient_prefixes=("LimitExceeded", "InternalError", "RequestLimitExceeded"),
    # Reported as internal errors, but they mean our request is malformed.
    permanent=frozenset(
        {
            "InternalError.SigVerificationFail",
            "InternalError.SigFieldMissing",
            "InternalError.RestApiInterfaceNotExist",
        }
    ),
)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def credential_date(timestamp: int) -> str:
    """The UTC date of the timestamp; a local date breaks signing around midnight."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def canonical_request(host: str, payload: bytes, content_type: str = CONTENT_TYPE) -> str:
    """POST / with no query, signing content-type and host, and the payload's hash."""
    headers = f"content-type:{content_type.lower()}\nhost:{host.lower()}\n"
    return f"POST\n/\n\n{headers}\n{SIGNED_HEADERS}\n{_sha256_hex(payload)}"


def tc3_signature(
    secret_key: str,
    *,
    service: str,
    host: str,
    payload: bytes,
    timestamp: int,
    content_type: str = CONTENT_TYPE,
) -> str:
    """Hex HMAC-SHA256 signature with the key derived from date, service and tc3_request."""
    date = credential_date(timestamp)
    scope = f"{date}/{service}/tc3_request"
    hashed = _sha256_hex(canonical_request(host, payload, content_type).encode())
    text = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashed}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def authorization(
    secret_id: str,
    secret_key: str,
    *,
    host: str,
    payload: bytes,
    timestamp: int,
    service: str = SERVICE,
) -> str:
    """The Authorization header value for one request."""
    signature = tc3_signature(
        secret_key, service=service, host=host, payload=payload, timestamp=timestamp
    )
    scope = f"{credential_date(timestamp)}/{service}/tc3_request"
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, "
        f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
    )


def e164(phone: str) -> str:
    """+86 in front of a bare mainland number; numbers with a country code stay as given."""
    if phone.startswith("+"):
        return phone
    return f"+86{phone.removeprefix('86') if len(phone) == 13 else phone}"


class TencentSmsProvider:
    """Sends SMS through Tencent Cloud; one request per message."""

    name = "tencent"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        region: str = "ap-guangzhou",
        base_url: str = DEFAULT_BASE_URL,
        template_ids: Mapping[str, str] | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._client = client
        self._secret_id = secret_id
        self._secret_key = secret_key
        self._sdk_app_id = sdk_app_id
        self._region = region
        self._base_url = base_url.rstrip("/")
        url = httpx.URL(self._base_url)
        self._host = url.host if url.port is None else f"{url.host}:{url.port}"
        # Our template keys -> the numeric template ids approved in this account.
        self._template_ids = dict(template_ids or {})
        self._clock = clock

    async def send(self, msg: SmsMessage) -> SendResult:
        """Call SendSms; SerialNo on success, else a transient or permanent error."""
        payload = json.dumps(self._body(msg), ensure_ascii=False).encode()
        response = await request(
            self._client,
            self.name,
            "POST",
            f"{self._base_url}/",
            content=payload,
            headers=self._headers(payload),
        )
        return self._result(read_json(self.name, response).get("Response", {}))

    def _body(self, msg: SmsMessage) -> dict:
        # Tencent templates use positional {1}, {2}...: params are sent in their dict order.
        return {
            "PhoneNumberSet": [e164(msg.phone)],
            "SmsSdkAppId": self._sdk_app_id,
            "SignName": msg.sign_name,
            "TemplateId": self._template_ids.get(msg.template_code, msg.template_code),
            "TemplateParamSet": [str(v) for v in msg.params.values()],
        }

    def _headers(self, payload: bytes) -> dict[str, str]:
        timestamp = int(self._clock())
        return {
            "Authorization": authorization(
                self._secret_id,
                self._secret_key,
                host=self._host,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": self._host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self._region,
        }

    def _result(self, response: dict) -> SendResult:
        error = response.get("Error")
        if error:
            raise ERROR_CODES.error(self.name, error.get("Code", ""), error.get("Message", ""))
        statuses = response.get("SendStatusSet") or [{}]
        status = statuses[0]
        if status.get("Code") == "Ok":
            return SendResult(status.get("SerialNo"))
        raise ERROR_CODES.error(
            self.name, status.get("Code", "MissingSendStatus"), status.get("Message", "")
        )
