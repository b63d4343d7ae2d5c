"""A third-party Open311 client, PyPI's `georeport`, against intake running as its own process.

The client reads (it has no POST): the request it finds is one posted to the same running
intake over HTTP as any Open311 app would post it, form-encoded with a channel's api_key.
"""

import asyncio

import httpx
import pytest
from georeport import GeoReport

from bench.common import free_port, scratch, services_running
from services.core.db import Database
from services.intake import accounts
from tests.intake.open311 import REQUEST, SERVICE, learn_directory, request_form

API_KEY = "open311-client-key-0123456789"
COUNTY = "539950"


@pytest.fixture(scope="module")
async def endpoint():
    """Intake on a real port over a fresh database that knows a county and two categories."""
    async with scratch("open311") as fresh:
        database = Database(fresh.database_url, pool_size=1)
        async with database.transaction() as session:
            await accounts.add_api_key(session, "open311-app", API_KEY)
        await learn_directory(database, COUNTY)
        await database.dispose()
        port = free_port()
        async with services_running(fresh, {"intake": port}, {"MEDIA_URL": f"http://127.0.0.1:{free_port()}"}):
            yield f"http://127.0.0.1:{port}/open311/v2"


async def _posted(endpoint: str) -> tuple[str, dict]:
    form = request_form(API_KEY, COUNTY, **{"attribute[public]": "true", "attribute[type]": "report"})
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{endpoint}/requests.json", data=form)
    assert response.status_code == 201, response.text
    return response.json()[0]["service_request_id"], form


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_georeport_reads_services_definitions_and_our_request(endpoint, fmt):
    number, form = await _posted(endpoint)
    client = GeoReport(endpoint, jurisdiction=COUNTY, output_format=fmt)

    services = await asyncio.to_thread(client.get_service_list)
    codes = {service["service_code"]: service for service in services}
    assert set(codes["municipal.road"]) == SERVICE and codes["municipal.road"]["service_name"] == "道路破损"

    definition = await asyncio.to_thread(client.get_service_definition, "municipal.road")
    assert definition["service_code"] == "municipal.road"
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [attribute["code"] for attribute in attributes] == ["type", "town", "public", "anonymous"]

    found = await asyncio.to_thread(client.get_service_request, number)
    assert set(found) == REQUEST
    assert (found["service_request_id"], found["status"], found["description"]) == (
        number, "open", form["description"])

    listed = await asyncio.to_thread(client.get_service_requests, status="open")
    listed = [listed] if isinstance(listed, dict) else listed  # xmltodict: one item is not a list
    assert number in {request["service_request_id"] for request in listed}
