"""Who may see an upload: the owner, the units handling its ticket, the center; others get 404."""

import uuid

import httpx

from services.core.auth import Role
from services.core.consumer import wait_until
from tests.media import samples
from tests.media.flow import assign, citizen, intake_service, staff, submitted, uploaded

# Units routing never picks: when a routing app runs in the same test session, its own
# assignments of these tickets must not grant or keep access here.
UNIT, OTHER_UNIT = f"test-{uuid.uuid4().hex[:6]}-a", f"test-{uuid.uuid4().hex[:6]}-b"


async def status_for(media, media_id: str, who) -> int:
    return (await media.get(f"/v1/media/{media_id}", headers=who.headers)).status_code


async def test_owner_gets_a_working_link_and_another_citizen_gets_404(media, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.png(), name="a.png", content_type="image/png")

    mine = await media.get(f"/v1/media/{photo['id']}", headers=owner.headers)
    theirs = await media.get(f"/v1/media/{photo['id']}", headers=citizen(settings).headers)

    assert mine.status_code == 200
    async with httpx.AsyncClient() as http:
        assert (await http.get(mine.json()["url"])).status_code == 200
    assert theirs.status_code == 404
    assert theirs.json()["detail"] == "附件不存在或无权查看"
    assert "url" not in theirs.json()


async def test_intake_reads_id_kind_and_owner_of_any_upload(media, settings):
    owner = citizen(settings)
    voice = await uploaded(media, owner, samples.silk(), name="v.silk", content_type="audio/silk")

    response = await media.get(f"/v1/media/{voice['id']}", headers=intake_service(settings).headers)

    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("id", "kind", "owner")} == {
        "id": voice["id"], "kind": "audio", "owner": owner.subject}


async def test_unknown_id_is_404_even_for_admins(media, settings):
    response = await media.get(f"/v1/media/{uuid.uuid4()}", headers=intake_service(settings).headers)

    assert response.status_code == 404


async def test_center_and_supervisors_see_their_countys_ticket_uploads_but_an_agent_does_not(
        media, intake, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.jpeg())
    center = staff(settings, Role.dispatcher, "cc-532622")
    assert await status_for(media, photo["id"], center) == 404  # on no ticket yet: its owner's

    await submitted(intake, owner, media_ids=[photo["id"]])

    async def readable() -> bool:
        return await status_for(media, photo["id"], center) == 200

    assert await wait_until(readable)
    assert await status_for(media, photo["id"], staff(settings, Role.supervisor)) == 200
    assert await status_for(media, photo["id"], staff(settings, Role.dispatcher, "cc-532600", "532600")) == 200
    assert await status_for(media, photo["id"], staff(settings, Role.agent, "cc-532622")) == 404


async def test_another_countys_center_and_supervisors_get_404(media, intake, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.jpeg())
    await submitted(intake, owner, media_ids=[photo["id"]])
    center = staff(settings, Role.dispatcher, "cc-532622")

    async def readable() -> bool:
        return await status_for(media, photo["id"], center) == 200

    assert await wait_until(readable)
    for role in (Role.dispatcher, Role.supervisor):
        response = await media.get(f"/v1/media/{photo['id']}",
                                   headers=staff(settings, role, "cc-532601", "532601").headers)
        assert response.status_code == 404 and "url" not in response.json()


async def test_handler_of_the_assigned_unit_reads_the_ticket_photo(media, intake, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.jpeg())
    ticket = await submitted(intake, owner, media_ids=[photo["id"]])
    handler, other = staff(settings, Role.handler, UNIT), staff(settings, Role.handler, OTHER_UNIT)
    assert await status_for(media, photo["id"], handler) == 404

    await assign(settings, ticket["id"], ticket["number"], UNIT)

    async def readable() -> bool:
        return await status_for(media, photo["id"], handler) == 200

    assert await wait_until(readable)
    assert await status_for(media, photo["id"], staff(settings, Role.unit_leader, UNIT)) == 200
    assert await status_for(media, photo["id"], other) == 404


async def test_a_transfer_moves_access_to_the_new_lead_unit(media, intake, settings):
    owner = citizen(settings)
    photo = await uploaded(media, owner, samples.jpeg())
    ticket = await submitted(intake, owner, media_ids=[photo["id"]])
    first, second = staff(settings, Role.handler, UNIT), staff(settings, Role.handler, OTHER_UNIT)
    await assign(settings, ticket["id"], ticket["number"], UNIT)

    async def status_is(who, code) -> bool:
        return await status_for(media, photo["id"], who) == code

    assert await wait_until(lambda: status_is(first, 200))
    await assign(settings, ticket["id"], ticket["number"], OTHER_UNIT, reason="transfer")

    assert await wait_until(lambda: status_is(second, 200))
    assert await status_is(first, 404)
