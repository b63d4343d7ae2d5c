"""Open311's refusals: 400 what is wrong, 403 the api_key, 404 what does not exist; nothing written."""

import pytest
from sqlalchemy import func, select

from services.intake.models import tickets
from tests.intake.conftest import API_KEY
from tests.intake.open311 import BASE, FORMATS, errors, fresh_county, learn_directory, request_form


@pytest.fixture(scope="module")
async def place(db):
    here = await learn_directory(db, fresh_county())
    elsewhere = await learn_directory(db, fresh_county())
    return {**here, "other_town": elsewhere["town"]}


def _form(place, **overrides) -> dict:
    return request_form(API_KEY, place["county"], **overrides)


# (why, the form's changes, the status); None removes a field.
BAD_POSTS = [
    ("no api_key", {"api_key": None}, 403),
    ("an api_key no channel has", {"api_key": "not-a-key-0000"}, 403),
    ("no jurisdiction_id", {"jurisdiction_id": None}, 400),
    ("a jurisdiction_id we do not serve", {"jurisdiction_id": "110101"}, 404),
    ("no service_code", {"service_code": None}, 400),
    ("a service_code we do not have", {"service_code": "no.such"}, 404),
    ("no location", {"lat": None, "long": None, "address_string": None}, 400),
    ("address_id alone", {"lat": None, "long": None, "address_string": None, "address_id": "545483"}, 400),
    ("lat without long", {"long": None}, 400),
    ("lat that is not a number", {"lat": "north"}, 400),
    ("a point outside the country", {"lat": "37.76", "long": "-122.42"}, 400),
    ("no phone", {"phone": None}, 400),
    ("a phone that is not one", {"phone": "111111111"}, 400),
    ("an email that is not one", {"email": "li-at-example"}, 400),
    ("a description past 4,000 characters", {"description": "坑" * 4001}, 400),
    ("the generic service without a description", {"service_code": "unknown", "description": None}, 400),
    ("a media_url that is not a link", {"media_url": "javascript:alert(1)"}, 400),
    ("an attribute no service asks", {"attribute[colour]": "red"}, 400),
    ("a value the attribute does not offer", {"attribute[type]": "praise"}, 400),
    ("two values for a single-value attribute", {"attribute[type][]": ["help", "complaint"]}, 400),
    ("a NUL in a parameter the spec does not have", {"priority": "high\x00"}, 400),
    ("a NUL in the text", {"description": "坑\x00"}, 400),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("why", "changes", "status"), BAD_POSTS, ids=[case[0] for case in BAD_POSTS])
async def test_a_bad_request_is_refused_and_nothing_is_written(intake, db, place, fmt, why, changes, status):
    async with db.transaction() as session:
        before = await session.scalar(select(func.count()).select_from(tickets))
    response = await intake.post(f"{BASE}/requests.{fmt}", data=_form(place, **changes))
    errors(response, fmt, status)
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(tickets)) == before


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_town_of_another_county_is_refused(intake, place, fmt):
    response = await intake.post(f"{BASE}/requests.{fmt}",
                                 data=_form(place, **{"attribute[town]": place["other_town"]}))
    [error] = errors(response, fmt, 400)
    assert "乡镇" in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_same_idempotency_key_with_another_form_is_refused(intake, place, fmt):
    key = {"Idempotency-Key": f"open311-conflict-{fmt}-{place['county']}"}
    first = await intake.post(f"{BASE}/requests.{fmt}", data=_form(place), headers=key)
    assert first.status_code == 201
    other = await intake.post(f"{BASE}/requests.{fmt}", data=_form(place, description="另一件事"), headers=key)
    errors(other, fmt, 400)


BAD_GETS = [
    ("a status that is neither open nor closed", "/requests", {"status": "open,pending"}, 400),
    ("a start_date without its offset", "/requests", {"start_date": "2026-11-01T00:00:00"}, 400),
    ("a date that is not one", "/requests", {"end_date": "yesterday"}, 400),
    ("a window past 90 days", "/requests",
     {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, 400),
    ("an end before the start", "/requests",
     {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, 400),
    ("a window past the calendar's end", "/requests", {"start_date": "9999-12-31T23:59:59-12:00"}, 400),
    ("a window before the calendar's start", "/requests",
     {"start_date": "0001-01-01T00:00:00+14:00", "end_date": "0001-02-01T00:00:00+14:00"}, 400),
    ("an api_key no channel has", "/requests", {"api_key": "not-a-key-0000"}, 403),
    ("a jurisdiction_id we do not serve", "/requests", {"jurisdiction_id": "110101"}, 404),
    ("a jurisdiction_id we do not serve", "/services", {"jurisdiction_id": "110101"}, 404),
    ("a service that does not exist", "/services/no.such", {}, 404),
    ("a request that does not exist", "/requests/WS20990101000001", {}, 404),
    ("a token that is not one", "/tokens/abc", {}, 404),
    ("a token of no request", "/tokens/00000000-0000-4000-8000-000000000000", {}, 404),
    ("a NUL in a parameter", "/requests", {"service_code": "a\x00b"}, 400),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("why", "path", "params", "status"), BAD_GETS, ids=[case[0] + case[1] for case in BAD_GETS])
async def test_a_bad_query_is_refused(intake, place, fmt, why, path, params, status):
    errors(await intake.get(f"{BASE}{path}.{fmt}", params=params), fmt, status)


async def test_a_resource_the_spec_does_not_have_is_a_404_in_xml(intake):
    errors(await intake.get(f"{BASE}/reports.xml"), "xml", 404)
    errors(await intake.get(f"{BASE}/services.html"), "xml", 404)


async def test_another_method_on_a_resource_is_a_405_naming_the_allowed_ones(intake):
    response = await intake.delete(f"{BASE}/requests.json")
    errors(response, "json", 405)
    assert response.headers["allow"] == "GET, POST"
