"""Attachments: intake asks the media service whether each id exists and whose it is."""

import asyncio
import time
import uuid

import httpx

from services.core.auth import Principal, Role, issue_token
from services.core.problems import Problem

VISUAL = ("image", "video")
TOKEN_SECONDS = 300


class MediaLookup:
    """Reads media metadata with a short-lived service token; one HTTP client per process."""

    def __init__(self, base_url: str, secret: str):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=5.0)
        self.secret = secret
        self._token, self._token_until = "", 0.0

    def _auth(self) -> dict:
        if time.monotonic() > self._token_until:
            principal = Principal("service:intake", Role.admin)
            self._token = issue_token(principal, self.secret, TOKEN_SECONDS)
            self._token_until = time.monotonic() + TOKEN_SECONDS / 2
        return {"Authorization": f"Bearer {self._token}"}

    async def describe(self, media_ids: list[uuid.UUID], owner: Principal) -> list[dict]:
        """The metadata of each id; 422 naming the first that is unknown or someone else's."""
        if not media_ids:
            return []
        found = await asyncio.gather(*(self._one(media_id) for media_id in media_ids))
        for index, (media_id, item) in enumerate(zip(media_ids, found, strict=True)):
            if item is None or item.get("owner") != owner.subject:
                raise Problem(422, "请求参数有误", f"附件 {media_id} 不存在或不属于您",
                              errors=[{"field": f"media_ids.{index}", "message": "附件不存在或不属于您"}])
        return found

    async def read(self, media_id: uuid.UUID) -> dict | None:
        """One upload's metadata with its short-lived links; None if media does not know it."""
        return await self._one(media_id)

    async def _one(self, media_id: uuid.UUID) -> dict | None:
        try:
            response = await self.client.get(f"/v1/media/{media_id}", headers=self._auth())
        except httpx.HTTPError:
            raise Problem(503, "附件服务暂不可用", "请稍后重试", headers={"Retry-After": "5"}) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise Problem(503, "附件服务暂不可用", "请稍后重试", headers={"Retry-After": "5"})
        return response.json()

    async def close(self) -> None:
        await self.client.aclose()


def require_text_for_visuals(items: list[dict], content: str) -> None:
    """A photo or a video needs a text description; voice alone is allowed."""
    if not content and any(item.get("kind") in VISUAL for item in items):
        raise Problem(422, "请求参数有误", "上传图片或视频时须填写文字说明",
                      errors=[{"field": "content", "message": "上传图片或视频时须填写文字说明"}])
