"""The whole handling process, role by role, as the Yanshan plan describes it."""

from tests.intake.factories import phone
from tests.intake.flow import assign, submit
from tests.intake.test_auth import login


def event(events, kind, number):
    return events.collect(lambda m: m["type"] == kind and m["data"].get("number") == number)


async def citizen_ticket(intake, events, **overrides):
    citizen = await login(intake, events, phone())
    body_overrides = {"channel": "miniprogram", **overrides}
    from tests.intake.factories import ticket_body

    body = ticket_body(**body_overrides)
    body["contact"].pop("phone")
    response = await intake.post("/v1/tickets", json=body, headers=citizen)
    assert response.status_code == 201, response.text
    return citizen, response.json()["number"]


async def test_normal_ticket_from_submission_to_archive(intake, settings, staff, events):
    citizen, number = await citizen_ticket(intake, events)
    town, leader, center = staff["town"], staff["town_leader"], staff["center"]

    await assign(settings, intake, number, "532622100")
    assert (await town.get(number)).json()["status_label"] == "已派单"
    assert await event(events, "ticket.accepted", number)

    steps = [
        (town, "sign", None, "in_progress"),
        (town, "contact", {"text": "已电话联系李女士，约定明日上午现场查看"}, "in_progress"),
        (town, "reply", {"text": "已安排城管中队现场核实"}, "in_progress"),
        (town, "submit_completion", {"result": "烧烤摊已搬离振兴街，并告知经营者夜间禁止露天烧烤"}, "leader_review"),
        (leader, "approve_completion", {"note": "同意上报"}, "center_audit"),
        (center, "accept_completion", None, "resolved"),
    ]
    for who, action, body, status in steps:
        response = await who.act(number, action, body)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["status"] == status, action
    for kind in ("ticket.signed", "ticket.replied", "ticket.completion_submitted", "ticket.resolved"):
        assert await event(events, kind, number), kind

    mine = (await intake.get(f"/v1/tickets/{number}", headers=citizen)).json()
    assert mine["status_label"] == "已办结待评价"
    assert "已安排城管中队现场核实" in [e["text"] for e in mine["timeline"]]
    rated = await intake.post(f"/v1/tickets/{number}/evaluation",
                              json={"resolved": True, "satisfaction": "basically_satisfied"}, headers=citizen)
    assert rated.json()["status"] == "closed"
    assert await event(events, "ticket.closed", number)

    archive = (await center.get_path(f"/v1/tickets/{number}/archive")).json()
    assert [r["kind"] for r in archive["reports"]] == ["contact", "interim", "completion"]
    assert archive["reports"][-1]["state"] == "accepted"
    assert archive["evaluation"]["satisfaction"] == "basically_satisfied"
    assert [e["action"] for e in archive["timeline"]][:3] == ["submit", "assign", "sign"]
    page = await center.client.get(f"/v1/tickets/{number}/archive", params={"format": "html"},
                                   headers=center.headers)
    assert page.headers["content-type"].startswith("text/html")
    assert number in page.text and "烧烤摊已搬离振兴街" in page.text and "基本满意" in page.text


async def test_urgent_multi_unit_ticket(intake, settings, channel_headers, staff, events):
    number = await submit(intake, channel_headers, urgency="urgent",
                          content="江那镇团结路施工工地夜间噪音扰民，渣土车占道，已有两起剐蹭。")
    urban, police, center = staff["urban"], staff["police"], staff["center"]
    await assign(settings, intake, number, "532622-urban", urgency="urgent")
    await assign(settings, intake, number, "532622-police", role="cooperating", urgency="urgent")

    ticket = (await center.get(number)).json()
    assert ticket["lead_unit"] == "532622-urban"
    assert ticket["unit_roles"] == {"532622-urban": "lead", "532622-police": "cooperating"}
    assert (await police.act(number, "sign")).status_code == 403  # only the lead signs
    assert (await urban.act(number, "sign")).status_code == 200
    part = await police.act(number, "submit_part", {"text": "交警已对渣土车占道违法行为处罚 2 起"})
    assert part.status_code == 200
    refused = await police.act(number, "submit_completion", {"result": "完成"})
    assert refused.status_code == 403

    extension = await urban.act(number, "request_extension",
                                {"deadline": "2030-01-10T18:00:00+08:00", "reason": "需与施工方会商整改方案"})
    assert extension.status_code == 200
    assert (await center.act(number, "approve_extension")).status_code == 200
    extended = await event(events, "ticket.extended", number)
    assert extended[0]["data"]["new_deadline"].startswith("2030-01-10T10:00:00")

    await urban.act(number, "submit_completion", {"result": "已责令夜间停工，渣土车改道"})
    await staff["urban_leader"].act(number, "approve_completion")
    sent_back = await center.act(number, "send_back", {"reason": "缺少现场整改照片"})
    assert sent_back.json()["status"] == "in_progress"
    assert (await event(events, "ticket.completion_sent_back", number))[0]["data"]["by"] == "center"
