"""The world the matrix asks about: a person of every role, citizen A's ticket assigned to
江那镇 with a photo, a failed SMS about it, and things of the administrator's to edit."""

import asyncio
import uuid

import httpx

from services.core.auth import Principal, Role, issue_token
from services.core.consumer import wait_until
from services.intake.seed import staff_accounts
from tests.media.samples import jpeg
from tests.security.policy import SERVICES

CHANNEL_KEY = "matrix-channel-key-0123456789"
COUNTY, TOWN, OTHER_TOWN, OTHER_COUNTY = "532622", "532622100", "532622101", "532601"
PHONE_A, PHONE_B, NAME_A = "13911112222", "13933334444", "欧阳秀英"
STAFF = {"agent": f"agent-{COUNTY}", "handler": f"handler-{TOWN}",
         "other_handler": f"handler-{OTHER_TOWN}", "leader": f"leader-{TOWN}",
         "other_dispatcher": f"center-{OTHER_COUNTY}", "supervisor": f"supervisor-{COUNTY}",
         "admin": "admin"}
REPORT = {
    "channel": "hotline", "type": "complaint",
    "content": "江那镇建设路菜市场门口的生活垃圾堆了一个多星期没人清运，天一热臭气熏天。",
    "location": {"region_code": COUNTY, "town_code": TOWN, "address": "江那镇建设路菜市场"},
    "contact": {"name": NAME_A, "phone": PHONE_A},
}


def principals() -> dict[str, Principal]:
    """Each role's principal, as staff-token and citizen-token would issue it."""
    rows = {row["username"]: row for row in staff_accounts()}
    people = {name: Principal(username, rows[username]["role"], rows[username].get("unit_code"),
                              rows[username].get("region_code"))
              for name, username in STAFF.items()}
    people["citizen_a"] = Principal(str(uuid.uuid5(uuid.NAMESPACE_OID, PHONE_A)), Role.citizen, phone=PHONE_A)
    people["citizen_b"] = Principal(str(uuid.uuid5(uuid.NAMESPACE_OID, PHONE_B)), Role.citizen, phone=PHONE_B)
    return people


