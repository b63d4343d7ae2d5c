"""The staff console: server-rendered pages over the five services' APIs (DESIGN.md, web front ends)."""

import asyncio
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException

from services.console import (
    dashboard,
    dispatch,
    hotline,
    knowledge,
    login,
    publication,
    ticket_list,
    ticket_page,
)
from services.console.backend import ApiError, Backend, LoginRequired, ServiceDown
from services.console.deps import CsrfFailed
from services.console.h5.app import create_app as create_h5_app
from services.console.names import Directory, WorkCalendar
from services.console.pages import (
    STATIC,
    CachedStatic,
    go_to,
    make_templates,
    render,
    static_hashes,
)
from services.console.session import NotLoggedIn, login_url, new_csrf_cookie
from services.console.settings import ConsoleSettings, get_console_settings
from services.core.logging import configure_logging

log = structlog.get_logger()
SERVICE_NAMES = {"intake": "受理服务", "routing": "派单服务", "sla": "时限服务",
                 "notify": "消息服务", "media": "附件服务"}
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Photos and recordings come from presigned object-storage links on another origin.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data: blob: http: https:; media-src 'self' blob: http: https:; "
                               "connect-src 'self' http: https:; frame-ancestors 'none'; form-action 'self'",
}


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    """The console ASGI app."""
    settings = settings or get_console_settings()
    hashes = static_hashes()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(settings.log_level, "console", settings.log_format)
        app.state.backend = Backend(settings.service_urls(), settings.backend_timeout_seconds)
        h5.state.backend = app.state.backend  # the citizen pages share the pooled connections
        yield
        await app.state.backend.close()

    app = FastAPI(title="hotline console", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.settings = settings
    app.state.directory = Directory(settings.names_ttl_seconds)
    app.state.calendar = WorkCalendar()
    app.state.templates = make_templates(app.state.directory, hashes)
    app.mount("/static", CachedStatic(directory=STATIC), name="static")
    h5 = create_h5_app(settings)
    app.mount("/m", h5)  # the citizen H5 pages (services/console/h5)
    for module in (login, dashboard, ticket_list, ticket_page, publication, dispatch, hotline,
                   knowledge):
        app.include_router(module.router)
    _health(app)
    _errors(app)
    app.add_middleware(PageHeaders, secure=settings.secure_cookies)
    return app


class PageHeaders:
    """Security headers on every answer, no caching of pages, and the CSRF cookie once made."""

    def __init__(self, app, *, secure: bool):
        self.app, self.secure = app, secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if cookie := new_csrf_cookie(scope, secure=self.secure):
                    headers.append("set-cookie", cookie)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _health(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        backend = request.app.state.backend

        async def check(name: str) -> str:
            try:
                answer = await backend.fetch(name, "GET", "/healthz", timeout=3)
                return "ok" if answer.status_code == 200 else f"down: {answer.status_code}"
            except Exception as failure:  # any failure means not ready, whatever its kind
                return f"down: {type(failure).__name__}"

        names = list(backend.urls)
        checks = dict(zip(names, await asyncio.gather(*(check(n) for n in names)), strict=True))
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)


def _errors(app: FastAPI) -> None:
    """Every failure is a page in Chinese: never a stack trace, never a blank screen."""

    @app.exception_handler(NotLoggedIn)
    @app.exception_handler(LoginRequired)
    async def login_again(request: Request, _exc) -> Response:
        response = go_to(request, login_url(request))
        response.delete_cookie("hotline_session", path="/")
        return response

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc) -> Response:
        return render(request, "error.html", 403, title="页面已过期",
                      message="表单已过期或来源不明，请刷新页面后重试。")

    @app.exception_handler(ServiceDown)
    async def service_down(request: Request, exc: ServiceDown) -> Response:
        name = SERVICE_NAMES.get(exc.service, exc.service)
        return render(request, "error.html", 503, title="服务暂时不可用",
                      message=f"{name}暂时没有响应，请稍后刷新重试。已填写的内容不会丢失。")

    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> Response:
        if exc.status == 404:
            return render(request, "error.html", 404, title="未找到",
                          message="工单不存在，或不在您的办理范围内。")
        if exc.status == 403:
            return render(request, "error.html", 403, title="无权访问", message=exc.message)
        return render(request, "error.html", 400, title="请求未完成", message=exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "error.html", 404, title="页面不存在",
                          message="您访问的页面不存在，请从导航重新进入。")
        if exc.status_code == 405:
            return render(request, "error.html", 405, title="操作方式不正确",
                          message="请从页面上的按钮操作。")
        return render(request, "error.html", exc.status_code, title="请求未完成", message="请稍后重试。")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _exc) -> Response:
        return render(request, "error.html", 400, title="请求参数有误",
                      message="链接中的参数不正确，请从页面上的筛选条件重新查询。")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("console.page_failed", path=request.url.path)
        return render(request, "error.html", 500, title="系统繁忙",
                      message="页面暂时无法显示，请稍后重试。问题已记录。")
