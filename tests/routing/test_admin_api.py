"""Admins keep the directory, the categories and the rules; the next ticket follows them."""

import pytest

from services.core.auth import Role
from services.core.consumer import wait_until
from tests.routing.flow import CHANNEL, assigned, bearer, submit, submit_once_known

TOBACCO = "县城有家小卖部卖假烟，烟盒上没有防伪标识。"
UNIT = {"code": "532622-tobacco", "name": "砚山县烟草专卖局", "kind": "department",
        "parent": "532622", "region_code": "532622", "handler_phones": ["13800009901"],
        "handler_openids": ["oDemo-532622-tobacco"], "leader_phones": ["13900009901"]}


@pytest.fixture
def admin(settings):
    return bearer(settings, Role.admin, region="532600", subject="admin")


def upserted(code: str):
    return lambda m: m["type"] == "unit.upserted" and m["data"]["code"] == code


async def test_a_new_department_a_category_and_a_rule_route_the_next_ticket(routing, intake,
                                                                           events, admin):
    unit = await routing.post("/v1/units", json=UNIT, headers=admin)
    category = await routing.post("/v1/categories", headers=admin, json={
        "code": "market.tobacco", "name": "烟草专卖", "urgency": "normal", "sla_class": "normal"})
    rule = await routing.post("/v1/rules", headers=admin, json={
        "category": "market.tobacco", "region_prefix": "532622", "lead": "532622-tobacco",
        "co": [{"unit_code": "532622-market", "role": "cooperating"}]})
    assert (unit.status_code, category.status_code, rule.status_code) == (201, 201, 201), rule.text
    [announced] = await events.collect(upserted("532622-tobacco"))
    assert announced["data"]["handler_phones"] == ["13800009901"] and announced["data"]["active"]
    assert category.json()["parent"] == "market"

    ticket = await submit_once_known(intake, TOBACCO, category="market.tobacco")

    found = await events.collect(assigned(ticket["number"]), count=2)
    assert {(m["data"]["unit_code"], m["data"]["role"]) for m in found} == {
        ("532622-tobacco", "lead"), ("532622-market", "cooperating")}


async def test_a_deactivated_unit_is_passed_over(routing, intake, events, admin):
    await routing.post("/v1/units", json={**UNIT, "code": "532622-salt", "name": "盐务局"},
                       headers=admin)
    await routing.post("/v1/rules", headers=admin, json={
        "category": "market.price", "region_prefix": "532622", "lead": "532622-salt"})

    gone = await routing.delete("/v1/units/532622-salt", headers=admin)
    ticket = await submit(intake, "超市乱涨价，标价和结账价格不一样。", category="market.price")

    assert gone.status_code == 200 and gone.json()["active"] is False
    [off] = await events.collect(lambda m: upserted("532622-salt")(m) and not m["data"]["active"])
    [lead] = await events.collect(assigned(ticket["number"]))
    assert lead["data"]["unit_code"] == "532622-market"


async def test_units_are_changed_and_read(settings, routing, events, admin):
    await routing.post("/v1/units", json={**UNIT, "code": "532622-post", "name": "邮政局"},
                       headers=admin)

    changed = await routing.patch("/v1/units/532622-post", headers=admin,
                                  json={"handler_phones": ["13800009902", "13800009903"]})
    read = await routing.get("/v1/units/532622-post",
                             headers=bearer(settings, Role.handler, unit="532622-market"))
    listed = await routing.get("/v1/units", params={"region_code": "532622", "kind": "department"},
                               headers=admin)

    assert changed.status_code == 200 and read.json()["handler_phones"] == [
        "13800009902", "13800009903"]
    assert "532622-post" in [u["code"] for u in listed.json()]
    assert await events.collect(lambda m: upserted("532622-post")(m)
                                and len(m["data"]["handler_phones"]) == 2)


