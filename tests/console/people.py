"""The console as a person uses it over HTTP: a cookie jar, the CSRF token, the APIs beside it."""

import re

import httpx

from tests.e2e.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHANNEL_TICKET = {
    "channel": "hotline", "type": "complaint", "title": "江那镇路灯不亮",
    "content": "江那镇建设路的路灯已经坏了一个星期，晚上走路很危险。",
    "location": {"region_code": "532622", "town_code": "532622100", "address": "江那镇建设路"},
    "contact": {"name": "张先生", "phone": "13987650002"},
}


class FormBrowser:
    """One browser's cookies against the console's pages, carrying the CSRF token its forms
    hold, as a person's browser does (staff at /, citizens at /m/)."""

    FIRST_FORM = "/login"  # a page with a form, to learn the token before the first post

    def __init__(self, ports: dict):
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['console']}", timeout=20,
                                      follow_redirects=False)
        self.csrf = ""

    async def close(self) -> None:
        await self.http.aclose()

    async def get(self, path: str, **kwargs) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        self._remember_token(response)
        return response

    async def post(self, path: str, data: dict | None = None, **kwargs) -> httpx.Response:
        """A form post carrying this browser's CSRF token, as the pages' forms do."""
        if not self.csrf:
            await self.get(self.FIRST_FORM)
        response = await self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)
        self._remember_token(response)
        return response

    def _remember_token(self, response: httpx.Response) -> None:
        if found := CSRF.search(response.text):
            self.csrf = found.group(1)


class Console(FormBrowser):
    """One browser's worth of cookies against the console, and staff tokens for the APIs."""

    def __init__(self, ports: dict):
        super().__init__(ports)
        self.intake = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['intake']}", timeout=20)

    async def close(self) -> None:
        await super().close()
        await self.intake.aclose()

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/login")
        return await self.post("/login", {"username": username, "password": password, "next": "/"})

    async def token(self, username: str) -> dict:
        response = await self.intake.post("/v1/auth/staff-token",
                                          json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def submit(self, **changes) -> dict:
        """A ticket recorded by the county's hotline agent through intake's API."""
        body = {**CHANNEL_TICKET, **changes}
        response = await self.intake.post("/v1/tickets", json=body,
                                          headers=await self.token("agent-532622"))
        assert response.status_code == 201, response.text
        return response.json()
