"""A local stand-in for Aliyun SMS, Tencent SMS and the WeChat API, for tests and demos.

One Starlette app on 127.0.0.1 speaks all three protocols at the real paths, checks
signatures and tokens, records what it accepted and fails on request.
"""

import asyncio
import itertools
import json
import socket
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.notify import fake_protocols as wire
from services.notify.fake_wechat_login import WechatLoginCodes

_TOKEN_REJECTIONS = {
    "expired": (42001, "access_token expired"),
    "revoked": (40001, "invalid credential, access_token is invalid or not latest"),
}


@dataclass(frozen=True)
class SentMessage:
    """One message the fake accepted, as the provider received it."""

    provider: str
    to: str
    template: str
    params: Any
    message_id: str
    sign_name: str | None = None
    page: str | None = None


@dataclass(frozen=True)
class _Script:
    kind: str  # "code", "http" or "hang"
    value: Any = None
    to: str | None = None  # only sends to this phone or openid; None: any send


class FakeProviders:
    """The fake server: start it, point providers at base_url, inspect sent."""

    def __init__(
        self,
        *,
        aliyun_key_id: str = "LTAI-fake",
        aliyun_secret: str = "aliyun-fake-secret",
        tencent_secret_id: str = "AKID-fake",
        tencent_secret_key: str = "tencent-fake-key",
        tencent_sdk_app_id: str = "1400000000",
        wechat_appid: str = "wx0000000000fake",
        wechat_secret: str = "wechat-fake-secret",
        token_ttl: int = 7200,
    ) -> None:
        self.aliyun_key_id, self.aliyun_secret = aliyun_key_id, aliyun_secret
        self.tencent_secret_id, self.tencent_secret_key = tencent_secret_id, tencent_secret_key
        self.tencent_sdk_app_id = tencent_sdk_app_id
        self.wechat_appid, self.wechat_secret = wechat_appid, wechat_secret
        self.token_ttl = token_ttl
        self.sent: list[SentMessage] = []
        self.token_fetches = 0
        self.base_url = ""
        self._scripts: dict[str, list[_Script]] = defaultdict(list)
        self._tokens: dict[str, str] = {}  # token -> "valid" | "expired" | "revoked"
        self._stable_token: str | None = None
        self._nonces: set[str] = set()
        self._ids = itertools.count(1)
        self._release = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None
        # wx.login and getPhoneNumber codes for the mini-program's login (intake's side).
        self.login = WechatLoginCodes(wechat_appid, wechat_secret,
                                      lambda token: self._tokens.get(token, "revoked"))

    def messages(self, provider: str) -> list[SentMessage]:
        """Accepted messages of one provider (aliyun, tencent, wechat), oldest first."""
        return [m for m in self.sent if m.provider == provider]

    def fail_next(
        self, provider: str, code: str | int, *, times: int = 1, to: str | None = None
    ) -> None:
        """Answer the next `times` sends of provider (to `to` only, if given) with an error code."""
        self._scripts[provider] += [_Script("code", code, to)] * times

    def fail_http(
        self, provider: str, status: int = 500, *, times: int = 1, to: str | None = None
    ) -> None:
        """Answer the next `times` sends of provider (to `to` only, if given) with an HTTP error."""
        self._scripts[provider] += [_Script("http", status, to)] * times

    def hang_next(self, provider: str, *, times: int = 1) -> None:
        """Leave the next `times` sends unanswered until stop, so the client times out."""
        self._scripts[provider] += [_Script("hang")] * times

    def expire_token(self) -> None:
        """Every WeChat token issued so far is expired: sends with it get 42001."""
        self._tokens = dict.fromkeys(self._tokens, "expired")

    def revoke_token(self) -> None:
        """Every WeChat token issued so far is invalid: sends with it get 40001."""
        self._tokens = dict.fromkeys(self._tokens, "revoked")

    def receipt(self, message: SentMessage, *, delivered: bool = True) -> Any:
        """The body the provider pushes to our callback URL about one accepted message."""
        return wire.receipt(message.provider, message.to, message.message_id, delivered,
                            appid=self.wechat_appid, template=message.template)

    def reset(self) -> None:
        """Forget messages, scripts, tokens and counts, and release hung requests."""
        self.sent.clear()
        self.token_fetches = 0
        self._scripts.clear()
        self._tokens.clear()
        self._stable_token = None
        self._release.set()
        self._release = asyncio.Event()

    async def start(self) -> Self:
        """Listen on a free port of 127.0.0.1 and serve from a task of the running loop."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Responses leave in two writes (head, body): without NODELAY every keep-alive
        # request waits ~40 ms for the client's delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            self.app(),
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        await self._until_started()
        return self

    async def _until_started(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._task.done():
                self._task.result()
            if time.monotonic() > deadline:
                raise TimeoutError("fake provider server did not start")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Release hung requests and shut the server down."""
        self._release.set()
        if self._server is not None:
            self._server.should_exit = True
            await self._task

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def app(self) -> Starlette:
        """The ASGI app, also usable in-process without a socket."""
        return Starlette(
            routes=[
                Route("/", self._aliyun, methods=["GET"]),
                Route("/", self._tencent, methods=["POST"]),
                Route("/cgi-bin/token", self._wechat_token, methods=["GET"]),
                Route("/cgi-bin/stable_token", self._wechat_stable_token, methods=["POST"]),
                Route("/cgi-bin/message/subscribe/send", self._wechat_send, methods=["POST"]),
                Route("/sns/jscode2session", self.login.jscode2session, methods=["GET"]),
                Route("/wxa/business/getuserphonenumber", self.login.phone_number, methods=["POST"]),
            ]
        )

    async def _scripted(self, provider: str, to: str = "") -> _Script | None:
        scripts = self._scripts[provider]
        script = next((s for s in scripts if s.to is None or s.to in (to, to[-11:])), None)
        if script is None:
            return None
        scripts.remove(script)
        if script.kind == "hang":
            await self._release.wait()
        return script

    def _record(self, provider: str, to: str, template: str, params: Any, **extra: Any) -> str:
        # Numeric like real BizId / SerialNo / msgid, unique across providers.
        message_id = str(1_000_000 + next(self._ids))
        self.sent.append(SentMessage(provider, to, template, params, message_id, **extra))
        return message_id

    async def _aliyun(self, request: Request) -> Response:
        params = dict(request.query_params)
        refusal = wire.aliyun_refusal(params, key_id=self.aliyun_key_id, secret=self.aliyun_secret)
        if refusal is None and params.get("SignatureNonce", "") in self._nonces:
            refusal = "SignatureNonceUsed"
        if refusal:
            return wire.aliyun_error(refusal)
        self._nonces.add(params.get("SignatureNonce", ""))
        script = await self._scripted("aliyun", params.get("PhoneNumbers", ""))
        if script:
            return wire.http_error(script.kind, script.value) or wire.aliyun_error(script.value)
        invalid = wire.aliyun_invalid_message(params)
        if invalid:
            return wire.aliyun_error(invalid)
        return wire.aliyun_ok(self._aliyun_accept(params))

    def _aliyun_accept(self, params: dict[str, str]) -> str:
        return self._record(
            "aliyun",
            params["PhoneNumbers"],
            params["TemplateCode"],
            json.loads(params.get("TemplateParam", "{}")),
            sign_name=params["SignName"],
        )

    async def _tencent(self, request: Request) -> Response:
        payload = await request.body()
        refusal = wire.tencent_refusal(
            request.headers,
            payload,
            secret_id=self.tencent_secret_id,
            secret_key=self.tencent_secret_key,
        )
        if refusal:
            return wire.tencent_error(refusal)
        body = json.loads(payload)
        phone = body["PhoneNumberSet"][0]
        script = await self._scripted("tencent", phone)
        if script:
            return wire.http_error(script.kind, script.value) or wire.tencent_failure(
                script.value, phone
            )
        if body.get("SmsSdkAppId") != self.tencent_sdk_app_id:
            return wire.tencent_error("InvalidParameterValue.SdkAppIdNotExist")
        if not wire.tencent_phone_ok(phone):
            return wire.tencent_status(phone, "InvalidParameterValue.IncorrectPhoneNumber")
        return wire.tencent_status(phone, "Ok", self._tencent_accept(body))

    def _tencent_accept(self, body: dict) -> str:
        return self._record(
            "tencent",
            body["PhoneNumberSet"][0],
            body["TemplateId"],
            body.get("TemplateParamSet", []),
            sign_name=body.get("SignName"),
        )

    async def _wechat_token(self, request: Request) -> Response:
        query = request.query_params
        return self._issue_token(query.get("appid"), query.get("secret"), stable=False)

    async def _wechat_stable_token(self, request: Request) -> Response:
        body = await request.json()
        return self._issue_token(
            body.get("appid"),
            body.get("secret"),
            stable=True,
            force=bool(body.get("force_refresh")),
        )

    def _issue_token(
        self, appid: str | None, secret: str | None, *, stable: bool, force: bool = False
    ) -> Response:
        self.token_fetches += 1
        if appid != self.wechat_appid:
            return wire.wechat_error(40013, "invalid appid")
        if secret != self.wechat_secret:
            return wire.wechat_error(40125, "invalid appsecret")
        return JSONResponse(
            {"access_token": self._token(stable, force), "expires_in": self.token_ttl}
        )

    def _token(self, stable: bool, force: bool) -> str:
        # /cgi-bin/token issues a new token every call; stable_token keeps a valid one.
        current = self._stable_token if stable else None
        if current and not force and self._tokens.get(current) == "valid":
            return current
        token = f"TOKEN-{uuid.uuid4().hex}"
        self._tokens[token] = "valid"
        if stable:
            self._stable_token = token
        return token

    async def _wechat_send(self, request: Request) -> Response:
        state = self._tokens.get(request.query_params.get("access_token", ""), "revoked")
        if state != "valid":
            return wire.wechat_error(*_TOKEN_REJECTIONS[state])
        body = await request.json()
        script = await self._scripted("wechat", body.get("touser", ""))
        if script:
            return wire.http_error(script.kind, script.value) or wire.wechat_error(
                script.value, "fake scripted error"
            )
        values = {key: item.get("value", "") for key, item in body.get("data", {}).items()}
        invalid = wire.wechat_invalid_message(body.get("touser", ""), values)
        if invalid:
            return invalid
        message_id = self._record(
            "wechat", body["touser"], body.get("template_id", ""), values, page=body.get("page")
        )
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": int(message_id)})
