"""The printable 一人一诉一档: Beijing time to the minute, and names where the data has codes."""

import re
import uuid
from datetime import UTC, datetime, timedelta

from services.core.consumer import wait_until
from services.core.testing import publish
from services.core.workdays import TZ
from tests.intake.directory import CategoryUpserted, UnitUpserted, announce
from tests.intake.flow import Assigned, assign, submit

NAMES = {"532622": ("砚山县", "county"), "532622100": ("砚山县江那镇", "town"),
         "532622-urban": ("砚山县城市管理局", "department"),
         "532622-police": ("砚山县公安局", "department")}
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


async def assign_as_routing(settings, intake, number: str, unit: str, role: str = "lead") -> None:
    """Routing assigns, naming the unit in `unit_name` as it does; wait until intake shows it."""
    await publish(settings, Assigned(
        unit_code=unit, number=number, unit_name=NAMES[unit][0], role=role,
        assignment_id=str(uuid.uuid4()), category="municipal", urgency="normal",
        sla_class="normal", ticket_type="complaint", region_code="532622", reason="auto"))

    async def shown() -> bool:
        return unit in (await intake.admin.get(number)).json()["units"]

    assert await wait_until(shown), f"{number} was not assigned to {unit}"


async def archive_page(desk, number: str) -> str:
    response = await desk.get_path(f"/v1/tickets/{number}/archive", format="html")
    assert response.status_code == 200, response.text
    return response.text


async def test_the_archive_page_prints_beijing_minutes_and_names(intake, settings, db, staff,
                                                                channel_headers):
    await announce(settings, db, CategoryUpserted(code="municipal", name="市政管理"),
                   *(UnitUpserted(code=code, name=name, kind=kind, parent="532622")
                     for code, (name, kind) in NAMES.items()))
    number = await submit(intake, channel_headers)
    await assign_as_routing(settings, intake, number, "532622-urban")
    await assign_as_routing(settings, intake, number, "532622-police", role="cooperating")
    assert (await staff["urban"].act(number, "sign")).status_code == 200
    center = staff["center"]

    page = await archive_page(center, number)
    record = (await center.get_path(f"/v1/tickets/{number}/archive")).json()

    created = datetime.fromisoformat(record["ticket"]["created_at"]).astimezone(TZ)
    assert f"{created:%Y-%m-%d %H:%M}" in page
    printed = INSTANT.findall(page)
    assert printed and all(seconds == "" for seconds in printed)  # no seconds, no 'T'
    assert not re.search(r"\d:\d{2}\.\d|\+00:00|\+08:00", page)
    for text in ("市政管理", "砚山县江那镇", "砚山县城市管理局", "砚山县公安局·配合", "12345热线",
                 "投诉", "一般", "已派单", "签收", "办理中", "承办单位 · 砚山县城市管理局", "派单"):
        assert text in page, text
    for code in ("municipal", "532622100", "532622-urban", "532622-police", "hotline",
                 "complaint", "normal", "in_progress", "（sign）", "handler"):
        assert code not in page, code


async def test_an_approved_return_names_the_unit(intake, settings, db, staff, channel_headers):
    await announce(settings, db, UnitUpserted(code="532622-urban", name="砚山县城市管理局",
                                              kind="department", parent="532622"))
    number = await submit(intake, channel_headers)
    await assign_as_routing(settings, intake, number, "532622-urban")
    asked = await staff["urban"].act(number, "request_return", {"reason": "不属本局职责"})
    approved = await staff["center"].act(number, "approve_return")
    assert (asked.status_code, approved.status_code) == (200, 200), approved.text

    page = await archive_page(staff["center"], number)

    for text in ("同意砚山县城市管理局退件", "申请退件", "同意退件",
                 "<td>退件</td><td>砚山县城市管理局</td><td>不属本局职责</td><td>同意 </td>"):
        assert text in page, text


async def test_the_archive_page_times_are_beijing_not_utc(intake, settings, staff, channel_headers):
    number = await submit(intake, channel_headers)
    record = (await staff["center"].get_path(f"/v1/tickets/{number}/archive")).json()
    created = datetime.fromisoformat(record["ticket"]["created_at"])
    page = await archive_page(staff["center"], number)
    beijing, utc = created.astimezone(TZ), created.astimezone(UTC)
    assert f"{beijing:%Y-%m-%d %H:%M}" in page
    assert beijing.utcoffset() == timedelta(hours=8) and f"{utc:%Y-%m-%d %H:%M}" not in page


async def test_a_unit_never_announced_prints_as_its_code(intake, settings, staff, channel_headers):
    number = await submit(intake, channel_headers)
    unit = f"532622-t{uuid.uuid4().hex[:6]}"
    await assign(settings, intake, number, unit)

    page = await archive_page(staff["center"], number)

    assert unit in page