class World:
    """HTTP clients to the five services, the people, and what they are asked about."""

    def __init__(self, ports: dict, settings, providers):
        # A connection per request: a kept-alive one the server is closing as a cell reuses it
        # would fail that cell with a ReadError that says nothing about access.
        fresh = httpx.Limits(max_keepalive_connections=0)
        self.http = {name: httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[name]}", timeout=30,
                                             limits=fresh) for name in SERVICES}
        self.settings, self.providers = settings, providers
        self.headers = {"anonymous": {}, "channel": {"X-Api-Key": CHANNEL_KEY}}
        for name, principal in principals().items():
            token = issue_token(principal, settings.jwt_secret, 3600)
            self.headers[name] = {"Authorization": f"Bearer {token}"}
        self.values: dict[str, str] = {}
        self.personal = [PHONE_A, NAME_A]
        # What no refusal and no `blind` answer may contain: filled in as the world is built.
        self.secrets: list[str] = list(self.personal)

    async def close(self) -> None:
        for client in self.http.values():
            await client.aclose()

    async def call(self, service: str, method: str, path: str, who: str = "admin", **kwargs):
        return await self.http[service].request(method, path, headers=self.headers[who], **kwargs)

    async def build(self) -> None:
        """Citizen A's ticket (photo attached, assigned to the town, a return asked, its SMS
        failed) and the administrator's unit, category, rule, saved view and citizen A's
        pending upload."""
        photo = await self.call("media", "POST", "/v1/media", "citizen_a",
                                files={"file": ("photo.jpg", jpeg(), "image/jpeg")})
        assert photo.status_code == 201, photo.text
        self.values["media_id"] = photo.json()["id"]
        # The citizen's 已受理 SMS is refused by the provider for good: a failed message to retry.
        self.providers.fail_next("aliyun", "isv.MOBILE_NUMBER_ILLEGAL", to=PHONE_A)
        number = await self.submit("citizen_a", {**REPORT, "media_ids": [self.values["media_id"]]})
        self.values.update(number=number, ticket=number)
        self.secrets += [number, self.values["media_id"]]
        await self.until_handled(number)
        # A pending 退件 request: the center's request list has the ticket to show or to hide.
        asked = await self.call("intake", "POST", f"/v1/tickets/{number}/actions/request_return",
                                "handler", json={"reason": "不属于本镇职责，应由县住建局办理"})
        assert asked.status_code == 200, asked.text
        self.values["message_id"] = await self.failed_message(number)
        await self.admin_things()

    async def submit(self, who: str, body: dict) -> str:
        created = await self.call("intake", "POST", "/v1/tickets", who, json=body)
        assert created.status_code == 201, created.text
        return created.json()["number"]

    async def assigned(self, number: str) -> None:
        """Once routing has placed the ticket: given to the town (dispatched there if routing
        left it in the center's queue), as intake sees it."""
        history: list = []

        async def routed() -> bool:
            answer = await self.call("routing", "GET", f"/v1/tickets/{number}/assignments")
            history[:] = answer.json() if answer.status_code == 200 else []
            return bool(history)

        assert await wait_until(routed, timeout=20), f"routing never placed {number}"
        if not any((a["unit_code"], a["role"], a["state"]) == (TOWN, "lead", "active") for a in history):
            sent = await self.call("routing", "POST", f"/v1/tickets/{number}/dispatch",
                                   json={"lead": TOWN})
            assert sent.status_code == 200, sent.text

        async def has_lead() -> bool:
            found = (await self.call("intake", "GET", f"/v1/tickets/{number}")).json()
            return found.get("lead_unit") == TOWN and found["status"] == "assigned"

        assert await wait_until(has_lead, timeout=20), f"{number} never reached {TOWN}"

    async def until_handled(self, number: str) -> None:
        """Assigned, timed by sla, and its photo visible to the town's handler."""
        await self.assigned(number)

        async def known(service: str, path: str, who: str = "admin") -> bool:
            return (await self.call(service, "GET", path, who)).status_code == 200

        assert await wait_until(lambda: known("sla", f"/v1/tickets/{number}/sla"), timeout=20)
        assert await wait_until(lambda: known("media", f"/v1/media/{self.values['media_id']}",
                                              "handler"), timeout=20)

    async def failed_message(self, number: str) -> str:
        found: list = []

        async def failed() -> bool:
            answer = await self.call("notify", "GET", "/v1/messages",
                                     params={"ticket": number, "status": "failed"})
            found[:] = answer.json()
            return bool(found)

        assert await wait_until(failed, timeout=30), "the citizen's SMS never failed"
        every = (await self.call("notify", "GET", "/v1/messages", params={"ticket": number})).json()
        self.secrets += [m["id"] for m in every]
        return found[0]["id"]

    async def admin_things(self) -> None:
        """What the administrator's edits and deletes are tried on, so nothing real changes."""
        suffix = uuid.uuid4().hex[:6].translate(str.maketrans("0123456789", "ghijklmnop"))
        unit = await self.call("routing", "POST", "/v1/units", json={
            "code": f"sec-{suffix}", "name": "矩阵测试单位", "kind": "department",
            "region_code": COUNTY})
        category = await self.call("routing", "POST", "/v1/categories", json={
            "code": f"matrix_{suffix}", "name": "矩阵测试分类"})
        assert unit.status_code == category.status_code == 201, (unit.text, category.text)
        rule = await self.call("routing", "POST", "/v1/rules", json={
            "category": f"matrix_{suffix}", "region_prefix": COUNTY, "lead": f"sec-{suffix}"})
        view = await self.call("intake", "POST", "/v1/me/views", json={"name": "矩阵", "query": ""})
        upload = await self.call("media", "POST", "/v1/media/uploads", "citizen_a", json={
            "kind": "video", "content_type": "video/mp4", "size": 1024})
        knowledge = await self.call("routing", "POST", "/v1/knowledge", json={
            "title": "矩阵测试问答", "body": "矩阵测试的答复正文，只为访问控制而建。", "category": "municipal"})
        assert rule.status_code == view.status_code == upload.status_code == knowledge.status_code == 201
        self.values.update(code=f"sec-{suffix}", category=f"matrix_{suffix}",
                           rule_id=str(rule.json()["id"]), view_id=str(view.json()["id"]),
                           upload_id=upload.json()["id"], item_id=knowledge.json()["id"],
                           suffix=suffix)

    async def fresh_tickets(self, count: int) -> list[str]:
        """Tickets like citizen A's (reported for A by the hotline), each assigned to the town."""
        numbers = [await self.submit("channel", {**REPORT, "content": f"{REPORT['content']}（{i}）"})
                   for i in range(count)]
        await asyncio.gather(*(self.assigned(number) for number in numbers))
        return numbers

    async def sms_code(self, phone: str) -> str:
        """A login code for `phone`, as the citizen reads it from the SMS."""
        asked = await self.call("intake", "POST", "/v1/auth/sms-code", "anonymous", json={"phone": phone})
        assert asked.status_code == 202, asked.text

        def codes() -> list:
            return [m.params["code"] for m in self.providers.messages("aliyun")
                    if m.to.endswith(phone) and "code" in (m.params or {})]

        async def arrived() -> bool:
            return bool(codes())

        assert await wait_until(arrived, timeout=20), f"no code SMS for {phone}"
        return codes()[-1]
