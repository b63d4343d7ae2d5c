"""Open311 GeoReport v2 from intake: each resource in XML and JSON, with the spec's names."""

from datetime import datetime

import pytest

from services.core.consumer import wait_until
from tests.intake.conftest import API_KEY
from tests.intake.desk import ClockChanged, clock_event, hours
from tests.intake.flow import assign
from tests.intake.open311 import (
    ATTRIBUTE,
    BASE,
    CREATED,
    DISCOVERY,
    ENDPOINT,
    FORMATS,
    REQUEST,
    SERVICE,
    TOKEN,
    VALUE,
    children,
    fresh_county,
    items,
    json_of,
    learn_directory,
    request_form,
    xml_of,
)

pytestmark = pytest.mark.parametrize("fmt", FORMATS)


@pytest.fixture(scope="module")
async def place(db):
    return await learn_directory(db, fresh_county())


async def post(intake, fmt: str, form: dict, **headers):
    return await intake.post(f"{BASE}/requests.{fmt}", data=form, headers=headers)


async def created_id(intake, fmt: str, form: dict) -> str:
    response = await post(intake, fmt, form)
    assert response.status_code == 201, response.text
    [created] = items(response, fmt, "service_requests", "request")
    assert set(created) == CREATED and isinstance(created["service_request_id"], str)
    return created["service_request_id"]


async def one_request(intake, fmt: str, number: str, **params) -> dict:
    response = await intake.get(f"{BASE}/requests/{number}.{fmt}", params=params)
    assert response.status_code == 200, response.text
    [found] = items(response, fmt, "service_requests", "request")
    assert set(found) == REQUEST, set(found) ^ REQUEST
    return found


