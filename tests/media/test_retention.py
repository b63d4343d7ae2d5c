"""Uploads no ticket claimed within 24 hours leave the bucket; attached ones stay."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from services.core.auth import Role
from services.core.consumer import wait_until
from services.intake.events import TicketMediaAttached
from services.media import retention
from services.media.handlers import attach
from services.media.models import objects
from tests.media import samples
from tests.media.flow import citizen, publish, staff, uploaded

DAY = timedelta(hours=24)


async def aged(media, body: dict, age: timedelta) -> dict:
    """The upload as if it had been made `age` ago (the job's clock is injected, not waited)."""
    async with media.app.state.db.transaction() as session:
        await session.execute(update(objects).where(objects.c.id == uuid.UUID(body["id"]))
                              .values(created_at=datetime.now(UTC) - age))
    return body


async def state_of(media, body: dict) -> str:
    async with media.app.state.db.transaction() as session:
        return await session.scalar(objects.select().with_only_columns(objects.c.state)
                                    .where(objects.c.id == uuid.UUID(body["id"])))


async def downloadable(body: dict, key: str = "url") -> bool:
    async with httpx.AsyncClient() as http:
        return (await http.get(body[key])).status_code == 200


async def test_only_unattached_uploads_older_than_a_day_are_deleted(media, settings):
    owner = citizen(settings)
    old = await aged(media, await uploaded(media, owner, samples.jpeg()), DAY + timedelta(minutes=1))
    recent = await aged(media, await uploaded(media, owner, samples.jpeg()), DAY - timedelta(minutes=1))
    kept = await aged(media, await uploaded(media, owner, samples.jpeg()), 3 * DAY)
    async with media.app.state.db.transaction() as session:
        await attach(session, uuid.uuid4(), [uuid.UUID(kept["id"])], at=datetime.now(UTC))

    await retention.purge(media.app.state.media, now=datetime.now(UTC))

    assert [await state_of(media, b) for b in (old, recent, kept)] == ["deleted", "stored", "stored"]
    assert not await downloadable(old) and not await downloadable(old, "thumbnail_url")
    assert await downloadable(recent) and await downloadable(kept)
    assert (await media.get(f"/v1/media/{old['id']}", headers=owner.headers)).status_code == 404


async def test_pending_upload_never_completed_is_deleted(media, settings):
    owner = citizen(settings)
    response = await media.post("/v1/media/uploads", json={"kind": "video", "content_type": "video/mp4",
                                                           "size": 1000}, headers=owner.headers)
    started = await aged(media, response.json(), DAY + timedelta(hours=1))

    await retention.purge(media.app.state.media, now=datetime.now(UTC))

    assert await state_of(media, started) == "deleted"


async def test_two_jobs_at_once_share_the_work_without_deleting_twice(media, settings):
    owner = citizen(settings)
    old = [await aged(media, await uploaded(media, owner, samples.amr(), name="v.amr",
                                            content_type="audio/amr"), 2 * DAY) for _ in range(8)]
    runtime, now = media.app.state.media, datetime.now(UTC)

    first, second = await asyncio.gather(retention.purge(runtime, now=now),
                                         retention.purge(runtime, now=now))

    # Another media app of the test session may run its own job meanwhile: it takes its
    # share too, and still no upload is deleted twice.
    assert first + second and len(set(first + second)) == len(first + second)
    assert [await state_of(media, b) for b in old] == ["deleted"] * 8


async def test_staff_evidence_named_by_intake_stays_and_the_rest_goes(media, settings):
    handler = staff(settings, Role.handler, "532622-urban")
    evidence = await aged(media, await uploaded(media, handler, samples.jpeg()), 2 * DAY)
    forgotten = await aged(media, await uploaded(media, handler, samples.jpeg()), 2 * DAY)
    ticket_id = uuid.uuid4()
    await publish(settings, TicketMediaAttached(number="WS20261124009999",
                                                media_ids=[uuid.UUID(evidence["id"])]), ticket_id)

    async def attached() -> bool:
        async with media.app.state.db.transaction() as session:
            return await session.scalar(objects.select().with_only_columns(objects.c.attached_at)
                                        .where(objects.c.id == uuid.UUID(evidence["id"]))) is not None

    assert await wait_until(attached)
    await retention.purge(media.app.state.media, now=datetime.now(UTC))

    assert [await state_of(media, b) for b in (evidence, forgotten)] == ["stored", "deleted"]
