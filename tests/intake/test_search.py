"""The staff ticket list: jurisdiction, anonymity, every filter, keyset pages, bad parameters."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.core.auth import Principal, Role
from services.intake.search_schemas import LABELS
from tests.intake.desk import (
    ClockChanged,
    all_pages,
    assigned_ticket,
    clock_event,
    fresh_town,
    fresh_unit,
    hours,
    numbers,
    person,
    search,
    ticket_in,
    until_listed,
)
from tests.intake.factories import phone

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_a_handler_finds_only_its_units_tickets(intake, settings, channel_headers, staff):
    unit, other, town = fresh_unit(), fresh_unit(), fresh_town()
    mine = await assigned_ticket(intake, settings, channel_headers, town, unit)
    theirs = await assigned_ticket(intake, settings, channel_headers, town, other)
    handler = person(intake, settings, Role.handler, unit)

    assert await numbers(handler, town=town) == [mine]
    everything = await all_pages(handler, limit=100)
    assert [item["number"] for item in everything] == [mine]
    assert await numbers(handler, q=theirs) == []  # not even by its number
    assert await numbers(handler, unit=other) == []
    assert set(await numbers(staff["center"], town=town)) == {mine, theirs}
    assert await numbers(staff["other_center"], town=town) == []  # another county's desk
    assert set(await numbers(staff["supervisor"], town=town)) == {mine, theirs}


async def test_anonymous_contacts_stay_hidden_from_units(intake, settings, channel_headers, staff):
    unit, town, caller = fresh_unit(), fresh_town(), phone()
    number = await assigned_ticket(intake, settings, channel_headers, town, unit, anonymous=True,
                                   contact={"name": "王先生", "phone": caller})
    handler = person(intake, settings, Role.handler, unit)
    [seen_by_unit] = await all_pages(handler, town=town)
    assert seen_by_unit["anonymous"] is True and seen_by_unit["contact"] is None
    assert caller not in str(seen_by_unit)
    [seen_by_center] = await all_pages(staff["center"], town=town)
    assert seen_by_center["contact"]["phone"] == caller
    # A unit cannot learn whose an anonymous ticket is by searching a phone number.
    assert await numbers(handler, phone=caller) == []
    assert await numbers(staff["center"], phone=caller) == [number]


async def test_each_filter_narrows_to_its_tickets(intake, settings, channel_headers, staff):
    town, center, caller = fresh_town(), staff["center"], phone()
    noise = await ticket_in(intake, channel_headers, town, category="municipal.noise", urgency="urgent",
                            contact={"name": "李女士", "phone": caller},
                            content="振兴街烧烤摊夜间噪音扰民，凌晨两点还在营业。")
    light = await ticket_in(intake, channel_headers, town, category="municipal.streetlight",
                            channel="web", type="report", content="团结路东段路灯不亮已有一周，夜间行人摔倒。")
    water = await ticket_in(intake, channel_headers, town, category="infrastructure.water",
                            type="consult", content="请问江那镇什么时候恢复供水？")
    rejected = await center.act(water, "reject", {"reason_code": "other", "text": "已由供水公司答复"})
    assert rejected.status_code == 200, rejected.text
    today = datetime.now(SHANGHAI).date()
    cases = [
        ({}, {noise, light, water}),
        ({"category": "municipal"}, {noise, light}),
        ({"category": "municipal.noise"}, {noise}),
        ({"category": "infrastructure"}, {water}),
        ({"urgency": "urgent"}, {noise}),
        ({"channel": "web"}, {light}),
        ({"type": "consult"}, {water}),
        ({"status": "rejected"}, {water}),
        ({"status": ["submitted", "rejected"]}, {noise, light, water}),
        ({"region": "532622"}, {noise, light, water}),
        ({"region": "532623"}, set()),
        ({"phone": caller}, {noise}),
        ({"q": "路灯不亮"}, {light}),
        ({"q": "恢复供水"}, {water}),
        ({"q": light}, {light}),
        ({"q": light.lower()}, {light}),
        ({"q": "%%%"}, set()),  # a wildcard is a character to find, not a wildcard
        ({"created_from": today.isoformat(), "created_to": today.isoformat()}, {noise, light, water}),
        ({"created_to": (today - timedelta(days=1)).isoformat()}, set()),
        ({"created_from": (today + timedelta(days=1)).isoformat()}, set()),
        ({"sla": "normal"}, set()),  # no clock runs before an assignment
        ({"queue": "submitted"}, {noise, light}),
    ]
    for params, expected in cases:
        assert set(await numbers(center, town=town, **params)) == expected, params


async def test_unit_and_sla_filters(intake, settings, channel_headers, staff):
    town, first, second = fresh_town(), fresh_unit(), fresh_unit()
    late = await assigned_ticket(intake, settings, channel_headers, town, first)
    on_time = await assigned_ticket(intake, settings, channel_headers, town, second)
    await clock_event(settings, ClockChanged(unit_code=first, number=late, clock="completion",
                                             state="running", deadline=hours(-2), warn_at=hours(-10)))
    await clock_event(settings, ClockChanged(unit_code=second, number=on_time, clock="completion",
                                             state="running", deadline=hours(48), warn_at=hours(36)))
    center = staff["center"]
    await until_listed(center, on_time, lambda item: item["sla_state"] == "normal")
    await until_listed(center, late, lambda item: item["sla_state"] == "overdue")
    assert await numbers(center, town=town, unit=first) == [late]
    assert await numbers(center, town=town, sla="overdue") == [late]
    assert await numbers(center, town=town, sla="normal") == [on_time]
    assert await numbers(center, town=town, sla="warning") == []
    assert await numbers(center, town=town, sort="due_asc") == [late, on_time]


@pytest.mark.parametrize("sort", ["created_desc", "created_asc", "updated_desc", "due_asc"])
async def test_paging_visits_every_ticket_once_in_order(intake, settings, channel_headers, staff, sort):
    town, unit, center = fresh_town(), fresh_unit(), staff["center"]
    made = [await ticket_in(intake, channel_headers, town) for _ in range(5)]
    for number, due in zip(made[:3], (hours(30), hours(10), hours(20)), strict=True):
        await assign_with_deadline(intake, settings, number, unit, due)
    pages, after = [], None
    while True:
        params = {"town": town, "sort": sort, "limit": 2, **({"after": after} if after else {})}
        body = (await search(center, **params)).json()
        pages.append(body["items"])
        after = body["next"]
        if after is None:
            break
    listed = [item for page in pages for item in page]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(item["number"] for item in listed) == sorted(made)
    if sort == "due_asc":
        assert [item["number"] for item in listed[:3]] == [made[1], made[2], made[0]]
        assert [item["completion_due"] for item in listed[3:]] == [None, None]
    else:
        field = "updated_at" if sort == "updated_desc" else "created_at"
        times = [item[field] for item in listed]
        assert times == sorted(times, reverse=sort.endswith("desc"))


async def assign_with_deadline(intake, settings, number, unit, due):
    from tests.intake.flow import assign

    await assign(settings, intake, number, unit)
    await clock_event(settings, ClockChanged(unit_code=unit, number=number, clock="completion",
                                             state="running", deadline=due))
    await until_listed(intake.admin, number, lambda item: item["completion_due"] is not None)


async def test_a_cursor_is_tamper_proof_and_tied_to_its_sort(intake, channel_headers, staff):
    town, center = fresh_town(), staff["center"]
    for _ in range(3):
        await ticket_in(intake, channel_headers, town)
    cursor = (await search(center, town=town, limit=1)).json()["next"]
    body, _, signature = cursor.partition(".")
    flipped = body[:5] + ("A" if body[5] != "A" else "B") + body[6:]
    for bad, params in ((f"{flipped}.{signature}", {}), (cursor, {"sort": "created_asc"}),
                        ("not-a-cursor", {}), (cursor + "x", {})):
        response = await search(center, town=town, limit=1, after=bad, **params)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == "after"
    assert (await search(center, town=town, limit=1, after=cursor)).status_code == 200


@pytest.mark.parametrize("params, field", [
    ({"status": "bogus"}, "status"),
    ({"status": ["submitted", "bogus"]}, "status"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"created_from": "2026-13-01"}, "created_from"),
    ({"created_from": "2026-11-02", "created_to": "2026-11-01"}, "created_to"),
    ({"sla": "late"}, "sla"),
    ({"q": "噪音"}, "q"),
    ({"queue": "everything"}, "queue"),
    ({"sort": "random"}, "sort"),
    ({"region": "5326"}, "region"),
    ({"town": "12"}, "town"),
    ({"phone": "12345"}, "phone"),
    ({"category": "Municipal!"}, "category"),
    ({"urgency": "high"}, "urgency"),
    ({"channel": "fax"}, "channel"),
    ({"type": "rumour"}, "type"),
    ({"unit": "a unit"}, "unit"),
    ({"after": "garbage"}, "after"),
])
async def test_bad_parameters_are_422_naming_the_field_in_chinese(staff, params, field):
    response = await search(staff["center"], **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "请求参数有误"
    [error] = problem["errors"]
    assert error["field"].split(".")[0] == field and error["label"] == LABELS[field]
    assert problem["detail"].startswith(LABELS[field] + "：")


async def test_empty_form_fields_are_no_filter(staff):
    response = await search(staff["center"], status="", category="", q="", limit=1)
    assert response.status_code == 200, response.text


async def test_only_staff_search(intake, settings):
    citizen = person(intake, settings, Role.citizen, region=None)
    response = await search(citizen)
    assert response.status_code == 403 and response.json()["detail"] == "仅限工作人员"
    assert (await intake.get("/v1/search/tickets")).status_code == 401


@pytest.mark.parametrize("sort", ["created_desc", "due_asc"])
async def test_a_units_pages_taken_through_its_own_index(intake, settings, channel_headers, sort):
    town, unit = fresh_town(), fresh_unit()
    made = [await ticket_in(intake, channel_headers, town) for _ in range(3)]
    for number, due in zip(made, (hours(30), hours(10), hours(20)), strict=True):
        await assign_with_deadline(intake, settings, number, unit, due)
    handler = person(intake, settings, Role.handler, unit)  # a unit this small is fenced
    listed = [item["number"] for item in await all_pages(handler, sort=sort, limit=1)]
    expected = [made[1], made[2], made[0]] if sort == "due_asc" else made[::-1]
    assert listed == expected


async def test_fenced_and_plain_statements_find_the_same_page(intake, channel_headers, staff, db):
    from services.intake import search as rules
    from services.intake.search_schemas import TicketQuery

    town = fresh_town()
    for _ in range(4):
        await ticket_in(intake, channel_headers, town)
    center = Principal("center-532622", Role.dispatcher, "cc-532622", "532622")
    for params in ({"town": town, "limit": 3}, {"town": town, "sort": "created_asc", "limit": 2},
                   {"town": town, "sort": "due_asc"}):
        query = TicketQuery.model_validate(params)
        async with db.transaction() as session:
            pages = [[row["number"] for row in (await session.execute(
                rules.statement(center, query, settings_secret(intake), fenced=fenced))).mappings()]
                for fenced in (False, True)]
        assert pages[0] == pages[1] and len(pages[0]) == min(4, query.limit + 1)


def settings_secret(intake) -> str:
    return intake.app.state.settings.jwt_secret
