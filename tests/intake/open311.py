"""What the Open311 tests share: the spec's element names, a directory of our own, parsing."""

import random
from xml.etree import ElementTree

from services.core.events import Envelope
from services.intake.names import on_category_upserted, on_unit_upserted
from tests.intake.directory import CategoryUpserted, UnitUpserted

BASE = "/open311/v2"
FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# The element names of GeoReport v2 (open311/open311.github.io, GeoReport/v2/index.md, and
# Service_Discovery.md for discovery).
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE = {"variable", "code", "datatype", "required", "datatype_description", "order",
             "description", "values"}
VALUE = {"key", "name"}
REQUEST = {"service_request_id", "status", "status_notes", "service_name", "service_code",
           "description", "agency_responsible", "service_notice", "requested_datetime",
           "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
           "long", "media_url"}
CREATED = {"service_request_id", "service_notice", "account_id"}
TOKEN = {"service_request_id", "token"}
ERROR = {"code", "description"}
DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}


def xml_of(response, root: str) -> ElementTree.Element:
    """The answer parsed by a real XML parser; its declaration, content type and root checked."""
    assert response.headers["content-type"] == CONTENT_TYPES["xml"], response.headers
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), response.content[:60]
    document = ElementTree.fromstring(response.content)
    assert document.tag == root, ElementTree.tostring(document)
    return document


def json_of(response):
    assert response.headers["content-type"] == CONTENT_TYPES["json"], response.headers
    return response.json()


def children(element: ElementTree.Element) -> dict[str, ElementTree.Element]:
    """An element's children by name (each name once)."""
    names = [child.tag for child in element]
    assert len(names) == len(set(names)), names
    return {child.tag: child for child in element}


def items(response, fmt: str, root: str, item: str) -> list[dict]:
    """A list answer as dicts of text (XML) or values (JSON), each item's names checked unique."""
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list), body
        return body
    document = xml_of(response, root)
    assert all(child.tag == item for child in document), [child.tag for child in document]
    return [{name: element.text for name, element in children(entry).items()} for entry in document]


def errors(response, fmt: str, status: int) -> list[dict]:
    """An Open311 error answer: the HTTP status, then `errors/error{code,description}`."""
    assert response.status_code == status, (response.status_code, response.text)
    found = items(response, fmt, "errors", "error")
    assert found and all(set(error) == ERROR for error in found), found
    assert all(str(error["code"]) == str(status) and error["description"] for error in found), found
    return found


def open311_refusal(response) -> None:
    """A 4xx is `errors/error{code,description}` in XML or JSON (for the fuzz test's check)."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    if content_type == CONTENT_TYPES["json"]:
        found = response.json()
        assert isinstance(found, list) and all(set(error) == ERROR for error in found), found
        return
    assert content_type == CONTENT_TYPES["xml"], f"{response.status_code} answered as {content_type!r}"
    document = ElementTree.fromstring(response.content)
    assert document.tag == "errors" and all(set(children(error)) == ERROR for error in document)


def fresh_county() -> str:
    """A county adcode of the test's own, so that its requests can be told from everyone's."""
    while (code := f"5399{random.randrange(1, 100):02d}").endswith("00"):
        pass
    return code


def _at(event) -> Envelope:
    return event.envelope(producer="routing")


async def learn_directory(db, county: str) -> dict:
    """Intake learns a county, a town of it and two categories, as routing announces them."""
    town = f"{county}100"
    async with db.transaction() as session:
        await on_unit_upserted(session, _at(UnitUpserted(code=county, name="测试县", kind="county",
                                                         region_code=county)))
        await on_unit_upserted(session, _at(UnitUpserted(code=town, name="测试县城关镇", kind="town",
                                                         parent=county, region_code=county)))
        await on_category_upserted(session, _at(CategoryUpserted(code="municipal", name="市政管理")))
        await on_category_upserted(session, _at(CategoryUpserted(
            code="municipal.road", name="道路破损", parent="municipal")))
    return {"county": county, "town": town}


def request_form(api_key: str, county: str, /, **overrides) -> dict:
    """A complete POST requests form for the county."""
    form = {"api_key": api_key, "jurisdiction_id": county, "service_code": "municipal.road",
            "lat": "23.61", "long": "104.33", "address_string": "城关镇振兴街 18 号门口",
            "first_name": "芳", "last_name": "李", "phone": "13912345678", "email": "li@example.cn",
            "description": "振兴街人行道有一个大坑，晚上路过很危险。",
            "media_url": "https://photos.example.cn/pothole.jpg"}
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}
