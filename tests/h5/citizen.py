"""A citizen's phone browser over HTTP (cookies, the CSRF token, the SMS code), and the staff beside it."""

from pathlib import Path

import httpx

from services.core.consumer import wait_until
from tests.console.people import FormBrowser
from tests.e2e.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "h5"  # the browser tests' screenshots
TOWN = "532622101"  # 砚山县平远镇: its streets are its own to keep clean (routing's town rules)
REPORT = "平远镇集镇街道上的生活垃圾堆了一个多星期没人清运，天一热臭气熏天，苍蝇很多。"
# Nothing the classifier can place with confidence: it waits for the command center.
VAGUE = "我想反映一下我们小区门口的情况，说起来比较复杂，希望有关部门能来看看帮忙解决。"


async def sms_code(providers, phone: str, since: int = 0) -> str:
    """The newest login code the (local) SMS provider received for a phone after `since` messages."""

    def codes() -> list:
        return [m for m in providers.messages("aliyun")[since:] if m.to == phone and "code" in m.params]

    async def arrived() -> bool:
        return bool(codes())

    assert await wait_until(arrived, timeout=20), "no SMS code reached the provider"
    return codes()[-1].params["code"]


class Citizen(FormBrowser):
    """One phone's cookies against /m/, logging in with the code the SMS provider received."""

    FIRST_FORM = "/m/login"

    def __init__(self, platform: dict, phone: str):
        super().__init__(platform["ports"])
        self.platform, self.phone = platform, phone

    async def sms_code(self, since: int = 0) -> str:
        return await sms_code(self.platform["providers"], self.phone, since)

    async def login(self, target: str = "/m/") -> httpx.Response:
        """获取验证码, then 登录 with the code from the SMS."""
        await self.get("/m/login")
        since = len(self.platform["providers"].messages("aliyun"))
        sent = await self.post("/m/login", {"phone": self.phone, "action": "send", "next": target})
        assert sent.status_code == 200 and "验证码已发送" in sent.text, sent.text
        code = await self.sms_code(since)
        done = await self.post("/m/login", {"phone": self.phone, "code": code, "step": "verify",
                                            "action": "verify", "next": target})
        assert done.status_code == 303, done.text
        return done

    async def report(self, **fields) -> httpx.Response:
        """我要反映 as posted without JavaScript (files, if any, ride along in the form)."""
        files = fields.pop("files", None)
        form = {"type": "complaint", "content": REPORT, "region_code": "532622", "town_code": TOWN,
                "address": "平远镇集镇中心街", "name": "张先生", "scope_ok": "on", "public": "no",
                "idempotency_key": fields.pop("key", "") or None, **fields}
        return await self.post("/m/report", {k: v for k, v in form.items() if v is not None}, files=files)


class Staff:
    """Staff tokens and intake's action API: the other side of the citizen's ticket."""

    def __init__(self, ports: dict):
        self.intake = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['intake']}", timeout=20)
        self.media = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['media']}", timeout=20)
        self.notify = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['notify']}", timeout=20)
        self.tokens: dict[str, dict] = {}

    async def close(self) -> None:
        await self.intake.aclose()
        await self.media.aclose()
        await self.notify.aclose()

    async def token(self, username: str) -> dict:
        if username not in self.tokens:
            response = await self.intake.post("/v1/auth/staff-token",
                                              json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.text
            self.tokens[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self.tokens[username]

    async def ticket(self, number: str) -> dict:
        response = await self.intake.get(f"/v1/tickets/{number}", headers=await self.token("center-532622"))
        assert response.status_code == 200, response.text
        return response.json()

    async def until(self, number: str, check, timeout: float = 30.0) -> dict:
        """The ticket once `check` holds (routing and sla work in their own processes)."""
        seen: dict = {}

        async def holds() -> bool:
            seen["ticket"] = await self.ticket(number)
            return check(seen["ticket"])

        assert await wait_until(holds, timeout=timeout), seen.get("ticket")
        return seen["ticket"]

    async def citizen_sms(self, number: str, template: str) -> str:
        """The text of the SMS notify sent the citizen of a ticket for an event (once it is sent)."""
        found: list[str] = []

        async def sent() -> bool:
            response = await self.notify.get("/v1/messages", params={"ticket": number},
                                             headers=await self.token("admin"))
            found[:] = [m["text"] for m in response.json() if m["template"] == template
                        and m["audience"] == "citizen" and m["channel"] == "sms"]
            return bool(found)

        assert await wait_until(sent, timeout=30), f"no {template} SMS for {number}"
        return found[0]

    async def act(self, who: str, number: str, action: str, body: dict | None = None) -> dict:
        response = await self.intake.post(f"/v1/tickets/{number}/actions/{action}", json=body,
                                          headers=await self.token(who))
        assert response.status_code == 200, (action, response.text)
        return response.json()

    async def resolve(self, number: str, town: str = TOWN) -> None:
        """The town signs and reports, its leader approves, the center's audit resolves it."""
        await self.until(number, lambda t: t["status"] == "assigned" and t["lead_unit"] == town)
        await self.act(f"handler-{town}", number, "sign")
        await self.act(f"handler-{town}", number, "submit_completion", {"result": "已安排环卫人员清运垃圾 3 车"})
        await self.act(f"leader-{town}", number, "approve_completion")
        resolved = await self.act("center-532622", number, "accept_completion")
        assert resolved["status"] == "resolved"
