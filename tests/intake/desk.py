"""Helpers for the staff desk tests: people of units no other test uses, sla's events, paging."""

import uuid
from datetime import UTC, datetime, timedelta

from services.core.auth import Principal, Role, issue_token
from services.core.consumer import wait_until
from services.core.events import UnitEvent
from services.core.testing import publish
from services.intake.directory import KNOWN
from services.intake.models import names
from tests.directory import announce_town
from tests.intake.factories import ticket_body
from tests.intake.flow import Desk, assign, submit


class ClockChanged(UnitEvent):
    """What sla publishes (docs/events.md); built here so intake is tested on its own."""

    type = "sla.clock_changed"
    number: str
    clock: str
    state: str
    deadline: datetime | None = None
    warn_at: datetime | None = None


class SlaWarning(UnitEvent):
    type = "sla.warning"
    number: str
    clock: str
    deadline: datetime
    seconds_left: float = 3600
    level: str = "75%"


def fresh_unit() -> str:
    return f"t{uuid.uuid4().hex[:8]}-town"


def fresh_town() -> str:
    """A 12-digit town code of the test's own, so its tickets can be told from everyone's."""
    return f"532622{uuid.uuid4().int % 10**6:06d}"


def person(client, settings, role: Role, unit: str | None = None, region: str | None = "532622",
           subject: str | None = None) -> Desk:
    """A staff member with a token as staff-token issues it."""
    principal = Principal(subject or f"{role.value}-{uuid.uuid4().hex[:6]}", role, unit, region)
    return Desk(client, issue_token(principal, settings.jwt_secret, 3600))


async def clock_event(settings, event, *, at: datetime | None = None) -> None:
    """Publish an sla event as its relay would, dated `at` (default now)."""
    envelope = event.envelope(producer="sla").model_dump(mode="json")
    envelope["occurred_at"] = (at or datetime.now(UTC)).isoformat()
    await publish(settings, event, envelope=envelope)


def hours(n: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=n)


async def ticket_in(intake, channel_headers, town: str, **overrides) -> str:
    """A hotline ticket in the test's own town (announced, as routing would have)."""
    await announce_town(intake.app.state.db, names, town, cache=KNOWN)
    location = {**ticket_body()["location"], "town_code": town}
    return await submit(intake, channel_headers, location=location, **overrides)


async def assigned_ticket(intake, settings, channel_headers, town: str, unit: str, **overrides) -> str:
    number = await ticket_in(intake, channel_headers, town, **overrides)
    await assign(settings, intake, number, unit)
    return number


async def search(desk: Desk, **params):
    return await desk.client.get("/v1/search/tickets", params=params, headers=desk.headers)


async def all_pages(desk: Desk, **params) -> list[dict]:
    """Every item of a search, page by page, following `next`."""
    items, after = [], None
    while True:
        response = await search(desk, **params, **({"after": after} if after else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        after = body["next"]
        if after is None:
            return items


async def numbers(desk: Desk, **params) -> list[str]:
    return [item["number"] for item in await all_pages(desk, **params)]


async def until_listed(desk: Desk, number: str, check=lambda item: True, **params) -> dict:
    """Wait until the ticket is listed (and `check` holds for it); the item."""
    found: dict = {}

    async def shown() -> bool:
        for item in (await search(desk, q=number, **params)).json().get("items", []):
            if item["number"] == number and check(item):
                found.update(item)
                return True
        return False

    assert await wait_until(shown), f"{number} was not listed as expected"
    return found
