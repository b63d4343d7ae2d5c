"""With the broker unreachable, submissions succeed and their events go out once it is back."""

from sqlalchemy import func, select

from services.core.testing import running
from services.intake.app import create_app
from services.intake.models import outbox
from tests.intake.factories import ticket_body

NOWHERE = "amqp://guest:guest@127.0.0.1:1/"


async def test_tickets_are_accepted_while_the_broker_is_down(settings, db, channel_headers, events):
    app = create_app(settings.model_copy(update={"amqp_url": NOWHERE}))
    async with running(app) as client:
        response = await client.post("/v1/tickets", json=ticket_body(), headers=channel_headers)
        assert response.status_code == 201
        number = response.json()["number"]
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["broker"].startswith("down")
        async with db.transaction() as session:
            waiting = await session.scalar(
                select(func.count()).select_from(outbox)
                .where(outbox.c.published_at.is_(None), outbox.c.envelope["data"]["number"].astext == number))
        assert waiting == 1

        app.state.broker.url = settings.amqp_url  # the broker comes back
        arrived = await events.collect(
            lambda m: m["type"] == "ticket.created" and m["data"]["number"] == number, timeout=15)
        await events.drain(0.3)

    assert len([m for m in events.seen if m["type"] == "ticket.created"
                and m["data"]["number"] == number]) == len(arrived) == 1
