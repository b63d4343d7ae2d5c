"""工作台: each role's counts, each equal to the length of the list its key opens."""

from services.core.auth import Role
from services.core.consumer import wait_until
from tests.intake.desk import (
    ClockChanged,
    SlaWarning,
    assigned_ticket,
    clock_event,
    fresh_town,
    fresh_unit,
    hours,
    numbers,
    person,
    until_listed,
)
from tests.intake.factories import ticket_body
from tests.intake.flow import assign, submit

CENTER_KEYS = ["submitted", "awaiting_dispatch", "return_requests", "extension_requests", "center_audit"]


async def board(desk) -> dict[str, int]:
    response = await desk.get_path("/v1/dashboard")
    assert response.status_code == 200, response.text
    return {count["key"]: count["count"] for count in response.json()["counts"]}


async def assert_counts_are_list_lengths(desk) -> dict[str, int]:
    """Every count equals the length of its `queue=` list (retried while events still land)."""
    seen: dict[str, int] = {}

    async def equal() -> bool:
        seen.update(await board(desk))
        lengths = {key: len(await numbers(desk, queue=key, limit=100)) for key in seen}
        return lengths == seen

    assert await wait_until(equal, timeout=15), seen
    return seen


async def act(desk, number, action, body=None):
    response = await desk.act(number, action, body)
    assert response.status_code == 200, (action, response.text)


async def unit_at_work(intake, settings, channel_headers, staff):
    """Tickets of one unit in every state its desk counts; the unit, its people, its tickets."""
    unit, town = fresh_unit(), fresh_town()
    handler = person(intake, settings, Role.handler, unit)
    leader = person(intake, settings, Role.unit_leader, unit)
    t = {name: await assigned_ticket(intake, settings, channel_headers, town, unit)
         for name in ("unsigned", "late", "reviewed", "sent_back", "extension", "returning", "audit")}
    for name in ("late", "reviewed", "sent_back", "extension", "audit"):
        await act(handler, t[name], "sign")
    for name in ("reviewed", "sent_back", "audit"):
        await act(handler, t[name], "submit_completion", {"result": "已现场处理完毕"})
    await act(leader, t["sent_back"], "return_internal", {"reason": "缺少现场照片"})
    await act(leader, t["audit"], "approve_completion")
    await act(handler, t["extension"], "request_extension",
              {"deadline": hours(24 * 20).isoformat(), "reason": "需协调供电部门更换线路"})
    await act(handler, t["returning"], "request_return", {"reason": "不属于本单位职责"})
    await clock_event(settings, ClockChanged(unit_code=unit, number=t["late"], clock="completion",
                                             state="running", deadline=hours(-1), warn_at=hours(-8)))
    await clock_event(settings, ClockChanged(unit_code=unit, number=t["reviewed"], clock="completion",
                                             state="running", deadline=hours(6), warn_at=hours(2)))
    await clock_event(settings, SlaWarning(unit_code=unit, number=t["reviewed"], clock="completion",
                                           deadline=hours(6)))
    await until_listed(staff["center"], t["reviewed"], lambda item: item["sla_state"] == "warning")
    await until_listed(staff["center"], t["late"], lambda item: item["sla_state"] == "overdue")
    return unit, handler, leader, t


async def test_a_units_desk(intake, settings, channel_headers, staff):
    unit, handler, leader, t = await unit_at_work(intake, settings, channel_headers, staff)
    response = await handler.get_path("/v1/dashboard")
    assert response.json()["role"] == "handler"
    assert [(c["key"], c["label"]) for c in response.json()["counts"]] == [
        ("to_sign", "待签收"), ("in_progress", "办理中"), ("warning", "即将超期"), ("overdue", "已超期"),
        ("leader_review", "待领导审核"), ("rework", "退回重办")]
    counts = await assert_counts_are_list_lengths(handler)
    assert counts == {"to_sign": 2, "in_progress": 3, "warning": 1, "overdue": 1, "leader_review": 1,
                      "rework": 1}
    assert set(await numbers(handler, queue="to_sign")) == {t["unsigned"], t["returning"]}
    assert set(await numbers(handler, queue="in_progress")) == {t["late"], t["sent_back"], t["extension"]}
    assert await numbers(handler, queue="rework") == [t["sent_back"]]
    assert await numbers(handler, queue="overdue") == [t["late"]]
    assert await numbers(handler, queue="warning") == [t["reviewed"]]
    assert await board(leader) == counts

    await act(handler, t["unsigned"], "sign")
    await act(handler, t["sent_back"], "submit_completion", {"result": "已补充现场照片"})
    assert await assert_counts_are_list_lengths(handler) == {**counts, "to_sign": 1, "leader_review": 2,
                                                            "rework": 0}


