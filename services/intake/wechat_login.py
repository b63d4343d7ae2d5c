"""WeChat mini-program login: jscode2session for the openid, getuserphonenumber for the phone."""

import asyncio
import re
import time

import httpx

from services.core.problems import Problem

MOBILE = re.compile(r"^1[3-9]\d{9}$")
INVALID_CODE = frozenset({40029, 40163, 40226})  # invalid, already used, high-risk user
TOKEN_REJECTED = frozenset({40001, 40014, 42001})
UNAVAILABLE = Problem(503, "微信服务暂不可用", "微信登录暂时无法完成，请稍后重试或使用短信验证码登录",
                      headers={"Retry-After": "5"})


class WechatLogin:
    """One HTTP client and one access token (stable_token: the same on every replica) per process."""

    def __init__(self, base_url: str, appid: str, secret: str, clock=time.monotonic):
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=5.0)
        self.appid, self.secret, self.clock = appid, secret, clock
        self._token, self._refresh_at = "", 0.0
        self._lock = asyncio.Lock()

    async def openid(self, code: str) -> str:
        """The user's openid for a wx.login code; 401 for a bad or used code."""
        self._configured()
        body = await self._call("GET", "/sns/jscode2session", params={
            "appid": self.appid, "secret": self.secret, "js_code": code, "grant_type": "authorization_code"})
        if body.get("errcode") in INVALID_CODE:
            raise Problem(401, "微信登录失败", "微信登录凭证无效或已使用，请重新进入小程序")
        if body.get("errcode") == 45011:
            raise Problem(429, "请求过于频繁", "微信登录过于频繁，请稍后再试", headers={"Retry-After": "60"})
        if not body.get("openid"):
            raise UNAVAILABLE
        return body["openid"]

    async def phone(self, phone_code: str) -> str:
        """The mainland mobile number a getPhoneNumber code stands for."""
        self._configured()
        token = await self._access_token()
        body = await self._phone(token, phone_code)
        if body.get("errcode") in TOKEN_REJECTED:
            body = await self._phone(await self._access_token(stale=token), phone_code)
        if body.get("errcode") in INVALID_CODE:
            raise Problem(401, "手机号授权失败", "手机号授权已失效，请重新点击授权手机号")
        info = body.get("phone_info") or {}
        number = info.get("purePhoneNumber") or ""
        if body.get("errcode", 0) != 0 or not number:
            raise UNAVAILABLE
        if info.get("countryCode", "86") != "86" or not MOBILE.match(number):
            raise Problem(422, "手机号不支持", "目前仅支持中国大陆手机号登录")
        return number

    async def _phone(self, token: str, phone_code: str) -> dict:
        return await self._call("POST", "/wxa/business/getuserphonenumber",
                                params={"access_token": token}, json={"code": phone_code})

    async def _access_token(self, stale: str | None = None) -> str:
        async with self._lock:
            if self._token and self._token != stale and self.clock() < self._refresh_at:
                return self._token
            body = await self._call("POST", "/cgi-bin/stable_token", json={
                "grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                "force_refresh": stale is not None})
            if not body.get("access_token"):
                raise UNAVAILABLE
            expires_in = float(body.get("expires_in") or 7200)
            self._token, self._refresh_at = body["access_token"], self.clock() + expires_in * 0.9
            return self._token

    async def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = await self.client.request(method, path, **kwargs)
            body = response.json()
        except (httpx.HTTPError, ValueError):
            raise UNAVAILABLE from None
        if response.status_code != 200 or not isinstance(body, dict):
            raise UNAVAILABLE
        return body

    def _configured(self) -> None:
        if not (self.appid and self.secret):
            raise Problem(503, "微信登录未开通", "本平台尚未配置微信小程序，请使用短信验证码登录")

    async def close(self) -> None:
        await self.client.aclose()
