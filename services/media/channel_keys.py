"""Channel back-ends' API keys: intake owns them; media asks intake whose a key is, and remembers."""

import hashlib
import time

import httpx

from services.core.auth import Principal, Role
from services.core.problems import Problem

REFUSED = Problem(401, "渠道密钥无效", "X-Api-Key 无效或已停用")
UNAVAILABLE = Problem(503, "服务暂时不可用", "暂时无法核验渠道密钥，请稍后重试", headers={"Retry-After": "5"})


class ChannelKeys:
    """`GET /v1/auth/channel` on intake, each answer (yes or no) kept for a short while."""

    def __init__(self, intake_url: str, cache_seconds: float = 60.0, clock=time.monotonic):
        self.client = httpx.AsyncClient(base_url=intake_url, timeout=5.0)
        self.cache_seconds, self.clock = cache_seconds, clock
        self._known: dict[str, tuple[Principal | None, float]] = {}

    async def principal(self, key: str) -> Principal:
        """The channel a key belongs to; 401 for an unknown key, 503 while intake cannot say."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        hit = self._known.get(digest)
        if hit is None or hit[1] < self.clock():
            hit = (await self._ask(key), self.clock() + self.cache_seconds)
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[digest] = hit
        if hit[0] is None:
            raise REFUSED
        return hit[0]

    async def _ask(self, key: str) -> Principal | None:
        try:
            response = await self.client.get("/v1/auth/channel", headers={"X-Api-Key": key})
        except httpx.HTTPError:
            raise UNAVAILABLE from None
        if response.status_code == 401:
            return None
        if response.status_code != 200:
            raise UNAVAILABLE
        body = response.json()
        if body.get("role") != Role.channel.value or not str(body.get("subject", "")).startswith("channel:"):
            return None
        return Principal(body["subject"], Role.channel)

    async def close(self) -> None:
        await self.client.aclose()
