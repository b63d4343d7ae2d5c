"""application/problem+json (RFC 9457) errors, with Chinese details for citizens."""

from collections.abc import Mapping

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger()

PROBLEM = "application/problem+json"
# Text PostgreSQL can store: any characters but NUL, which it refuses (a 500, were it let through).
STORABLE_TEXT = r"^[^\x00]*$"

_MESSAGES = {
    "missing": "必填项",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "enum": "取值应为：{expected}",
    "literal_error": "取值应为：{expected}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "uuid_parsing": "应为有效的编号（UUID）",
    "uuid_type": "应为有效的编号（UUID）",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "datetime_parsing": "应为 ISO 8601 时间",
    "datetime_from_date_parsing": "应为 ISO 8601 时间",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "timezone_aware": "时间须带时区",
}
_PATTERN_MESSAGES = {STORABLE_TEXT: "不能包含空字符"}


class Problem(Exception):
    """An error answered as problem+json; raise it from service code or routes."""

    def __init__(self, status: int, title: str, detail: str = "", *, type_: str = "about:blank",
                 errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.type, self.errors, self.headers = type_, errors, headers

    def body(self) -> dict:
        body = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def field_error(field: str, message: str) -> Problem:
    """A 422 naming one field."""
    return Problem(422, "请求参数有误", f"{field}：{message}", errors=[{"field": field, "message": message}])


def _translate(error: dict) -> dict:
    location = [str(part) for part in error.get("loc", ())]
    if location and location[0] in ("body", "query", "path", "header", "cookie"):
        location = location[1:]  # where it came from; a field may well be named `query`
    context = error.get("ctx") or {}
    template = _PATTERN_MESSAGES.get(context.get("pattern")) or _MESSAGES.get(error.get("type", ""))
    if template:
        try:
            message = template.format(**context)
        except (KeyError, IndexError):
            message = template
    else:
        message = str(context.get("reason") or error.get("msg", "取值无效")).removeprefix("Value error, ")
    return {"field": ".".join(location) or "body", "message": message}


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(problem.body(), status_code=problem.status, media_type=PROBLEM,
                          headers=problem.headers)


async def _on_problem(request: Request, exc: Problem):
    if exc.status in (401, 403):
        log.warning("access.refused", status=exc.status, path=request.url.path, detail=exc.detail)
    return problem_response(exc)


def validation_problem(errors, labels: Mapping[str, str] | None = None) -> Problem:
    """A 422 for pydantic's errors; `labels` give fields their Chinese names in the detail."""
    translated = [_translate(e) for e in errors]
    for error in translated:
        name = error["field"].split(".")[0]  # status.1: the second of the repeated `status`
        if labels and name in labels:
            error["label"] = labels[name]
    detail = "；".join(f"{e.get('label', e['field'])}：{e['message']}" for e in translated)
    return Problem(422, "请求参数有误", detail, errors=translated)


async def _on_validation(request: Request, exc: RequestValidationError):
    return problem_response(validation_problem(exc.errors()))


async def _on_http(request: Request, exc: StarletteHTTPException):
    titles = {404: "未找到", 405: "不支持的请求方法", 401: "未登录或登录已过期", 403: "无权操作", 413: "请求体过大", 400: "请求有误"}
    return problem_response(Problem(exc.status_code, titles.get(exc.status_code, "请求有误"),
                                    str(exc.detail or ""), headers=getattr(exc, "headers", None)))


async def _on_unexpected(request: Request, exc: Exception):
    log.exception("http.unhandled", path=request.url.path)
    return problem_response(Problem(500, "服务器内部错误", "请稍后重试"))


def install(app: FastAPI) -> None:
    """Answer every error of this app as problem+json."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
