"""Intake asks the running media service about attachments, over real HTTP."""

import uuid

from services.core.consumer import wait_until
from tests.media import samples
from tests.media.flow import citizen, submit, submitted, uploaded


async def test_own_photo_is_accepted_shown_on_the_ticket_and_attached(media, intake, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.jpeg())

    ticket = await submitted(intake, owner, media_ids=[photo["id"]])

    shown = await intake.get(f"/v1/tickets/{ticket['number']}", headers=owner.headers)
    assert shown.json()["media_ids"] == [photo["id"]]

    async def attached() -> bool:
        found = (await media.get(f"/v1/media/{photo['id']}", headers=owner.headers)).json()
        return found["ticket_id"] == ticket["id"] and found["attached_at"] is not None

    assert await wait_until(attached)


async def test_another_citizens_photo_is_refused(media, intake, settings):
    photo = await uploaded(media, citizen(settings), samples.jpeg())

    response = await submit(intake, citizen(settings), media_ids=[photo["id"]])

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "media_ids.0", "message": "附件不存在或不属于您"}]


async def test_unknown_media_id_is_refused(media, intake, settings):
    owner = citizen(settings)
    voice = await uploaded(media, owner, samples.amr(), name="v.amr", content_type="audio/amr")

    response = await submit(intake, owner, media_ids=[voice["id"], str(uuid.uuid4())])

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "media_ids.1"


async def test_photo_without_text_is_refused_but_voice_alone_is_a_report(media, intake, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.jpeg())
    voice = await uploaded(media, owner, samples.amr(), name="v.amr", content_type="audio/amr")

    refused = await submit(intake, owner, content="", media_ids=[photo["id"]])
    accepted = await submit(intake, owner, content="", media_ids=[voice["id"]])

    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "content", "message": "上传图片或视频时须填写文字说明"}]
    assert accepted.status_code == 201
