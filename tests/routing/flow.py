"""Helpers that play the other side: channels submitting, intake's events, staff tokens."""

import random
import uuid

from services.core.auth import Principal, Role, issue_token
from services.core.consumer import wait_until
from services.core.testing import Tap, publish, until_consuming  # noqa: F401  (used by the tests)

API_KEY = "routing-test-channel-key-0123456789"
CHANNEL = {"X-Api-Key": API_KEY}
_random = random.Random()


def phone() -> str:
    return f"137{_random.randrange(10**8):08d}"


def place() -> dict:
    """A point in 砚山县 far enough from any other test's tickets."""
    return {"lat": round(_random.uniform(23.2, 23.9), 6), "lng": round(_random.uniform(103.8, 104.6), 6)}


def ticket_body(content: str, *, category: str | None = None, region: str = "532622",
                town: str | None = "532622100", caller: str | None = None,
                at: tuple[float, float] | None = None, **overrides) -> dict:
    point = {"lat": at[0], "lng": at[1]} if at else place()
    body = {
        "channel": "hotline", "type": "complaint", "urgency": "normal", "content": content,
        "category": category,
        "location": {"region_code": region, "town_code": town, "address": "测试地址", **point},
        "contact": {"name": "王先生", "phone": caller or phone()}, "anonymous": False,
        "public": False,
    }
    return {**body, **overrides}


async def submit(intake, content: str, **options) -> dict:
    """Submit a ticket through intake as the hotline system does; its id and number."""
    response = await intake.post("/v1/tickets", json=ticket_body(content, **options), headers=CHANNEL)
    assert response.status_code == 201, response.text
    return response.json()


async def submit_once_known(intake, content: str, **options) -> dict:
    """Submit as soon as intake has heard of a category or unit just announced (it refuses
    codes it does not know, and hears of new ones within seconds)."""
    answers = []

    async def accepted() -> bool:
        answers.append(await intake.post("/v1/tickets", json=ticket_body(content, **options),
                                         headers=CHANNEL))
        return answers[-1].status_code == 201
    assert await wait_until(accepted, timeout=10), answers[-1].text
    return answers[-1].json()


def bearer(settings, role: Role, *, unit: str | None = None, region: str | None = None,
           subject: str | None = None) -> dict:
    principal = Principal(subject or f"{role.value}-{unit or region}", role, unit, region)
    return {"Authorization": f"Bearer {issue_token(principal, settings.jwt_secret, 600)}"}


def assigned(number: str, unit: str | None = None):
    """A tap predicate: `ticket.assigned` of this ticket (to this unit)."""
    return lambda m: (m["type"] == "ticket.assigned" and m["data"]["number"] == number
                      and (unit is None or m["data"]["unit_code"] == unit))


def uid() -> str:
    return uuid.uuid4().hex[:8]


class PatientTap(Tap):
    """core's Tap, but a broker slow to answer one poll under load is not a failure."""

    async def _pull(self, timeout: float) -> None:
        try:
            await super()._pull(timeout)
        except TimeoutError:  # basic_get's own RPC deadline passed; poll again
            pass
