"""The people who upload and look, and the events routing would publish, for the media tests."""

import random
import uuid
from dataclasses import dataclass

import httpx

from services.core.auth import Principal, Role, issue_token
from services.core.events import UnitEvent
from services.core.testing import publish, until_consuming  # noqa: F401  (used by the tests)


@dataclass(frozen=True)
class Person:
    """Someone with a bearer token."""

    principal: Principal
    headers: dict

    @property
    def subject(self) -> str:
        return self.principal.subject


def person(settings, principal: Principal) -> Person:
    token = issue_token(principal, settings.jwt_secret, 3600)
    return Person(principal, {"Authorization": f"Bearer {token}"})


def citizen(settings) -> Person:
    """A citizen logged in by SMS, with a phone of its own."""
    phone = f"139{random.randrange(10**8):08d}"
    return person(settings, Principal(str(uuid.uuid4()), Role.citizen, phone=phone))


def staff(settings, role: Role, unit: str | None = None, region: str = "532622") -> Person:
    """A staff member of a unit (handlers, leaders) or of the county (center, supervisors)."""
    return person(settings, Principal(f"{role.value}-{uuid.uuid4().hex[:6]}", role, unit, region))


def intake_service(settings) -> Person:
    """The token intake uses when it looks an attachment up."""
    return person(settings, Principal("service:intake", Role.admin))


async def upload(client, who: Person, data: bytes, name: str = "photo.jpg",
                 content_type: str = "image/jpeg"):
    """POST /v1/media with one multipart file."""
    return await client.post("/v1/media", files={"file": (name, data, content_type)},
                             headers=who.headers)


async def uploaded(client, who: Person, data: bytes, **kwargs) -> dict:
    """The metadata of a successful upload."""
    response = await upload(client, who, data, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


class Assigned(UnitEvent):
    """What routing publishes (docs/events.md)."""

    type = "ticket.assigned"
    number: str
    unit_name: str
    role: str
    assignment_id: str
    category: str | None = "municipal"
    urgency: str = "normal"
    sla_class: str = "normal"
    ticket_type: str = "complaint"
    region_code: str = "532622"
    reason: str
    suggestions: list = []


async def assign(settings, ticket_id: str, number: str, unit: str, *, role: str = "lead",
                 reason: str = "auto") -> None:
    """Routing gives a unit the ticket."""
    await publish(settings, Assigned(unit_code=unit, number=number, unit_name=unit, role=role,
                                     assignment_id=str(uuid.uuid4()), reason=reason),
                  ticket_id=uuid.UUID(ticket_id))


def ticket_body(who: Person, **overrides) -> dict:
    """A citizen's report from the mini-program."""
    return {
        "channel": "miniprogram", "type": "complaint",
        "content": "江那镇振兴街路灯坏了一周，晚上很黑，请尽快修复。",
        "location": {"region_code": "532622", "town_code": "532622100",
                     "address": "砚山县江那镇振兴街 18 号"},
        "contact": {"name": "王先生", "phone": who.principal.phone},
        **overrides,
    }


async def submit(intake, who: Person, **overrides) -> httpx.Response:
    """POST /v1/tickets to intake as this person."""
    return await intake.post("/v1/tickets", json=ticket_body(who, **overrides), headers=who.headers)


async def submitted(intake, who: Person, **overrides) -> dict:
    """The id and number of an accepted submission."""
    response = await submit(intake, who, **overrides)
    assert response.status_code == 201, response.text
    return response.json()


