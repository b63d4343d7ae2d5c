"""The provider side of Aliyun SMS, Tencent SMS and WeChat, as the fake server needs it.

Stateless checks (signature, phone, field limits) and the providers' response shapes;
fake_providers.py keeps the state and serves them over HTTP.
"""

import json
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response

from services.notify.providers import aliyun, tencent

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_OPENID = re.compile(r"^o[\w-]{20,40}$")
_TC3_AUTHORIZATION = re.compile(
    r"TC3-HMAC-SHA256 Credential=([^/]+)/([^/]+)/(\w+)/tc3_request, "
    r"SignedHeaders=([\w;-]+), Signature=(\w+)$"
)
# Subscribe-message value limits by key type (thing1 -> thing), in characters.
WECHAT_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "number": 32}
ALIYUN_PARAM_LIMIT = 20
_ALIYUN_STATUS = {
    "SignatureDoesNotMatch": 400,
    "SignatureNonceUsed": 400,
    "InvalidAccessKeyId.NotFound": 404,
    "Throttling.User": 400,
    "ServiceUnavailable": 503,
}
# Tencent reports these per phone number inside SendStatusSet, not as a request Error.
_TENCENT_PER_NUMBER = (
    "LimitExceeded.",
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberInBlacklist",
)


def aliyun_refusal(params: Mapping[str, str], *, key_id: str, secret: str) -> str | None:
    """The error code Aliyun gives a request it cannot authenticate or route, if any."""
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    if params.get("AccessKeyId") != key_id:
        return "InvalidAccessKeyId.NotFound"
    if params.get("Signature") != aliyun.sign_rpc(unsigned, secret):
        return "SignatureDoesNotMatch"
    if params.get("Action") != "SendSms" or params.get("Version") != aliyun.API_VERSION:
        return "InvalidAction.NotFound"
    return None


def aliyun_invalid_message(params: Mapping[str, str]) -> str | None:
    """The isv.* code for a bad phone number or template parameter, if any."""
    if not _MOBILE.match(params.get("PhoneNumbers", "")):
        return "isv.MOBILE_NUMBER_ILLEGAL"
    try:
        values = json.loads(params.get("TemplateParam", "{}"))
    except ValueError:
        return "isv.INVALID_JSON_PARAM"
    if any(len(str(v)) > ALIYUN_PARAM_LIMIT for v in values.values()):
        return "isv.PARAM_LENGTH_LIMIT"
    return None


def tencent_refusal(
    headers: Mapping[str, str], payload: bytes, *, secret_id: str, secret_key: str
) -> str | None:
    """The AuthFailure.* (or routing) code for a request Tencent would refuse, if any."""
    match = _TC3_AUTHORIZATION.match(headers.get("authorization", ""))
    timestamp = int(headers.get("x-tc-timestamp", "0"))
    if not match or match[4] != tencent.SIGNED_HEADERS:
        return "AuthFailure.InvalidAuthorization"
    if match[1] != secret_id:
        return "AuthFailure.SecretIdNotFound"
    if abs(time.time() - timestamp) > 300:
        return "AuthFailure.SignatureExpire"
    expected = tencent.tc3_signature(
        secret_key,
        service=match[3],
        host=headers.get("host", ""),
        payload=payload,
        timestamp=timestamp,
        content_type=headers.get("content-type", ""),
    )
    if match[5] != expected or match[2] != tencent.credential_date(timestamp):
        return "AuthFailure.SignatureFailure"
    if headers.get("x-tc-action") != "SendSms":
        return "InvalidAction"
    return None if headers.get("x-tc-version") == tencent.API_VERSION else "NoSuchVersion"


def tencent_phone_ok(phone: str) -> bool:
    """A mainland mobile in E.164 form."""
    return phone.startswith("+86") and bool(_MOBILE.match(phone[3:]))


def wechat_invalid_message(touser: str, values: Mapping[str, str]) -> Response | None:
    """WeChat's answer to a bad openid or an over-long data value, if any."""
    if not _OPENID.match(touser):
        return wechat_error(40003, "invalid openid")
    for key, value in values.items():
        limit = WECHAT_LIMITS.get(key.rstrip("0123456789"))
        if limit is not None and len(value) > limit:
            return wechat_error(47003, f"argument invalid! data.{key}.value too long")
    return None


def http_error(kind: str, status: int | None) -> Response | None:
    """A bare gateway error for scripted HTTP failures and released hangs."""
    if kind == "hang":
        return PlainTextResponse("gateway timeout", status_code=504)
    if kind == "http":
        return PlainTextResponse("<html>upstream error</html>", status_code=status)
    return None


def aliyun_error(code: str) -> Response:
    """An Aliyun error body with the HTTP status Aliyun uses for that code."""
    body = {"Code": code, "Message": f"fake {code}", "RequestId": str(uuid.uuid4())}
    return JSONResponse(body, status_code=_ALIYUN_STATUS.get(code, 200))


def aliyun_ok(biz_id: str) -> Response:
    """SendSms accepted."""
    return JSONResponse(
        {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": str(uuid.uuid4())}
    )


def tencent_error(code: str) -> Response:
    """A request-level Tencent error (always HTTP 200)."""
    error = {"Code": code, "Message": f"fake {code}"}
    return JSONResponse({"Response": {"Error": error, "RequestId": str(uuid.uuid4())}})


def tencent_status(phone: str, code: str, serial: str = "") -> Response:
    """A SendStatusSet answer for one number: Ok with a serial, or a per-number error."""
    status = {
        "SerialNo": serial,
        "PhoneNumber": phone,
        "Fee": 1 if serial else 0,
        "SessionContext": "",
        "Code": code,
        "Message": "send success" if serial else f"fake {code}",
        "IsoCode": "CN",
    }
    return JSONResponse({"Response": {"SendStatusSet": [status], "RequestId": str(uuid.uuid4())}})


def tencent_failure(code: str, phone: str) -> Response:
    """A scripted Tencent failure, placed where Tencent reports that code."""
    if code.startswith(_TENCENT_PER_NUMBER):
        return tencent_status(phone, code)
    return tencent_error(code)


def wechat_error(code: int, message: str) -> Response:
    """A WeChat errcode answer (always HTTP 200)."""
    return JSONResponse({"errcode": code, "errmsg": message})


def receipt(provider: str, to: str, message_id: str, delivered: bool, *, appid: str,
            template: str) -> Any:
    """A delivery receipt push in the provider's format (Aliyun SmsReport, Tencent callback,
    WeChat subscribe_msg_sent_event in JSON mode)."""
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    if provider == "aliyun":
        return [{"phone_number": to, "send_time": now, "report_time": now, "success": delivered,
                 "err_code": "DELIVERED" if delivered else "MK:0012",
                 "err_msg": "用户接收成功" if delivered else "空号", "sms_size": "1",
                 "biz_id": message_id, "out_id": ""}]
    if provider == "tencent":
        return [{"user_receive_time": now, "nationcode": "86", "mobile": to.removeprefix("+86"),
                 "report_status": "SUCCESS" if delivered else "FAIL",
                 "errmsg": "DELIVRD" if delivered else "MI:0013",
                 "description": "用户短信送达成功" if delivered else "用户停机", "sid": message_id}]
    return {"ToUserName": f"gh_{appid}", "FromUserName": to, "CreateTime": int(time.time()),
            "MsgType": "event", "Event": "subscribe_msg_sent_event",
            "List": {"TemplateId": template, "MsgID": message_id,
                     "ErrorCode": 0 if delivered else 43101,
                     "ErrorStatus": "success" if delivered else "fail:user refuse to accept"}}