async def test_the_command_centers_desk_and_its_requests(intake, settings, channel_headers, staff):
    unit, handler, _, t = await unit_at_work(intake, settings, channel_headers, staff)
    queued = await submit(intake, channel_headers)
    await assign(settings, intake, queued, "cc-532622", role="dispatch", reason="manual_queue")
    center = staff["center"]
    response = await center.get_path("/v1/dashboard")
    assert response.json()["role"] == "dispatcher"
    assert [c["key"] for c in response.json()["counts"]] == CENTER_KEYS
    await assert_counts_are_list_lengths(center)
    assert queued in await numbers(center, queue="awaiting_dispatch")
    assert t["returning"] in await numbers(center, queue="return_requests")
    assert t["extension"] in await numbers(center, queue="extension_requests")
    assert t["audit"] in await numbers(center, queue="center_audit")
    assert (await until_listed(center, queued))["dispatch_unit"] == "cc-532622"

    returns = (await center.get_path("/v1/requests", kind="return")).json()
    [mine] = [r for r in returns if r["number"] == t["returning"]]
    assert (mine["unit_code"], mine["reason"], mine["state"], mine["kind"]) == (
        unit, "不属于本单位职责", "pending", "return")
    assert mine["title"] and mine["ticket_status"] == "assigned" and mine["at"]
    extensions = (await center.get_path("/v1/requests", kind="extension")).json()
    [asked] = [r for r in extensions if r["number"] == t["extension"]]
    assert asked["requested_deadline"] is not None
    assert all(r["region_code"] == "532622" for r in returns + extensions)

    await act(center, t["extension"], "approve_extension")
    assert t["extension"] not in [r["number"] for r in (await center.get_path(
        "/v1/requests", kind="extension")).json()]
    await assert_counts_are_list_lengths(center)
    elsewhere = (await staff["other_center"].get_path("/v1/requests", kind="return")).json()
    assert t["returning"] not in [r["number"] for r in elsewhere]


async def test_requests_are_for_the_command_center(intake, settings, staff):
    handler = person(intake, settings, Role.handler, fresh_unit())
    assert (await handler.get_path("/v1/requests")).status_code == 403
    bad = await staff["center"].get_path("/v1/requests", kind="refund")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_supervisor_admin_and_agent_desks(intake, settings, channel_headers, staff):
    await unit_at_work(intake, settings, channel_headers, staff)
    supervisor = await assert_counts_are_list_lengths(staff["supervisor"])
    assert list(supervisor) == ["overdue", "warning", "supervised", "reopened", "unsatisfied"]
    assert supervisor["overdue"] >= 1 and supervisor["warning"] >= 1
    admin = await staff["admin"].get_path("/v1/dashboard")
    assert admin.json()["role"] == "admin" and [c["key"] for c in admin.json()["counts"]] == CENTER_KEYS
    await assert_counts_are_list_lengths(staff["admin"])

    agent = person(intake, settings, Role.agent, "cc-532622", "532622")
    recorded = await intake.post("/v1/tickets", json=ticket_body(), headers=agent.headers)
    assert recorded.status_code == 201, recorded.text
    counts = await assert_counts_are_list_lengths(agent)
    assert list(counts) == ["submitted", "recorded_today"] and counts["recorded_today"] == 1
    assert await numbers(agent, queue="recorded_today") == [recorded.json()["number"]]
    elsewhere = await submit(intake, channel_headers, location={
        **ticket_body()["location"], "region_code": "532601", "town_code": "532601100"})
    assert elsewhere not in await numbers(agent, queue="submitted")  # not its county's
    assert elsewhere in await numbers(agent, q=elsewhere)  # though it may read it


async def test_only_staff_have_a_desk(intake, settings):
    citizen = person(intake, settings, Role.citizen, region=None)
    assert (await citizen.get_path("/v1/dashboard")).status_code == 403


async def test_sent_back_by_the_center_is_rework_until_resubmitted(intake, settings, channel_headers, staff):
    unit = fresh_unit()
    handler, leader = person(intake, settings, Role.handler, unit), person(intake, settings, Role.unit_leader, unit)
    number = await assigned_ticket(intake, settings, channel_headers, fresh_town(), unit)
    await act(handler, number, "sign")
    await act(handler, number, "submit_completion", {"result": "已处理"})
    await act(leader, number, "approve_completion")
    await act(staff["center"], number, "send_back", {"reason": "办结材料不规范，缺少现场照片"})
    assert await numbers(handler, queue="rework") == [number]
    assert (await until_listed(handler, number))["rework"] is True
    await act(handler, number, "submit_completion", {"result": "已补充现场照片"})
    assert await numbers(handler, queue="rework") == []
    assert (await board(handler))["rework"] == 0
