"""Channel back-ends upload with their API key (checked with intake) and attach to their tickets."""

import uuid

import httpx
import pytest
from sqlalchemy import update

from services.core.auth import Role
from services.core.consumer import wait_until
from services.core.db import Database
from services.core.problems import Problem
from services.core.testing import running
from services.intake import accounts
from services.intake.app import create_app as create_intake_app
from services.intake.models import tickets
from services.media.app import create_app
from services.media.channel_keys import ChannelKeys
from services.media.s3server import free_ports
from services.media.settings import MediaSettings
from tests.media import samples
from tests.media.conftest import ACCESS_KEY, SECRET_KEY, serving
from tests.media.flow import citizen, staff, until_consuming, uploaded

HOTLINE_KEY, MINIPROGRAM_KEY = "media-test-hotline-key-0123", "media-test-miniprogram-key-0123"


@pytest.fixture(scope="module")
async def db(settings):
    database = Database(settings.database_url, pool_size=2)
    async with database.transaction() as session:
        await accounts.add_api_key(session, "hotline-system", HOTLINE_KEY)
        await accounts.add_api_key(session, "miniprogram-server", MINIPROGRAM_KEY)
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
async def world(settings, s3_server, db):
    """media that checks keys with intake, and intake that looks attachments up in media, on real ports."""
    [intake_port] = free_ports(1)
    media_settings = MediaSettings(intake_url=f"http://127.0.0.1:{intake_port}")
    media_app = create_app(settings.model_copy(update={
        "s3_endpoint": s3_server.endpoint, "s3_access_key": ACCESS_KEY, "s3_secret_key": SECRET_KEY,
        "s3_bucket": f"media-keys-{uuid.uuid4().hex[:8]}", "db_pool_size": 3}), media_settings)
    async with running(media_app) as media, serving(media_app) as media_url:
        intake_app = create_intake_app(settings.model_copy(update={"media_url": media_url, "db_pool_size": 3}))
        async with running(intake_app) as intake, serving(intake_app, intake_port):
            await until_consuming(settings, settings.broker_name("media"))
            yield media, intake


def key(value: str) -> dict:
    return {"X-Api-Key": value}


async def test_a_channel_uploads_a_recording_and_attaches_it_to_the_ticket_it_submits(world):
    media, intake = world
    recording = await media.post("/v1/media", files={"file": ("call.amr", samples.amr(), "audio/amr")},
                                 headers=key(HOTLINE_KEY))
    assert recording.status_code == 201, recording.text
    assert recording.json()["owner"] == "channel:hotline-system"

    body = {"channel": "hotline", "type": "complaint", "content": "来电反映江那镇振兴街路灯不亮。",
            "media_ids": [recording.json()["id"]],
            "location": {"region_code": "532622", "town_code": "532622100"},
            "contact": {"name": "王先生", "phone": "13912345678"}}
    ticket = await intake.post("/v1/tickets", json=body, headers=key(HOTLINE_KEY))
    assert ticket.status_code == 201, ticket.text

    async def attached() -> bool:
        found = (await media.get(f"/v1/media/{recording.json()['id']}", headers=key(HOTLINE_KEY))).json()
        return found["ticket_id"] == ticket.json()["id"]

    assert await wait_until(attached)


async def test_another_channels_upload_cannot_be_attached(world):
    media, intake = world
    photo = (await media.post("/v1/media", files={"file": ("p.jpg", samples.jpeg(), "image/jpeg")},
                              headers=key(MINIPROGRAM_KEY))).json()
    body = {"channel": "hotline", "type": "complaint", "content": "路灯不亮。", "media_ids": [photo["id"]],
            "location": {"region_code": "532622"}, "contact": {"name": "王先生", "phone": "13912345678"}}

    refused = await intake.post("/v1/tickets", json=body, headers=key(HOTLINE_KEY))

    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "media_ids.0"
    assert (await media.get(f"/v1/media/{photo['id']}", headers=key(HOTLINE_KEY))).status_code == 404


async def test_media_stays_refused_without_a_key_or_token(world):
    media, _ = world
    files = {"file": ("call.amr", samples.amr(), "audio/amr")}
    anonymous = await media.post("/v1/media", files=files)
    wrong_key = await media.post("/v1/media", files=files, headers=key("not-a-key"))
    reading = await media.get(f"/v1/media/{uuid.uuid4()}", headers=key("not-a-key"))

    assert (anonymous.status_code, wrong_key.status_code, reading.status_code) == (401, 401, 401)
    assert wrong_key.json()["detail"] == "X-Api-Key 无效或已停用"


async def test_keys_cannot_be_checked_while_intake_is_away_a_503():
    keys = ChannelKeys("http://127.0.0.1:9")
    with pytest.raises(Problem) as refused:
        await keys.principal("some-key")
    await keys.close()
    assert refused.value.status == 503


async def test_a_published_case_shows_only_the_ticked_photo(world, settings, db):
    media, intake = world
    owner = citizen(settings)
    ticked, other = (await uploaded(media, owner, samples.jpeg()), await uploaded(media, owner, samples.png(),
                                                                                   name="p.png",
                                                                                   content_type="image/png"))
    body = {"channel": "miniprogram", "type": "complaint", "content": "振兴街路灯坏了，晚上很黑。", "public": True,
            "media_ids": [ticked["id"], other["id"]], "location": {"region_code": "532622"},
            "contact": {"name": "王先生", "phone": owner.principal.phone}}
    number = (await intake.post("/v1/tickets", json=body, headers=owner.headers)).json()["number"]
    async with db.transaction() as session:  # as if handled, evaluated and archived
        await session.execute(update(tickets).where(tickets.c.number == number).values(status="closed"))
    center = staff(settings, Role.dispatcher, "cc-532622")

    published = await intake.post(f"/v1/tickets/{number}/publication", headers=center.headers, json={
        "title": "振兴街路灯已修复", "body": "市民反映振兴街路灯损坏。", "reply": "已更换灯具。",
        "photos": [ticked["id"]]})

    assert published.status_code == 201, published.text
    detail = (await intake.get(f"/v1/public/cases/{published.json()['id']}")).json()
    [photo] = detail["photos"]
    async with httpx.AsyncClient() as browser:
        image = await browser.get(photo["url"])
    assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"  # the JPEG, not the PNG


async def test_a_recording_made_after_the_call_is_added_to_the_channels_ticket(world, events):
    media, intake = world
    body = {"channel": "hotline", "type": "complaint", "content": "来电反映平远镇自来水停水两天。",
            "location": {"region_code": "532622"}, "contact": {"name": "李女士", "phone": "13912345679"}}
    ticket = (await intake.post("/v1/tickets", json=body, headers=key(HOTLINE_KEY))).json()
    recording = (await media.post("/v1/media", files={"file": ("call.amr", samples.amr(), "audio/amr")},
                                  headers=key(HOTLINE_KEY))).json()
    url = f"/v1/tickets/{ticket['number']}/attachments"

    added = await intake.post(url, json={"media_ids": [recording["id"]]}, headers=key(HOTLINE_KEY))
    by_other = await intake.post(url, json={"media_ids": [recording["id"]]}, headers=key(MINIPROGRAM_KEY))

    assert added.status_code == 200, added.text
    assert added.json()["media_ids"] == [recording["id"]]
    assert added.json()["timeline"][-1]["text"] == "受理渠道补充附件 1 个"
    assert by_other.status_code == 404

    async def attached() -> bool:
        found = (await media.get(f"/v1/media/{recording['id']}", headers=key(HOTLINE_KEY))).json()
        return found["ticket_id"] == ticket["id"]

    assert await wait_until(attached)
