"""Bearer JWTs for citizens and staff; roles as DESIGN.md names them."""

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt
from fastapi import Request

from services.core.problems import Problem

# Tokens are for this platform's services only: one signed for another system with the same
# secret (a shared vault, a copy-paste) is refused.
AUDIENCE = "hotline"


class Role(StrEnum):
    citizen = "citizen"
    agent = "agent"
    dispatcher = "dispatcher"
    handler = "handler"
    unit_leader = "unit_leader"
    supervisor = "supervisor"
    admin = "admin"
    channel = "channel"


STAFF = frozenset(Role) - {Role.citizen, Role.channel}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a citizen (by phone), a staff member (with unit and county) or a channel."""

    subject: str
    role: Role
    unit: str | None = None
    region: str | None = None
    phone: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


def issue_token(principal: Principal, secret: str, ttl_seconds: int) -> str:
    """A signed HS256 token carrying the principal."""
    now = int(time.time())
    claims = {"sub": principal.subject, "role": principal.role.value, "iat": now, "exp": now + ttl_seconds,
              "aud": AUDIENCE}
    for key in ("unit", "region", "phone"):
        if getattr(principal, key):
            claims[key] = getattr(principal, key)
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> Principal:
    """The principal of a valid token; a 401 problem otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
        principal = Principal(claims["sub"], Role(claims["role"]), claims.get("unit"),
                              claims.get("region"), claims.get("phone"))
    except (jwt.PyJWTError, KeyError, ValueError):
        raise unauthorized("登录已过期或令牌无效，请重新登录") from None
    if not _fits(principal):
        raise unauthorized("登录身份无效，请重新登录")
    return principal


# What a principal's fields may hold: the columns that record who did what are this wide.
LIMITS = {"subject": 100, "unit": 40, "region": 6, "phone": 20}


def _fits(principal: Principal) -> bool:
    """Signed but unusable (a subject too long for the audit columns, a NUL): refused."""
    for name, limit in LIMITS.items():
        value = getattr(principal, name)
        if value is not None and (not isinstance(value, str) or len(value) > limit or "\x00" in value):
            return False
    return True


def unauthorized(detail: str = "请先登录") -> Problem:
    return Problem(401, "未登录或登录已过期", detail, headers={"WWW-Authenticate": "Bearer"})


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def principal_from_request(request: Request) -> Principal:
    """The caller of a request with a bearer token; 401 without one."""
    token = bearer(request)
    if token is None:
        raise unauthorized()
    return read_token(token, request.app.state.settings.jwt_secret)


def require(principal: Principal, *roles: Role) -> None:
    """403 unless the principal has one of the roles."""
    if principal.role not in roles:
        raise Problem(403, "无权操作", f"需要以下角色之一：{', '.join(roles)}")
