"""Demo accounts for development: a channel key and staff of every demo unit."""

import secrets

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Role
from services.core.demo_directory import COUNTIES, PREFECTURE, UNITS, command_center_code
from services.core.settings import Settings
from services.intake import accounts

HANDLING_KINDS = ("town", "department")


def staff_accounts() -> list[dict]:
    """admin, center-<adcode>, supervisor-<adcode>, agent-<adcode>, handler-/leader-<unit>."""
    regions = [PREFECTURE[0], *(code for code, _ in COUNTIES)]
    rows = [dict(username="admin", role=Role.admin, region_code=PREFECTURE[0])]
    for region in regions:
        center = command_center_code(region)
        rows += [
            dict(username=f"center-{region}", role=Role.dispatcher, unit_code=center, region_code=region),
            dict(username=f"supervisor-{region}", role=Role.supervisor, region_code=region),
            dict(username=f"agent-{region}", role=Role.agent, unit_code=center, region_code=region),
        ]
    for unit in UNITS.values():
        if unit.kind in HANDLING_KINDS:
            for prefix, role in (("handler", Role.handler), ("leader", Role.unit_leader)):
                rows.append(dict(username=f"{prefix}-{unit.code}", role=role, unit_code=unit.code,
                                 region_code=unit.region_code, display_name=f"{unit.name}"))
    return rows


async def seed(session: AsyncSession, settings: Settings) -> dict:
    """Create the demo key and accounts; returns the secrets to print."""
    if settings.production:
        raise RuntimeError("the demo seed never runs with ENV=production")
    api_key = settings.dev_api_key or secrets.token_urlsafe(24)
    password = settings.dev_password or secrets.token_urlsafe(12)
    await accounts.add_api_key(session, "dev-channel", api_key)
    password_hash = PasswordHasher().hash(password)  # one hash: every demo account shares it
    rows = staff_accounts()
    for row in rows:
        await accounts.upsert_staff(session, password_hash=password_hash, **row)
    return {"api_key": api_key, "password": password, "accounts": len(rows)}
