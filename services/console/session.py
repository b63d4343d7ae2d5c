"""Who is logged in: the token in an HttpOnly cookie, and the CSRF token every form carries."""

import hmac
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
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

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


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


def csrf_token(request: Request, cookie: str = CSRF_COOKIE, fresh: str = "new_csrf") -> str:
    """This browser's CSRF token (made on its first page, kept in `request.state.<fresh>` until
    the middleware sets it as the `cookie`); the citizen pages pass their own names."""
    token = request.cookies.get(cookie) or getattr(request.state, fresh, None)
    if not token:
        token = secrets.token_urlsafe(24)
        setattr(request.state, fresh, token)
    return token


def new_csrf_cookie(scope, *, fresh: str = "new_csrf", cookie: str = CSRF_COOKIE, path: str = "/",
                    secure: bool = False) -> str | None:
    """The Set-Cookie value for a CSRF token this request made (see `csrf_token`), unless the
    browser already has one: the middlewares of the console and of the citizen pages add it."""
    token = scope.get("state", {}).get(fresh)
    if not token or cookie in Request(scope).cookies:
        return None
    morsel = SimpleCookie()
    morsel[cookie] = token
    morsel[cookie].update({"httponly": True, "samesite": "lax", "path": path, "secure": secure})
    return morsel.output(header="").strip()


def csrf_ok(request: Request, sent: str | None, cookie: str = CSRF_COOKIE) -> bool:
    """Whether a form's (or htmx header's) token matches this browser's cookie."""
    expected = request.cookies.get(cookie)
    return bool(expected and sent) and hmac.compare_digest(expected, sent)


def safe_next(target: str | None, home: str = "/") -> str:
    """Where to go after login: only a path of this site under `home`, never another host."""
    if not target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(home) or target.startswith("//"):
        return home
    return target


def here(request: Request) -> str:
    """The page the person is on (for htmx, the page that asked), to come back to after login."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request") and request.headers.get("hx-current-url"):
        current = urlsplit(request.headers["hx-current-url"])
        path = current.path + (f"?{current.query}" if current.query else "")
    return path


def login_url(request: Request) -> str:
    """The login page, remembering where the person was."""
    return f"/login?next={quote(safe_next(here(request)), safe='')}"
