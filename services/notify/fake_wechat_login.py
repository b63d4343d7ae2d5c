"""The WeChat login side of the fake server: jscode2session and getuserphonenumber.

Codes are single-use and made by the test (`login_code`, `phone_code`), as wx.login and the
getPhoneNumber button make them on a phone; errors are WeChat's (40029 invalid code, 40163
code been used, 40001/42001 for a bad access token).
"""

import time
import uuid
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.notify.fake_protocols import wechat_error


class WechatLoginCodes:
    """The codes the fake accepts, and the openid or phone each stands for."""

    def __init__(self, appid: str, secret: str, token_state: Callable[[str], str]) -> None:
        self.appid, self.secret, self._token_state = appid, secret, token_state
        self._logins: dict[str, str] = {}
        self._phones: dict[str, str] = {}
        self._used: set[str] = set()

    def login_code(self, openid: str | None = None) -> str:
        """A wx.login code for a user (a new openid unless given)."""
        code = f"LOGIN{uuid.uuid4().hex}"
        self._logins[code] = openid or "o" + uuid.uuid4().hex[:27]
        return code

    def openid(self, code: str) -> str:
        """The openid a login code stands for."""
        return self._logins[code]

    def phone_code(self, phone: str) -> str:
        """A getPhoneNumber code for a mainland mobile number."""
        code = f"PHONE{uuid.uuid4().hex}"
        self._phones[code] = phone
        return code

    def _take(self, registry: dict[str, str], code: str) -> str | Response:
        if code in self._used:
            return wechat_error(40163, "code been used")
        if code not in registry:
            return wechat_error(40029, "invalid code")
        self._used.add(code)
        return registry[code]

    async def jscode2session(self, request: Request) -> Response:
        """GET /sns/jscode2session: a login code for the user's openid and session key."""
        query = request.query_params
        if query.get("appid") != self.appid or query.get("secret") != self.secret:
            return wechat_error(40125, "invalid appsecret")
        if query.get("grant_type") != "authorization_code":
            return wechat_error(40002, "invalid grant_type")
        found = self._take(self._logins, query.get("js_code", ""))
        if isinstance(found, Response):
            return found
        return JSONResponse({"openid": found, "session_key": uuid.uuid4().hex})

    async def phone_number(self, request: Request) -> Response:
        """POST /wxa/business/getuserphonenumber: a phone code for the user's number."""
        state = self._token_state(request.query_params.get("access_token", ""))
        if state != "valid":
            return wechat_error(42001 if state == "expired" else 40001, "invalid credential")
        found = self._take(self._phones, (await request.json()).get("code", ""))
        if isinstance(found, Response):
            return found
        info = {"phoneNumber": found, "purePhoneNumber": found, "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": self.appid}}
        return JSONResponse({"errcode": 0, "errmsg": "ok", "phone_info": info})
