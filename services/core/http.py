"""The app factory every service uses: lifespan, errors, health, metrics, correlation ids."""

import gc
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import asyncpg
import sqlalchemy.exc
import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from services.core import dead_letters, problems
from services.core.db import Database
from services.core.logging import configure_logging
from services.core.metrics import HTTP_REQUESTS
from services.core.problems import Problem
from services.core.runtime import Broker, Worker
from services.core.settings import Settings

log = structlog.get_logger()

Setup = Callable[[FastAPI, Worker], Awaitable[None]]
BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a streamed body past the limit; FastAPI lets HTTP errors through."""

    def __init__(self, limit: int):
        super().__init__(413, f"请求体不能超过 {limit // 1024} KB")


class EdgeMiddleware:
    """Correlation id, request metrics, body size and content type checks, in one ASGI pass."""

    def __init__(self, app, *, service: str, max_body: int):
        self.app, self.service, self.max_body = app, service, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        correlation_id = headers.get("x-correlation-id") or headers.get("x-request-id") or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        refusal = self._refuse(scope["method"], headers)
        if refusal is not None:
            return await problems.problem_response(refusal)(scope, receive, send)
        status = {"code": 500}
        started = time.perf_counter()

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-correlation-id", correlation_id.encode()))
            await send(message)

        try:
            await self.app(scope, self._limited(receive), send_wrapper)
        except BodyTooLarge:
            await problems.problem_response(self._too_large())(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            HTTP_REQUESTS.labels(self.service, scope["method"], getattr(route, "path", "other"),
                                 str(status["code"])).observe(time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("correlation_id")

    def _refuse(self, method: str, headers: dict) -> Problem | None:
        if method not in ("POST", "PUT", "PATCH"):
            return None
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return self._too_large()
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type and content_type not in BODY_TYPES:
            return Problem(415, "不支持的内容类型", f"请使用 application/json，而不是 {content_type}")
        return None

    def _too_large(self) -> Problem:
        return Problem(413, "请求体过大", f"请求体不能超过 {self.max_body // 1024} KB")

    def _limited(self, receive):
        seen = 0

        async def wrapped():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise BodyTooLarge(self.max_body)
            return message

        return wrapped


# What a request meets when PostgreSQL (or another server) cannot be reached: a moment's
# outage, not a bug. The caller is told to come back, not that the service is broken.
UNREACHABLE = (OSError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
               sqlalchemy.exc.TimeoutError, asyncpg.exceptions.PostgresConnectionError)
RETRY_AFTER_SECONDS = 5


async def _unreachable(request: Request, exc: Exception):
    log.warning("dependency.unreachable", path=request.url.path, error=type(exc).__name__)
    return problems.problem_response(Problem(
        503, "服务暂时不可用", "系统繁忙，暂时无法处理您的请求，请稍后重试",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))


def _connection_lost(exc: sqlalchemy.exc.DBAPIError) -> bool:
    lost = (OSError, asyncpg.exceptions.ConnectionDoesNotExistError)
    cause = getattr(exc.orig, "__cause__", None)
    return exc.connection_invalidated or isinstance(exc.orig, lost) or isinstance(cause, lost)


async def _database_error(request: Request, exc: sqlalchemy.exc.DBAPIError):
    """A connection lost in the middle of a statement is an outage too; anything else a bug."""
    if _connection_lost(exc):
        return await _unreachable(request, exc)
    log.exception("request.failed", path=request.url.path)
    return problems.problem_response(Problem(500, "服务器内部错误", "请稍后重试"))


def health_router() -> APIRouter:
    """/healthz, /readyz and /metrics."""
    router = APIRouter(tags=["ops"])

    @router.get("/healthz")
    async def healthz() -> dict:
        """The process is alive."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request):
        """The database and the broker answer."""
        checks = {}
        for name, target in (("database", request.app.state.db), ("broker", request.app.state.broker)):
            try:
                await target.ping()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"down: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                              status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_service_app(*, name: str, settings: Settings, routers: Sequence[APIRouter],
                       setup: Setup | None = None, max_body: int = 64 * 1024) -> FastAPI:
    """A FastAPI app with the platform's lifespan, errors, health and middleware."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(settings.log_level, name, settings.log_format)
        app.state.settings = settings
        app.state.db = Database(settings.database_url, pool_size=settings.db_pool_size, name=name)
        app.state.broker = Broker(settings.amqp_url, settings.broker_namespace)
        app.state.worker = Worker(settings, app.state.db, app.state.broker)
        if setup is not None:
            await setup(app, app.state.worker)
        app.state.worker.start()
        # What startup built (routes, models, templates, the classifier) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it all.
        # Its garbage goes first, or it would be kept for good.
        gc.collect()
        gc.freeze()
        log.info("service.started", port=settings.port)
        yield
        await app.state.worker.stop()
        await app.state.broker.close()
        await app.state.db.dispose()

    app = FastAPI(title=f"hotline {name}", lifespan=lifespan)
    problems.install(app)
    for kind in UNREACHABLE:
        app.add_exception_handler(kind, _unreachable)
    app.add_exception_handler(sqlalchemy.exc.DBAPIError, _database_error)
    app.include_router(health_router())
    app.include_router(dead_letters.router)
    for router in routers:
        app.include_router(router)
    app.add_middleware(EdgeMiddleware, service=name, max_body=max_body)
    return app