async def test_rules_are_listed_changed_and_removed(routing, admin):
    created = (await routing.post("/v1/rules", headers=admin, json={
        "category": "other", "region_prefix": "532622", "lead": "532622-supervision"})).json()

    listed = await routing.get("/v1/rules", params={"category": "other"}, headers=admin)
    changed = await routing.patch(f"/v1/rules/{created['id']}", headers=admin, json={
        "priority": 5, "co": [{"unit_code": "532622-civil", "role": "responsible"}]})
    removed = await routing.delete(f"/v1/rules/{created['id']}", headers=admin)
    again = await routing.get(f"/v1/rules/{created['id']}", headers=admin)

    assert created["id"] in [r["id"] for r in listed.json()]
    assert changed.json()["priority"] == 5 and changed.json()["co"] == [
        {"unit_code": "532622-civil", "role": "responsible"}]
    assert removed.status_code == 204 and again.status_code == 404


def category_upserted(code: str):
    return lambda m: m["type"] == "category.upserted" and m["data"]["code"] == code


async def test_categories_are_changed(routing, admin, events):
    changed = await routing.patch("/v1/categories/market.consumer", headers=admin,
                                  json={"statutory_days": 7})
    assert changed.status_code == 200 and changed.json()["statutory_days"] == 7
    assert changed.json()["name"] == "消费纠纷" and changed.json()["parent"] == "market"
    assert await events.collect(lambda m: category_upserted("market.consumer")(m)
                                and m["data"]["statutory_days"] == 7)


