"""WeChat mini-program subscribe messages, with a cached, lock-guarded access token."""

import asyncio
import time

import httpx

from services.notify.providers.base import (
    Clock,
    ErrorCodes,
    SendResult,
    TransientProviderError,
    WechatMessage,
    read_json,
    request,
)

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
# 40001 invalid or not latest, 40014 malformed, 42001 expired: fetch a new token once.
TOKEN_REJECTED = frozenset({40001, 40014, 42001})
ERROR_CODES = ErrorCodes(transient=frozenset({-1, 45009, 45011}))


class WechatSubscribeProvider:
    """Sends subscribe messages; one access token per process, refreshed before it expires."""

    name = "wechat"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        appid: str,
        secret: str,
        base_url: str = DEFAULT_BASE_URL,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
        stable_token: bool = True,
        refresh_margin: float = 300.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._appid = appid
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._state = miniprogram_state
        self._lang = lang
        # stable_token gives every replica the same token; /cgi-bin/token would make
        # each replica's fetch retire the token the others hold.
        self._stable = stable_token
        self._margin = refresh_margin
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()

    async def send(self, msg: WechatMessage) -> SendResult:
        """Send one subscribe message; msgid on success, else a provider error."""
        token = await self._access_token()
        body = await self._post(token, msg)
        if body.get("errcode") in TOKEN_REJECTED:
            token = await self._access_token(stale=token)
            body = await self._post(token, msg)
        return self._result(body)

    async def _access_token(self, stale: str | None = None) -> str:
        async with self._lock:
            fresh = self._clock() < self._refresh_at
            if self._token and self._token != stale and fresh:
                return self._token
            token, expires_in = await self._fetch_token()
            self._token = token
            self._refresh_at = self._clock() + expires_in - min(self._margin, expires_in / 2)
            return token

    async def _fetch_token(self) -> tuple[str, float]:
        credentials = {
            "grant_type": "client_credential",
            "appid": self._appid,
            "secret": self._secret,
        }
        if self._stable:
            url, kwargs = "/cgi-bin/stable_token", {"json": {**credentials, "force_refresh": False}}
        else:
            url, kwargs = "/cgi-bin/token", {"params": credentials}
        method = "POST" if self._stable else "GET"
        response = await request(self._client, self.name, method, self._base_url + url, **kwargs)
        body = read_json(self.name, response)
        if "access_token" not in body:
            raise ERROR_CODES.error(
                self.name, body.get("errcode", "no_token"), body.get("errmsg", "")
            )
        return body["access_token"], float(body.get("expires_in", 7200))

    async def _post(self, token: str, msg: WechatMessage) -> dict:
        payload = {
            "touser": msg.openid,
            "template_id": msg.template_id,
            "data": {key: {"value": value} for key, value in msg.data.items()},
            "miniprogram_state": self._state,
            "lang": self._lang,
        }
        if msg.page:
            payload["page"] = msg.page
        response = await request(
            self._client,
            self.name,
            "POST",
            f"{self._base_url}/cgi-bin/message/subscribe/send",
            params={"access_token": token},
            json=payload,
        )
        return read_json(self.name, response)

    def _result(self, body: dict) -> SendResult:
        code = body.get("errcode", 0)
        if code == 0:
            msgid = body.get("msgid")
            return SendResult(None if msgid is None else str(msgid))
        if code in TOKEN_REJECTED:
            # A second rejection right after a refresh: another holder rotated it again.
            raise TransientProviderError(self.name, str(code), body.get("errmsg", ""))
        raise ERROR_CODES.error(self.name, code, body.get("errmsg", ""))
