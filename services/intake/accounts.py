"""Citizen login by SMS code, staff login by password, channel API keys."""

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.outbox import Outbox
from services.core.problems import Problem
from services.intake.events import AuthCodeRequested
from services.intake.models import api_keys, citizens, sms_codes, staff

MAX_CODE_TRIES = 5
CODES_PER_DAY = 10
_hasher = PasswordHasher()
# Verifying an unknown user against a real hash keeps the timing of both answers alike.
_DUMMY_HASH = _hasher.hash("no-such-user")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def request_code(session: AsyncSession, outbox: Outbox, phone: str, *, ttl: int,
                       now: datetime | None = None) -> None:
    """Send a 6-digit login code: at most one a minute and ten a day per phone."""
    now = now or datetime.now(UTC)
    # Serialise requests for one phone so two at once cannot both pass the limits.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("sms:" + phone))))
    recent = (await session.execute(
        select(func.count().filter(sms_codes.c.created_at > now - timedelta(minutes=1)),
               func.count().filter(sms_codes.c.created_at > now - timedelta(days=1)))
        .where(sms_codes.c.phone == phone)
    )).one()
    if recent[0]:
        raise Problem(429, "发送过于频繁", "验证码每分钟只能获取一次，请稍后再试", headers={"Retry-After": "60"})
    if recent[1] >= CODES_PER_DAY:
        raise Problem(429, "今日次数已用完", "每个手机号每天最多获取 10 次验证码")
    code = f"{secrets.randbelow(10**6):06d}"
    await session.execute(insert(sms_codes).values(
        phone=phone, code_hash=digest(phone + code), expires_at=now + timedelta(seconds=ttl),
        created_at=now))
    await outbox.stage(session, AuthCodeRequested(phone=phone, code=code, expires_in=ttl))


async def check_code(session: AsyncSession, phone: str, code: str,
                     openid: str | None = None) -> uuid.UUID | Problem:
    """Use the newest live code; five wrong tries void it.

    A wrong code is returned as a Problem, not raised, so the counted try is committed (and
    the caller counts the failure against the address it came from).
    """
    row = (await session.execute(
        select(sms_codes).where(sms_codes.c.phone == phone, sms_codes.c.used.is_(False),
                                sms_codes.c.expires_at > func.now())
        .order_by(sms_codes.c.id.desc()).limit(1).with_for_update()
    )).mappings().first()
    if row is None:
        return Problem(401, "验证码无效", "验证码已过期或未获取，请重新获取")
    if not hmac.compare_digest(row["code_hash"], digest(phone + code)):
        tries = row["attempts"] + 1
        await session.execute(update(sms_codes).where(sms_codes.c.id == row["id"])
                              .values(attempts=tries, used=tries >= MAX_CODE_TRIES))
        left = MAX_CODE_TRIES - tries
        detail = f"验证码错误，还可尝试 {left} 次" if left else "验证码错误次数过多，已失效，请重新获取"
        return Problem(401, "验证码错误", detail)
    await session.execute(update(sms_codes).where(sms_codes.c.id == row["id"]).values(used=True))
    return await citizen_id(session, phone, openid)


async def citizen_id(session: AsyncSession, phone: str, openid: str | None = None) -> uuid.UUID:
    """The citizen account of a phone, made on first login; a mini-program login adds the openid."""
    statement = insert(citizens).values(id=uuid.uuid4(), phone=phone, openid=openid)
    if openid:
        statement = statement.on_conflict_do_update(index_elements=["phone"], set_={"openid": openid})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["phone"])
    await session.execute(statement)
    return await session.scalar(select(citizens.c.id).where(citizens.c.phone == phone))


async def openid_of(session: AsyncSession, phone: str) -> str | None:
    """The WeChat openid a citizen logged in with, if any."""
    return await session.scalar(select(citizens.c.openid).where(citizens.c.phone == phone))


async def staff_login(session: AsyncSession, username: str, password: str) -> Principal:
    """The staff principal for a correct username and password."""
    row = (await session.execute(
        select(staff).where(staff.c.username == username, staff.c.active.is_(True))
    )).mappings().first()
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, InvalidHashError):
        row = None
    if row is None:
        raise Problem(401, "用户名或密码错误", "用户名或密码错误")
    return Principal(row["username"], Role(row["role"]), row["unit_code"], row["region_code"])


async def upsert_staff(session: AsyncSession, *, username: str, role: Role,
                       password: str | None = None, password_hash: str | None = None,
                       unit_code: str | None = None, region_code: str | None = None,
                       display_name: str | None = None) -> None:
    """Create or update a staff account (seed and admin tools)."""
    values = dict(password_hash=password_hash or _hasher.hash(password), role=role.value,
                  unit_code=unit_code,
                  region_code=region_code, display_name=display_name or username, active=True)
    await session.execute(insert(staff).values(id=uuid.uuid4(), username=username, **values)
                          .on_conflict_do_update(index_elements=["username"], set_=values))


async def add_api_key(session: AsyncSession, name: str, key: str) -> None:
    """Store a channel back-end's key, hashed."""
    await session.execute(insert(api_keys).values(id=uuid.uuid4(), name=name, key_hash=digest(key))
                          .on_conflict_do_update(index_elements=["name"], set_={"key_hash": digest(key)}))


async def channel_for_key(session: AsyncSession, key: str) -> Principal | None:
    """The channel principal of an API key, or None."""
    name = await session.scalar(select(api_keys.c.name).where(
        api_keys.c.key_hash == digest(key), api_keys.c.active.is_(True)))
    return Principal(f"channel:{name}", Role.channel) if name else None
