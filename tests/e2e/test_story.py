"""The real story, end to end: a citizen's report from login to archive, across five processes."""

import asyncio
import re
from collections import Counter
from datetime import datetime

import aio_pika
import httpx
import orjson

from services.core.consumer import wait_until
from tests.e2e.conftest import PASSWORD
from tests.media.samples import jpeg

PHONE = "13987650001"
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # the form of a real openid (28 characters)
TOWN = "532622101"  # 砚山县平远镇: its streets are its own to keep clean (routing's town rules)
REPORT = "平远镇集镇街道上的生活垃圾堆了一个多星期没人清运，天一热臭气熏天，苍蝇很多。"


class Story:
    """HTTP clients to every service, and the people of the story."""

    def __init__(self, ports: dict, providers):
        self.http = {name: httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=15)
                     for name, port in ports.items()}
        self.providers = providers
        self.tokens: dict[str, dict] = {}

    async def staff(self, username: str) -> dict:
        response = await self.http["intake"].post("/v1/auth/staff-token",
                                                  json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.tokens[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self.tokens[username]

    async def act(self, who: str, number: str, action: str, body: dict | None = None) -> dict:
        response = await self.http["intake"].post(f"/v1/tickets/{number}/actions/{action}",
                                                  json=body, headers=self.tokens[who])
        assert response.status_code == 200, (action, response.text)
        return response.json()

    async def upload(self, headers: dict, content: bytes) -> str:
        response = await self.http["media"].post("/v1/media", headers=headers,
                                                 files={"file": ("photo.jpg", content, "image/jpeg")})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def ticket(self, number: str) -> dict:
        return (await self.http["intake"].get(f"/v1/tickets/{number}",
                                              headers=self.tokens["center-532622"])).json()

    async def until(self, number: str, predicate, timeout: float = 20.0) -> dict:
        seen = {}

        async def check() -> bool:
            seen["ticket"] = await self.ticket(number)
            return predicate(seen["ticket"])

        assert await wait_until(check, timeout=timeout), seen.get("ticket")
        return seen["ticket"]

    async def close(self) -> None:
        for client in self.http.values():
            await client.aclose()


async def citizen_login(story: Story) -> dict:
    """The mini-program's login: an SMS code through the (fake) Aliyun SMS API."""
    assert (await story.http["intake"].post("/v1/auth/sms-code", json={"phone": PHONE})).status_code == 202

    def code_sms():
        return [m for m in story.providers.messages("aliyun") if m.to == PHONE and "code" in m.params]

    assert await wait_until(lambda: _now(bool(code_sms())), timeout=20)
    code = code_sms()[-1].params["code"]
    response = await story.http["intake"].post("/v1/auth/citizen-token",
                                               json={"phone": PHONE, "code": code, "openid": OPENID})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _now(value):
    return value


async def department_queue(settings, platform, unit: str):
    """The unit's own system: `dept-queue` declares dept.<unit>; we read it as they would."""
    await asyncio.to_thread(platform["cli"], "dept-queue", unit)
    connection = await aio_pika.connect(settings.amqp_url)
    channel = await connection.channel()
    return connection, await channel.get_queue(settings.broker_name(f"dept.{unit}"))


async def received(queue, number: str) -> list[dict]:
    found = []

    async def arrived() -> bool:
        message = await queue.get(fail=False, no_ack=True)
        if message is not None:
            found.append(orjson.loads(message.body))
        return any(m["data"].get("number") == number for m in found)

    assert await wait_until(arrived, timeout=20)
    return [m for m in found if m["data"].get("number") == number]


async def listed_once(story: Story, number: str, check) -> dict:
    """The ticket on the center's list once sla's clock events have reached intake."""
    found: dict = {}

    async def shown() -> bool:
        items = (await story.http["intake"].get("/v1/search/tickets", params={"q": number},
                                                headers=story.tokens["center-532622"])).json()["items"]
        found.update(items[0] if items else {})
        return bool(items) and check(items[0])

    assert await wait_until(shown, timeout=20), found
    return found


async def handle_once(story: Story, number: str, result: str, evidence: str) -> None:
    """The town handles it: completion with evidence, the leader's review, the center's audit."""
    await story.act(f"handler-{TOWN}", number, "submit_completion", {"result": result, "media_ids": [evidence]})
    await story.act(f"leader-{TOWN}", number, "approve_completion")
    resolved = await story.act("center-532622", number, "accept_completion")
    assert resolved["status"] == "resolved"


async def test_a_report_from_login_to_archive(platform, providers):
    settings = platform["settings"]
    story = Story(platform["ports"], providers)
    for username in ("center-532622", f"handler-{TOWN}", f"leader-{TOWN}"):
        await story.staff(username)
    connection, dept = await department_queue(settings, platform, TOWN)
    try:
        citizen = await citizen_login(story)
        photo = await story.upload(citizen, jpeg())
        created = await story.http["intake"].post("/v1/tickets", headers=citizen, json={
            "channel": "miniprogram", "type": "complaint", "content": REPORT, "media_ids": [photo],
            "location": {"region_code": "532622", "town_code": TOWN, "address": "平远镇集镇中心街"},
            "contact": {"name": "张先生"}})
        assert created.status_code == 201, created.text
        number = created.json()["number"]

        ticket = await story.until(number, lambda t: t["status"] == "assigned")
        assert ticket["lead_unit"] == TOWN and ticket["media_ids"] == [photo]
        [assigned] = [m for m in await received(dept, number) if m["type"] == "ticket.assigned"]
        assert assigned["data"]["role"] == "lead"

        await story.act(f"handler-{TOWN}", number, "sign")
        sla = (await story.http["sla"].get(f"/v1/tickets/{number}/sla",
                                           headers=story.tokens["center-532622"])).json()
        assert {c["kind"] for c in sla["clocks"]} >= {"response", "completion"}, sla
        [completion] = [c for c in sla["clocks"] if c["kind"] == "completion" and c["stopped_at"] is None]
        listed = await listed_once(story, number, lambda item: item["response_due"] is None
                                   and item["completion_due"] is not None)  # signed: one clock left
        assert datetime.fromisoformat(listed["completion_due"]) == datetime.fromisoformat(completion["deadline"])
        assert listed["sla_state"] == "normal"
        await story.act(f"handler-{TOWN}", number, "reply", {"text": "已安排环卫人员今天下午清运"})
        evidence = await story.upload(story.tokens[f"handler-{TOWN}"], jpeg())
        await handle_once(story, number, "已清运垃圾 3 车，并增设垃圾桶 4 个", evidence)

        reopened = await story.http["intake"].post(f"/v1/tickets/{number}/evaluation", headers=citizen,
                                                   json={"resolved": False, "satisfaction": "unsatisfied",
                                                         "comment": "第二天又堆起来了"})
        assert reopened.json()["status"] == "in_progress" and reopened.json()["lead_unit"] == TOWN
        await handle_once(story, number, "已与村委会约定每日清运，设专人巡查", evidence)
        closed = await story.http["intake"].post(f"/v1/tickets/{number}/evaluation", headers=citizen,
                                                 json={"resolved": True, "satisfaction": "satisfied"})
        assert closed.json()["status"] == "closed"

        await assert_messages(story, number)
        await listed_once(story, number, lambda item: item["completion_due"] is None and item["sla_state"] is None)
        archive = (await story.http["intake"].get(f"/v1/tickets/{number}/archive",
                                                  headers=story.tokens["center-532622"])).json()
        assert [r["kind"] for r in archive["reports"]].count("completion") == 2
    finally:
        await dept.delete(if_unused=False, if_empty=False)
        await connection.close()
        await story.close()


async def assert_messages(story: Story, number: str) -> None:
    """Each person heard each step once: WeChat to the citizen, SMS to the town's handlers."""
    expected = {("ticket.accepted", "citizen"), ("ticket.assigned", "handler"),
                ("ticket.replied", "citizen"), ("ticket.resolved", "citizen"),
                ("ticket.reopened", "handler"), ("ticket.completion_submitted", "leader")}

    async def all_sent() -> bool:
        rows = await messages(story, number)
        return expected <= {(r["template"], r["audience"]) for r in rows if r["status"] in ("sent", "delivered")}

    assert await wait_until(all_sent, timeout=30), await messages(story, number)
    rows = await messages(story, number)
    counts = Counter((r["event_id"], r["recipient"], r["channel"]) for r in rows)
    assert max(counts.values()) == 1
    citizen_rows = [r for r in rows if r["audience"] == "citizen"]
    assert citizen_rows and all(r["channel"] == "wechat" for r in citizen_rows)
    wechat = [m for m in story.providers.messages("wechat") if m.to == OPENID]
    assert len(wechat) == len({m.message_id for m in wechat}) >= 4


async def messages(story: Story, number: str) -> list[dict]:
    response = await story.http["notify"].get("/v1/messages", params={"ticket": number, "limit": 200},
                                              headers=story.tokens["center-532622"])
    assert response.status_code == 200, response.text
    return response.json()


# A mainland mobile number or an 18-character ID number, unmasked.
PERSONAL = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def test_no_phone_or_id_number_in_any_log_line(platform):
    """After the story (tests run in file order): every line the five services wrote, at INFO."""
    logs = sorted(platform["logs"].glob("*.log"))
    assert [log.stem for log in logs] == ["intake", "media", "notify", "routing", "sla"]
    lines = [line for log in logs for line in log.read_text(errors="replace").splitlines()]
    assert len(lines) > 20, "the services wrote (almost) nothing: is the scan looking elsewhere?"
    leaked = [line[:200] for line in lines if PERSONAL.search(line)]
    assert not leaked, leaked[:5]
