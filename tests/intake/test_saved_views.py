"""我的视图: a staff member's saved list filters, theirs alone."""

import pytest


@pytest.fixture
async def clean(intake, staff):
    for who in ("center", "town"):
        for view in (await intake.get("/v1/me/views", headers=staff[who].headers)).json():
            await intake.delete(f"/v1/me/views/{view['id']}", headers=staff[who].headers)


async def test_a_view_is_saved_replaced_by_name_and_deleted(intake, staff, clean):
    center = staff["center"].headers
    first = await intake.post("/v1/me/views", json={"name": "紧急", "query": "urgency=urgent"},
                              headers=center)
    assert first.status_code == 201
    again = await intake.post("/v1/me/views", json={"name": "紧急", "query": "urgency=urgent&sort=due_asc"},
                              headers=center)
    assert again.json()["id"] == first.json()["id"]
    views = (await intake.get("/v1/me/views", headers=center)).json()
    assert views == [{"id": first.json()["id"], "name": "紧急", "query": "urgency=urgent&sort=due_asc"}]
    assert (await intake.delete(f"/v1/me/views/{first.json()['id']}", headers=center)).status_code == 204
    assert (await intake.get("/v1/me/views", headers=center)).json() == []


async def test_another_persons_views_are_neither_seen_nor_deleted(intake, staff, clean):
    mine = await intake.post("/v1/me/views", json={"name": "本镇", "query": "town=532622100"},
                             headers=staff["town"].headers)
    assert (await intake.get("/v1/me/views", headers=staff["center"].headers)).json() == []
    refused = await intake.delete(f"/v1/me/views/{mine.json()['id']}", headers=staff["center"].headers)
    assert refused.status_code == 404
    assert len((await intake.get("/v1/me/views", headers=staff["town"].headers)).json()) == 1


@pytest.mark.parametrize("view_id", ["99999999999999999999", "-1", "abc"])
async def test_a_bad_id_is_a_422_not_a_crash(intake, staff, view_id):
    response = await intake.delete(f"/v1/me/views/{view_id}", headers=staff["center"].headers)
    assert response.status_code == 422


async def test_a_view_needs_a_name_and_a_staff_member(intake, staff, channel_headers, clean):
    nameless = await intake.post("/v1/me/views", json={"name": " ", "query": ""},
                                 headers=staff["center"].headers)
    assert nameless.status_code == 422 and nameless.json()["errors"][0]["field"] == "name"
    channel = await intake.get("/v1/me/views", headers=channel_headers)
    assert channel.status_code == 401  # a channel key is no staff login