async def test_a_new_or_renamed_category_is_announced_with_its_name(routing, admin, events):
    created = await routing.post("/v1/categories", headers=admin, json={
        "code": "market.weights", "name": "缺斤少两", "urgency": "normal", "sla_class": "normal"})
    renamed = await routing.patch("/v1/categories/market.weights", headers=admin,
                                  json={"name": "计量作弊"})
    gone = await routing.delete("/v1/categories/market.weights", headers=admin)

    assert (created.status_code, renamed.status_code, gone.status_code) == (201, 200, 200)
    announced = await events.collect(category_upserted("market.weights"), count=3)
    assert [(m["data"]["name"], m["data"]["active"]) for m in announced] == [
        ("缺斤少两", True), ("计量作弊", True), ("计量作弊", False)]
    assert announced[0]["data"]["parent"] == "market" and announced[0]["producer"] == "routing"


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), [
    ("post", "/v1/units", {**UNIT, "code": "532622-market"}, 409, None),
    ("post", "/v1/units", {**UNIT, "code": "532622-x", "parent": "nowhere"}, 422, "parent"),
    ("post", "/v1/units", {**UNIT, "code": "532622-x", "handler_phones": ["12345"]}, 422,
     "handler_phones.0"),
    ("post", "/v1/units", {**UNIT, "code": "bad.code"}, 422, "code"),
    ("post", "/v1/units", {**UNIT, "code": "532622-x", "kind": "ministry"}, 422, "kind"),
    ("patch", "/v1/units/532622-nowhere", {"name": "无"}, 404, None),
    ("post", "/v1/categories", {"code": "nosuch.child", "name": "无"}, 422, "code"),
    ("post", "/v1/categories", {"code": "market", "name": "市场"}, 409, None),
    ("post", "/v1/categories", {"code": "Market", "name": "市场"}, 422, "code"),
    ("patch", "/v1/categories/market", {"sla_class": "slow"}, 422, "sla_class"),
    ("post", "/v1/rules", {"category": "market", "region_prefix": "532622",
                           "lead": "532622-market"}, 409, None),
    ("post", "/v1/rules", {"category": "market", "region_prefix": "532622",
                           "lead": "532622-nowhere"}, 422, "lead"),
    ("post", "/v1/rules", {"category": "nothing", "region_prefix": "532622",
                           "lead": "532622-market"}, 422, "category"),
    ("post", "/v1/rules", {"category": "market", "region_prefix": "532622",
                           "town_code": "532601100", "lead": "532622-police"}, 422, "town_code"),
    ("post", "/v1/rules", {"category": "market", "region_prefix": "532622", "lead": "532622-police",
                           "co": [{"unit_code": "532622-x", "role": "cooperating"}]}, 422,
     "co.0.unit_code"),
    ("patch", "/v1/rules/999999", {"priority": 1}, 404, None),
    ("delete", "/v1/rules/999999", None, 404, None),
    # What a fuzzer sent: each once reached PostgreSQL and came back as a 500.
    ("get", f"/v1/rules/{2**63}", None, 422, "rule_id"),
    ("delete", f"/v1/rules/{2**63}", None, 422, "rule_id"),
    ("patch", "/v1/rules/1", {"active": None}, 422, "active"),
    ("patch", "/v1/units/532622-market", {"name": None}, 422, "name"),
    ("patch", "/v1/categories/market", {"active": None}, 422, "active"),
    ("post", "/v1/units", {**UNIT, "code": "532622-x", "name": "邮政\x00局"}, 422, "name"),
    ("post", "/v1/units", {**UNIT, "code": "532622-x", "handler_openids": ["o\x00"]}, 422,
     "handler_openids.0"),
    ("post", "/v1/units", {**UNIT, "code": "532622-x", "region_code": "５３２６２２"}, 422,
     "region_code"),
    ("get", "/v1/units/532622%00", None, 422, "code"),
    ("get", "/v1/categories/market%00", None, 422, "code"),
    ("get", "/v1/rules?lead=532622%00", None, 422, "lead"),
    ("get", "/v1/units?kind=%00", None, 422, "kind"),
])
async def test_refused_changes(routing, admin, method, path, body, status, field):
    kwargs = {"json": body} if body is not None else {}
    response = await getattr(routing, method)(path, headers=admin, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field:
        assert response.json()["errors"][0]["field"] == field


async def test_a_rule_changed_into_another_is_refused(routing, admin):
    place = {"category": "other", "region_prefix": "532622", "town_code": "532622103"}
    first = (await routing.post("/v1/rules", headers=admin,
                                json={**place, "lead": "532622-market"})).json()
    second = (await routing.post("/v1/rules", headers=admin,
                                 json={**place, "lead": "532622-police"})).json()

    clash = await routing.patch(f"/v1/rules/{second['id']}", headers=admin,
                                json={"lead": "532622-market"})
    for rule in (first, second):
        await routing.delete(f"/v1/rules/{rule['id']}", headers=admin)

    assert clash.status_code == 409 and clash.headers["content-type"] == "application/problem+json"
    assert clash.json()["detail"] == "同一分类、地区和牵头单位的规则已存在"


@pytest.mark.parametrize("role", [Role.dispatcher, Role.handler, Role.supervisor])
async def test_only_admins_change_the_directory(settings, routing, role):
    caller = bearer(settings, role, unit="cc-532622", region="532622")
    assert (await routing.post("/v1/units", json={**UNIT, "code": "532622-y"},
                               headers=caller)).status_code == 403
    assert (await routing.delete("/v1/categories/market", headers=caller)).status_code == 403
    assert (await routing.get("/v1/rules", headers=caller)).status_code == 200


async def test_citizens_do_not_read_the_directory(settings, routing):
    citizen = bearer(settings, Role.citizen, subject="c1")
    assert (await routing.get("/v1/units", headers=citizen)).status_code == 403


async def test_a_ticket_of_a_county_no_center_covers_reaches_the_widest_center_with_the_reason(
        routing, intake, events, admin, db):
    county = await routing.post("/v1/units", headers=admin, json={
        "code": "530102", "name": "五华区", "kind": "county", "parent": None, "region_code": "530102"})
    assert county.status_code == 201, county.text

    ticket = await submit_once_known(intake, "五华区一条街的路灯坏了一个多月。", region="530102", town=None)

    [queued] = await events.collect(assigned(ticket["number"]))
    assert (queued["data"]["unit_code"], queued["data"]["role"], queued["data"]["reason"]) == (
        "cc-532600", "dispatch", "unplaceable")

    async def told() -> bool:
        page = await intake.get(f"/v1/tickets/{ticket['number']}", headers=CHANNEL)
        return any("没有对应的指挥中心" in e["text"] for e in page.json().get("timeline", []))
    assert await wait_until(told), "流程跟踪 does not say why the prefecture has it"
