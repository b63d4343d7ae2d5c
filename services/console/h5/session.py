"""The citizen's session: their token in an HttpOnly cookie of /m/, and their own CSRF token."""

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request

from services.console import session as web
from services.core.auth import Principal, Role, read_token
from services.core.problems import Problem

SESSION_COOKIE = "h5_session"
CSRF_COOKIE = "h5_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
COOKIE_PATH = "/m"
HOME = "/m/"


@dataclass(frozen=True)
class Citizen:
    """A citizen logged in by SMS code: their token and their phone."""

    token: str
    principal: Principal

    @property
    def phone(self) -> str:
        return self.principal.phone or ""

    @property
    def masked_phone(self) -> str:
        """138****0001: what the pages show of the citizen's own number."""
        phone = self.phone
        return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else phone


class NotLoggedIn(Exception):
    """No valid citizen session: the citizen logs in by SMS code and comes back."""


def session_citizen(request: Request) -> Citizen | None:
    """The citizen of this request's cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = read_token(token, request.app.state.settings.jwt_secret)
    except Problem:
        return None
    return Citizen(token, principal) if principal.role is Role.citizen else None


def csrf_token(request: Request) -> str:
    """This browser's CSRF token for the H5 pages (set as a cookie by the middleware)."""
    return web.csrf_token(request, CSRF_COOKIE, "new_h5_csrf")


def csrf_ok(request: Request, sent: str | None) -> bool:
    """Whether a form's (or htmx header's) token matches this browser's H5 cookie."""
    return web.csrf_ok(request, sent, CSRF_COOKIE)


def safe_next(target: str | None) -> str:
    """Where to go after login: only a page under /m/, never another host."""
    return web.safe_next(target, HOME)


def login_url(request: Request) -> str:
    """The SMS login page, remembering where the citizen was."""
    return f"/m/login?next={quote(safe_next(web.here(request)), safe='')}"