async def test_discovery_names_this_endpoint_and_both_formats(intake, fmt):
    response = await intake.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        body = json_of(response)
        assert set(body) == DISCOVERY and set(body["endpoints"][0]) == ENDPOINT
        endpoint = body["endpoints"][0]
        formats = endpoint["formats"]
    else:
        top = children(xml_of(response, "discovery"))
        assert set(top) == DISCOVERY
        [element] = top["endpoints"]
        endpoint = {name: child.text for name, child in children(element).items()}
        assert set(endpoint) == ENDPOINT
        formats = [child.text for child in children(element)["formats"] if child.tag == "format"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert formats == ["text/xml", "application/json"]


@pytest.mark.parametrize(("headers", "url"), [
    ({"x-forwarded-host": "hotline.example.cn:8080", "x-forwarded-prefix": "/api/intake"},
     "http://hotline.example.cn:8080/api/intake/open311/v2"),
    ({"x-forwarded-host": "evil.example/x?y", "x-forwarded-prefix": "//evil.example"},
     "http://test/open311/v2"),
])
async def test_discovery_names_the_url_the_client_reached_through_the_gateway(
        intake, fmt, headers, url):
    response = await intake.get(f"{BASE}/discovery.{fmt}", headers=headers)
    if fmt == "json":
        assert json_of(response)["endpoints"][0]["url"] == url
    else:
        [endpoint] = children(xml_of(response, "discovery"))["endpoints"]
        assert children(endpoint)["url"].text == url


async def test_services_are_our_categories_and_the_generic_one(intake, place, fmt):
    response = await intake.get(f"{BASE}/services.{fmt}", params={"jurisdiction_id": place["county"]})
    assert response.status_code == 200
    services = {s["service_code"]: s for s in items(response, fmt, "services", "service")}
    assert all(set(service) == SERVICE for service in services.values())
    road = services["municipal.road"]
    assert (road["service_name"], road["group"], road["type"]) == ("道路破损", "市政管理", "realtime")
    assert road["metadata"] in (False, "false")  # every attribute is optional
    assert services["unknown"]["service_name"] == "不清楚"


async def test_a_service_definition_lists_its_attributes(intake, place, fmt):
    response = await intake.get(f"{BASE}/services/municipal.road.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        body = json_of(response)
        assert set(body) == {"service_code", "attributes"}
        attributes = body["attributes"]
        assert all(set(a) == ATTRIBUTE and all(set(v) == VALUE for v in a["values"]) for a in attributes)
        keys = {a["code"]: [v["key"] for v in a["values"]] for a in attributes}
        assert all(a["variable"] is True and a["required"] is False for a in attributes)
    else:
        top = children(xml_of(response, "service_definition"))
        assert set(top) == {"service_code", "attributes"} and top["service_code"].text == "municipal.road"
        keys = {}
        for attribute in top["attributes"]:
            assert attribute.tag == "attribute" and set(children(attribute)) == ATTRIBUTE
            values = children(attribute)["values"]
            assert all(v.tag == "value" and set(children(v)) == VALUE for v in values)
            keys[children(attribute)["code"].text] = [children(v)["key"].text for v in values]
    assert keys["type"] == ["consult", "help", "complaint", "report", "suggestion"]
    assert place["town"] in keys["town"] and keys["public"] == ["true", "false"]


async def test_a_posted_request_reads_back_without_personal_data(intake, place, events, fmt):
    form = request_form(API_KEY, place["county"], device_id="tt222111", account_id="123456",
                        client_extra="ignored", **{"attribute[town]": place["town"],
                                                   "attribute[type]": "complaint"})
    number = await created_id(intake, fmt, form)
    [created] = await events.collect(lambda m: m["type"] == "ticket.created"
                                     and m["data"]["number"] == number)
    assert (created["data"]["channel"], created["data"]["category"]) == ("open311", "municipal.road")
    assert (created["data"]["town_code"], created["data"]["ticket_type"]) == (place["town"], "complaint")

    found = await one_request(intake, fmt, number, api_key=API_KEY)
    assert (found["service_request_id"], found["status"], found["status_notes"]) == (number, "open", "待受理")
    assert (found["service_code"], found["service_name"]) == ("municipal.road", "道路破损")
    assert found["description"] == form["description"] and found["media_url"] == form["media_url"]
    assert float(found["lat"]) == 23.61 and float(found["long"]) == 104.33
    assert found["requested_datetime"].endswith("+08:00")
    assert "110" in found["service_notice"] and found["agency_responsible"] in (None, "")
    answer = (await intake.get(f"{BASE}/requests/{number}.{fmt}", params={"api_key": API_KEY})).text
    assert "13912345678" not in answer and "李芳" not in answer and "li@example.cn" not in answer


async def test_only_published_requests_are_read_without_the_channels_key(intake, place, fmt):
    private = await created_id(intake, fmt, request_form(API_KEY, place["county"]))
    public = await created_id(intake, fmt, request_form(API_KEY, place["county"],
                                                        **{"attribute[public]": "true"}))
    hidden = await intake.get(f"{BASE}/requests/{private}.{fmt}")
    assert hidden.status_code == 404
    assert (await one_request(intake, fmt, public))["service_request_id"] == public
    listed = await intake.get(f"{BASE}/requests.{fmt}", params={"service_request_id": f"{private},{public}"})
    assert [r["service_request_id"] for r in items(listed, fmt, "service_requests", "request")] == [public]


async def test_the_lead_unit_and_the_sla_deadline_show(intake, place, settings, staff, fmt):
    number = await created_id(intake, fmt, request_form(API_KEY, place["county"]))
    await assign(settings, intake, number, "532622100")
    deadline = hours(100).replace(microsecond=0)
    await clock_event(settings, ClockChanged(unit_code="532622100", number=number, clock="completion",
                                             state="running", deadline=deadline, warn_at=hours(70)))

    async def projected() -> dict:
        return await one_request(intake, fmt, number, api_key=API_KEY)

    async def has_deadline() -> bool:
        return (await projected())["expected_datetime"] not in (None, "")

    assert await wait_until(has_deadline), "no expected_datetime"
    found = await projected()
    assert (found["status"], found["status_notes"]) == ("open", "已派单")
    assert found["agency_responsible"]  # the unit's name as routing announced it, else its code
    assert datetime.fromisoformat(found["expected_datetime"]) == deadline
    assert found["expected_datetime"].endswith("+08:00")


async def test_the_list_filters_by_window_status_service_and_county(intake, db, place, fmt):
    number = await created_id(intake, fmt, request_form(API_KEY, place["county"], service_code="unknown",
                                                        **{"attribute[public]": "true"}))

    async def listed(**params) -> list[str]:
        response = await intake.get(f"{BASE}/requests.{fmt}",
                                    params={"jurisdiction_id": place["county"], **params})
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in items(response, fmt, "service_requests", "request")]

    assert number in await listed()
    assert number in await listed(status="open", service_code="unknown,municipal.road")
    assert number not in await listed(status="closed")
    assert number not in await listed(service_code="municipal.road")
    assert number not in await listed(start_date="2026-01-01T00:00:00Z", end_date="2026-03-01T00:00:00+08:00")
    assert number not in await listed(start_date="2025-01-01T00:00:00Z")  # 90 days from the start
    other = await learn_directory(db, fresh_county())
    assert number not in await listed(jurisdiction_id=other["county"]) or other == place


async def test_a_retry_with_the_same_key_gives_the_same_request(intake, place, events, fmt):
    form = request_form(API_KEY, place["county"], description=f"重复提交测试 {fmt}")
    first = await post(intake, fmt, form, **{"Idempotency-Key": f"open311-retry-{fmt}-{place['county']}"})
    again = await post(intake, fmt, form, **{"Idempotency-Key": f"open311-retry-{fmt}-{place['county']}"})
    [one] = items(first, fmt, "service_requests", "request")
    [two] = items(again, fmt, "service_requests", "request")
    assert one["service_request_id"] == two["service_request_id"]
    await events.drain(1.0)
    created = [m for m in events.seen if m["type"] == "ticket.created"
               and m["data"]["content"] == form["description"]]
    assert len(created) == 1


async def test_a_token_gives_the_request_id(intake, place, fmt):
    number = await created_id(intake, fmt, request_form(API_KEY, place["county"]))
    ticket = (await intake.get(f"/v1/tickets/{number}", headers={"X-Api-Key": API_KEY})).json()
    response = await intake.get(f"{BASE}/tokens/{ticket['id']}.{fmt}")
    assert response.status_code == 200
    [found] = items(response, fmt, "service_requests", "request")
    assert set(found) == TOKEN and found == {"service_request_id": number, "token": ticket["id"]}


async def test_four_thousand_characters_are_kept_whole(intake, place, fmt):
    text = "路面塌陷" * 1000
    number = await created_id(intake, fmt, request_form(API_KEY, place["county"], description=text))
    assert (await one_request(intake, fmt, number, api_key=API_KEY))["description"] == text


async def test_phone_and_id_numbers_in_a_description_are_masked(intake, place, fmt):
    text = "我是13912345678，身份证532622199001011234，门口的井盖丢了"
    number = await created_id(intake, fmt, request_form(API_KEY, place["county"], description=text,
                                                        **{"attribute[public]": "true"}))
    description = (await one_request(intake, fmt, number))["description"]
    assert description == "我是139****5678，身份证532622********4，门口的井盖丢了"


async def test_the_contact_and_photo_link_reach_the_ticket_as_staff_see_it(intake, place, fmt):
    form = request_form(API_KEY, place["county"])
    number = await created_id(intake, fmt, form)
    ticket = (await intake.get(f"/v1/tickets/{number}", headers={"X-Api-Key": API_KEY})).json()
    assert ticket["contact"] == {"name": "李芳", "phone": "13912345678", "id_number": None,
                                 "address": None, "email": "li@example.cn"}
    assert (ticket["channel"], ticket["type"], ticket["media_url"]) == ("open311", "help", form["media_url"])
    assert ticket["timeline"][0]["text"] == "通过Open311提交诉求"
