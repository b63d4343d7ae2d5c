"""An Open311 report across the five processes: classified, routed, timed and acknowledged."""

import httpx

from services.core.consumer import wait_until
from services.core.db import Database
from services.intake import accounts

API_KEY = "e2e-open311-app-key-0123456789"
PHONE = "13987650311"
REPORT = "平远镇集镇农贸市场门口的垃圾堆了好几天没人清运，臭味很大。"


async def _channel_key(settings) -> None:
    database = Database(settings.database_url, pool_size=1)
    async with database.transaction() as session:
        await accounts.add_api_key(session, "e2e-open311-app", API_KEY)
    await database.dispose()


async def test_an_open311_report_is_handled_like_any_other(platform, providers):
    await _channel_key(platform["settings"])
    base = f"http://127.0.0.1:{platform['ports']['intake']}/open311/v2"
    async with httpx.AsyncClient(base_url=base, timeout=15) as client:

        async def directory_known() -> bool:  # routing's announcements reached intake
            answer = await client.get("/services.json", params={"jurisdiction_id": "532622"})
            return answer.status_code == 200 and len(answer.json()) > 1

        assert await wait_until(directory_known, timeout=30)
        posted = await client.post("/requests.xml", data={
            "api_key": API_KEY, "jurisdiction_id": "532622", "service_code": "unknown",
            "lat": "23.62", "long": "104.35", "address_string": "平远镇集镇农贸市场门口",
            "last_name": "王", "first_name": "强", "phone": PHONE, "description": REPORT,
            "attribute[town]": "532622101"})
        assert posted.status_code == 201, posted.text
        number = posted.text.split("<service_request_id>")[1].split("</")[0]
        seen: dict = {}

        async def handled() -> bool:
            answer = await client.get(f"/requests/{number}.json", params={"api_key": API_KEY})
            seen.update(answer.json()[0])
            return bool(seen["service_code"] != "unknown" and seen["agency_responsible"]
                        and seen["expected_datetime"])

        assert await wait_until(handled, timeout=30), seen
    assert (seen["status"], seen["status_notes"]) == ("open", "已派单")
    assert "平远镇" in seen["agency_responsible"]  # the town's name, not its code

    async def acknowledged() -> bool:
        return any(message.to == PHONE for message in providers.messages("aliyun"))

    assert await wait_until(acknowledged, timeout=30)
