"""Who is logged in: the token in an HttpOnly cookie, and the CSRF token every form carries."""

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Request

from services.core.auth import Principal, Role, read_token
from services.core.problems import Problem

SESSION_COOKIE = "hotline_session"
CSRF_COOKIE = "hotline_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

ROLE_NAMES = {
    Role.admin: "系统管理员", Role.dispatcher: "指挥中心调度员", Role.agent: "热线话务员",
    Role.supervisor: "督查室", Role.handler: "承办人", Role.unit_leader: "单位负责人",
}
CENTER_ROLES = frozenset({Role.dispatcher, Role.admin})
UNIT_ROLES = frozenset({Role.handler, Role.unit_leader})


@dataclass(frozen=True)
class Person:
    """A logged-in staff member: their token and what it says about them."""

    token: str
    principal: Principal

    @property
    def username(self) -> str:
        return self.principal.subject

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role.value)

    @property
    def is_center(self) -> bool:
        return self.role in CENTER_ROLES

    @property
    def is_unit(self) -> bool:
        return self.role in UNIT_ROLES

    @property
    def is_agent(self) -> bool:
        return self.role in (Role.agent, Role.admin)


class NotLoggedIn(Exception):
    """No valid session: the person goes to /login and comes back afterwards."""


def current_person(request: Request) -> Person:
    """The person of this request's session cookie; NotLoggedIn otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotLoggedIn()
    try:
        principal = read_token(token, request.app.state.settings.jwt_secret)
    except Problem:
        raise NotLoggedIn() from None
    if not principal.is_staff:
        raise NotLoggedIn()
    return Person(token, principal)


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (made on its first page; set as a cookie by the middleware)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(24)
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    """Whether a form's (or htmx header's) token matches this browser's cookie."""
    expected = request.cookies.get(CSRF_COOKIE)
    return bool(expected and sent) and hmac.compare_digest(expected, sent)


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path of this site, never another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def login_url(request: Request) -> str:
    """The login page, remembering where the person was."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request") and request.headers.get("hx-current-url"):
        current = urlsplit(request.headers["hx-current-url"])
        here = current.path + (f"?{current.query}" if current.query else "")
    return f"/login?next={quote(safe_next(here), safe='')}"
