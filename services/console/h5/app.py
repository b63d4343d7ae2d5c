"""The citizen H5 pages at /m/: reporting, tracking, evaluating, cases and knowledge (DESIGN.md)."""


import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException

from services.console.backend import ApiError, LoginRequired, ServiceDown
from services.console.deps import CsrfFailed
from services.console.h5 import home, login, media, mine, report
from services.console.h5.pages import STATIC, make_templates, render, static_hashes
from services.console.h5.public import PublicConfig
from services.console.h5.session import (
    COOKIE_PATH,
    CSRF_COOKIE,
    SESSION_COOKIE,
    NotLoggedIn,
    login_url,
)
from services.console.h5.settings import H5Settings, get_h5_settings
from services.console.pages import CachedStatic, go_to
from services.console.session import new_csrf_cookie
from services.console.settings import ConsoleSettings

log = structlog.get_logger()
SERVICE_NAMES = {"intake": "受理服务", "routing": "派单服务", "media": "附件服务",
                 "sla": "时限服务", "notify": "消息服务"}


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    """The H5 ASGI app; the console mounts it at /m with its settings and its pooled backend."""
    if settings is None:
        settings = get_h5_settings()
    elif not isinstance(settings, H5Settings):  # the console's: the same values, plus the H5_* ones
        settings = H5Settings(**settings.model_dump())
    app = FastAPI(title="hotline h5", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.config = PublicConfig(settings.h5_config_ttl_seconds)
    app.state.templates = make_templates(static_hashes())
    app.mount("/static", CachedStatic(directory=STATIC), name="static")
    for module in (home, login, report, media, mine):
        app.include_router(module.router)
    _errors(app)
    app.add_middleware(CsrfCookie, secure=settings.secure_cookies)
    return app


class CsrfCookie:
    """Sets the H5's own CSRF cookie (path /m) the first time a page made one."""

    def __init__(self, app, *, secure: bool):
        self.app, self.secure = app, secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start" and (cookie := new_csrf_cookie(
                    scope, fresh="new_h5_csrf", cookie=CSRF_COOKIE, path=COOKIE_PATH, secure=self.secure)):
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _errors(app: FastAPI) -> None:
    """Every failure is a page in Chinese, with the tab bar to go on from."""

    @app.exception_handler(NotLoggedIn)
    @app.exception_handler(LoginRequired)
    async def login_again(request: Request, _exc) -> Response:
        response = go_to(request, login_url(request))
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        return response

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc) -> Response:
        return render(request, "error.html", 403, title="页面已过期",
                      message="表单已过期或来源不明，请返回上一页刷新后重试。")

    @app.exception_handler(ServiceDown)
    async def service_down(request: Request, exc: ServiceDown) -> Response:
        name = SERVICE_NAMES.get(exc.service, exc.service)
        return render(request, "error.html", 503, title="服务暂时不可用",
                      message=f"{name}暂时没有响应，请稍后重试，或拨打 12345 热线反映。")

    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> Response:
        if exc.status == 404:
            return render(request, "error.html", 404, title="未找到", message="没有找到这条诉求，或它不属于您的账号。")
        return render(request, "error.html", 400 if exc.status != 403 else 403, title="未能完成",
                      message=exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "error.html", 404, title="页面不存在", message="您访问的页面不存在，请从下方导航重新进入。")
        return render(request, "error.html", exc.status_code, title="未能完成", message="请从页面上的按钮操作。")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _exc) -> Response:
        return render(request, "error.html", 400, title="链接有误", message="链接中的参数不正确，请从页面重新进入。")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("h5.page_failed", path=request.url.path)
        return render(request, "error.html", 500, title="系统繁忙", message="页面暂时无法显示，请稍后重试。")
