"""Helpers that drive the handling process the way each role does, over HTTP and the broker."""

import uuid

from services.core.consumer import wait_until
from services.core.events import UnitEvent
from services.core.testing import publish
from tests.intake.factories import ticket_body


class Assigned(UnitEvent):
    """What routing publishes (docs/events.md); built here so intake is tested on its own."""

    type = "ticket.assigned"
    number: str
    unit_name: str
    role: str
    assignment_id: str
    category: str | None
    urgency: str
    sla_class: str
    ticket_type: str
    region_code: str
    reason: str
    suggestions: list = []


class Desk:
    """One staff member at their desk: a token and the calls they make."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    async def act(self, number: str, action: str, body: dict | None = None):
        return await self.client.post(f"/v1/tickets/{number}/actions/{action}", json=body,
                                      headers=self.headers)

    async def get(self, number: str):
        return await self.client.get(f"/v1/tickets/{number}", headers=self.headers)

    async def get_path(self, path: str, **params):
        return await self.client.get(path, params=params, headers=self.headers)


async def desk(client, username: str, password: str = "test-pass") -> Desk:
    response = await client.post("/v1/auth/staff-token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return Desk(client, response.json()["access_token"])


async def submit(client, headers, **overrides) -> str:
    response = await client.post("/v1/tickets", json=ticket_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def assign(settings, client, number: str, unit: str, role: str = "lead", *,
                 reason: str = "auto", urgency: str = "normal") -> None:
    """Routing assigns; wait until intake shows the unit on the ticket."""
    await publish(settings, Assigned(
        unit_code=unit, number=number, unit_name=unit, role=role, assignment_id=str(uuid.uuid4()),
        category="municipal", urgency=urgency, sla_class="normal", ticket_type="complaint",
        region_code="532622", reason=reason))
    admin = client.admin

    async def shown() -> bool:
        ticket = (await admin.get(number)).json()
        return unit in ticket["units"] or (role == "dispatch" and any(
            e["action"] == "queue" for e in ticket["timeline"]))

    assert await wait_until(shown), f"{number} was not assigned to {unit}"
