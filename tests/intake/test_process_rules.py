"""Refused transitions, each role's scope, returns, reopening, supervision, auto-close."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from services.core.calendar_store import CalendarYearLoaded
from services.core.consumer import wait_until
from services.core.events import UnitEvent
from services.core.workdays import TZ, calendar_for
from services.intake import calendar, service
from services.intake.models import calendar_overrides, calendar_years, tickets
from services.intake.unit_requests import within_return_window
from tests.intake.flow import assign, publish, submit
from tests.intake.test_workflow import citizen_ticket, event


@pytest.fixture
async def assigned(intake, settings, channel_headers, staff):
    number = await submit(intake, channel_headers)
    await assign(settings, intake, number, "532622100")
    return number


@pytest.mark.parametrize(("who", "action", "body", "status"), [
    ("center", "accept_completion", None, 409),
    ("town", "submit_completion", {"result": "完成"}, 409),
    ("center", "sign", None, 403),
    ("town", "accept", None, 403),
    ("town_leader", "approve_completion", None, 409),
    ("supervisor", "sign", None, 403),
    ("other_town", "sign", None, 404),
    ("urban", "reply", {"text": "越权"}, 404),
    ("other_center", "accept_completion", None, 404),
])
async def test_refused_actions(staff, assigned, who, action, body, status):
    response = await staff[who].act(assigned, action, body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 409:
        assert "已派单" in response.json()["detail"] and "assigned" in response.json()["detail"]


async def test_each_role_reads_only_its_scope(staff, assigned):
    assert (await staff["town"].get(assigned)).status_code == 200
    assert (await staff["center"].get(assigned)).status_code == 200
    assert (await staff["supervisor"].get(assigned)).status_code == 200
    assert (await staff["other_town"].get(assigned)).status_code == 404
    assert (await staff["other_center"].get(assigned)).status_code == 404
    town_queue = (await staff["town"].get_path("/v1/queue", status="assigned")).json()
    assert assigned in [t["number"] for t in town_queue]
    other_queue = (await staff["other_town"].get_path("/v1/queue")).json()
    assert assigned not in [t["number"] for t in other_queue]
    actions = (await staff["town"].get_path(f"/v1/tickets/{assigned}/actions")).json()
    assert {a["action"] for a in actions} >= {"sign", "request_return", "contact"}
    assert "accept_completion" not in {a["action"] for a in actions}


async def test_bad_action_bodies_are_422(staff, assigned):
    response = await staff["center"].act(assigned, "reject", {"reason_code": "other"})
    assert response.status_code == 422 and "其他原因" in response.text
    assert (await staff["center"].act(assigned, "no_such_action")).status_code == 404


async def test_anonymous_contact_is_hidden_from_the_unit(intake, settings, channel_headers, staff):
    number = await submit(intake, channel_headers, anonymous=True)
    await assign(settings, intake, number, "532622100")
    assert (await staff["town"].get(number)).json()["contact"] is None
    assert (await staff["town_leader"].get(number)).json()["contact"] is None
    assert (await staff["center"].get(number)).json()["contact"]["name"] == "李女士"


async def test_rejection_with_a_reason_from_the_list(intake, channel_headers, staff, events):
    number = await submit(intake, channel_headers)
    response = await staff["center"].act(number, "reject", {"reason_code": "emergency"})
    assert response.json()["status_label"] == "不予受理"
    [rejected] = await event(events, "ticket.rejected", number)
    assert "110" in rejected["data"]["reason"]


async def test_return_within_the_window_goes_back_to_the_center(intake, settings, staff, assigned, events):
    request = await staff["town"].act(assigned, "request_return",
                                      {"reason": "该路段属于县城管辖区，不属本镇职责"})
    assert request.status_code == 200
    approved = await staff["center"].act(assigned, "approve_return")
    assert approved.json()["status"] == "accepted" and approved.json()["units"] == []
    [returned] = await event(events, "ticket.returned", assigned)
    assert returned["data"]["unit_code"] == "532622100"
    assert (await staff["town"].get(assigned)).status_code == 404
    await assign(settings, intake, assigned, "532622-urban", reason="dispatch")
    assert (await staff["urban"].get(assigned)).json()["status"] == "assigned"


async def test_return_after_one_working_day_is_refused(intake, staff, assigned, db):
    async with db.transaction() as session:
        await session.execute(update(tickets).where(tickets.c.number == assigned)
                              .values(assigned_at=datetime.now(UTC) - timedelta(days=12)))
    response = await staff["town"].act(assigned, "request_return", {"reason": "不属本镇职责"})
    assert response.status_code == 409 and "1 个工作日" in response.json()["detail"]


def test_the_return_window_counts_working_days():
    official = calendar_for(None)
    friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # Sat 02:00 in Shanghai
    assert within_return_window(friday_evening, datetime(2026, 11, 23, 10, 0, tzinfo=UTC), official)
    assert not within_return_window(friday_evening, datetime(2026, 11, 24, 16, 1, tzinfo=UTC), official)
    before_holiday = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 on the eve of National Day
    assert within_return_window(before_holiday, datetime(2026, 10, 7, 12, 0, tzinfo=UTC), official)


async def test_the_return_window_follows_the_notice_admins_loaded_into_sla(intake, staff, assigned, db, settings):
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    async with db.transaction() as session:
        await session.execute(update(tickets).where(tickets.c.number == assigned)
                              .values(assigned_at=ten_days_ago))
    # A notice (as sla announces it) making every day since the assignment a day off.
    first, last = ten_days_ago.astimezone(TZ).date(), datetime.now(TZ).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    years = sorted({d.year for d in days})
    try:
        for year in years:
            await publish(settings, CalendarYearLoaded(
                year=year, holidays=[d for d in days if d.year == year], workdays=[]), producer="sla")

        async def open_again() -> bool:
            async with db.transaction() as session:
                learned = await session.scalar(select(func.count()).select_from(calendar_overrides)
                                               .where(calendar_overrides.c.day == last))
            return learned == 1
        assert await wait_until(open_again), "intake never heard of the notice"
        response = await staff["town"].act(assigned, "request_return", {"reason": "不属本镇职责"})
        assert response.status_code == 200, response.text
    finally:  # the shared test database goes back to the official calendar
        async with db.transaction() as session:
            calendar._cached.changed(session)
            await session.execute(delete(calendar_overrides).where(calendar_overrides.c.year.in_(years)))
            await session.execute(delete(calendar_years).where(calendar_years.c.year.in_(years)))


async def test_denied_return_keeps_the_unit(staff, assigned, events):
    await staff["town"].act(assigned, "request_return", {"reason": "不属本镇职责"})
    denied = await staff["center"].act(assigned, "deny_return", {"reason": "属地管理，请继续办理"})
    assert denied.json()["lead_unit"] == "532622100"
    assert await event(events, "ticket.return_denied", assigned)


async def resolve(staff, number):
    for who, action, body in [("town", "sign", None),
                              ("town", "submit_completion", {"result": "已处理"}),
                              ("town_leader", "approve_completion", None),
                              ("center", "accept_completion", None)]:
        response = await staff[who].act(number, action, body)
        assert response.status_code == 200, (action, response.text)


async def test_second_dissatisfaction_goes_to_the_supervisors(intake, settings, staff, events):
    citizen, number = await citizen_ticket(intake, events)
    await assign(settings, intake, number, "532622100")
    await resolve(staff, number)
    url = f"/v1/tickets/{number}/evaluation"
    first = await intake.post(url, json={"resolved": False, "satisfaction": "unsatisfied",
                                         "comment": "油烟还在"}, headers=citizen)
    assert first.json()["status"] == "in_progress" and first.json()["lead_unit"] == "532622100"
    assert not first.json()["supervised"]
    for who, action in [("town", "submit_completion"), ("town_leader", "approve_completion"),
                        ("center", "accept_completion")]:
        body = {"result": "再次整治"} if action == "submit_completion" else None
        assert (await staff[who].act(number, action, body)).status_code == 200
    second = await intake.post(url, json={"resolved": False, "satisfaction": "unsatisfied"}, headers=citizen)
    assert second.json()["supervised"] and second.json()["reopen_count"] == 2
    reopened = await events.collect(lambda m: m["type"] == "ticket.reopened"
                                    and m["data"]["number"] == number, count=2)
    assert [m["data"]["times"] for m in reopened] == [1, 2]
    assert reopened[0]["data"]["unit_codes"] == ["532622100"]
    listed = (await staff["supervisor"].get_path("/v1/supervision/unsatisfied")).json()
    assert number in [t["number"] for t in listed]

    note = await staff["supervisor"].act(number, "supervise", {"text": "请于两日内书面说明整改情况"})
    assert note.status_code == 200
    assert (await staff["town"].act(number, "answer_supervision", {"text": "已约谈经营者"})).status_code == 200
    assert (await staff["town"].act(number, "answer_supervision", {"text": "再答一次"})).status_code == 409


async def test_unevaluated_tickets_close_after_seven_days(intake, settings, staff, channel_headers, db, events):
    number = await submit(intake, channel_headers)
    await assign(settings, intake, number, "532622100")
    await resolve(staff, number)
    outbox = intake.app.state.outbox
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await service.close_unevaluated(session, outbox, now=now + timedelta(days=6))
    assert (await staff["center"].get(number)).json()["status"] == "resolved"
    async with db.transaction() as session:
        await service.close_unevaluated(session, outbox, now=now + timedelta(days=7, minutes=1))
    closed = (await staff["center"].get(number)).json()
    assert closed["status"] == "closed" and closed["evaluation"]["satisfaction"] == "satisfied"
    assert closed["evaluation"]["auto"] is True
    [evaluated] = await event(events, "ticket.evaluated", number)
    assert evaluated["data"]["auto"] is True


class Overdue(UnitEvent):
    type = "sla.overdue"
    number: str
    clock: str
    deadline: str


async def test_overdue_tickets_are_listed_for_supervisors(intake, settings, staff, assigned):
    await publish(settings, Overdue(unit_code="532622100", number=assigned, clock="response",
                                    deadline="2026-11-23T10:00:00Z"))

    async def listed() -> bool:
        rows = (await staff["supervisor"].get_path("/v1/supervision/overdue")).json()
        return assigned in [t["number"] for t in rows]

    from services.core.consumer import wait_until

    assert await wait_until(listed)
    timeline = (await staff["center"].get(assigned)).json()["timeline"]
    assert timeline[-1]["action"] == "overdue" and "签收" in timeline[-1]["text"]


async def test_merge_follows_the_master(intake, channel_headers, staff, events):
    master = await submit(intake, channel_headers)
    duplicate = await submit(intake, channel_headers)
    merged = await staff["center"].act(duplicate, "merge", {"master_number": master})
    assert merged.json()["status_label"] == "已合并" and merged.json()["master_number"] == master
    assert (await event(events, "ticket.merged", duplicate))[0]["data"]["master_number"] == master
    again = await staff["center"].act(master, "merge", {"master_number": duplicate})
    assert again.status_code == 409


async def test_request_info_and_urgency_by_the_center(intake, channel_headers, staff, events):
    number = await submit(intake, channel_headers)
    urgent = await staff["center"].act(number, "set_urgency", {"urgency": "urgent"})
    assert urgent.json()["urgency"] == "urgent"
    assert await event(events, "ticket.urgency_changed", number)
    info = await staff["center"].act(number, "request_info", {"missing": "请补充具体位置"})
    assert info.json()["status_label"] == "待完善"


async def test_decisions_are_offered_only_while_their_matter_is_open(intake, settings, channel_headers,
                                                                     staff):
    number = await submit(intake, channel_headers)
    await assign(settings, intake, number, "532622100")

    async def offered(who: str) -> set[str]:
        answer = await staff[who].get_path(f"/v1/tickets/{number}/actions")
        return {a["action"] for a in answer.json()}

    assert not {"approve_return", "deny_return"} & await offered("center")
    assert "answer_supervision" not in await offered("town")
    assert (await staff["town"].act(number, "request_return", {"reason": "不属于本镇职责"})).status_code == 200
    assert {"approve_return", "deny_return"} <= await offered("center")
    assert (await staff["supervisor"].act(number, "supervise", {"text": "请加快办理"})).status_code == 200
    assert "answer_supervision" in await offered("town")
    assert (await staff["town"].act(number, "answer_supervision", {"text": "正在办理"})).status_code == 200
    assert "answer_supervision" not in await offered("town")
