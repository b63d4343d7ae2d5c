"""Request and response bodies of the media API."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MediaOut(BaseModel):
    """An upload's metadata; `url` and `thumbnail_url` are short-lived download links."""

    id: uuid.UUID
    kind: Literal["image", "video", "audio"]
    content_type: str
    size: int
    sha256: str | None
    owner: str
    state: Literal["pending_upload", "stored", "deleted"]
    created_at: datetime
    attached_at: datetime | None
    ticket_id: uuid.UUID | None
    url: str | None = None
    thumbnail_url: str | None = None
    url_expires_at: datetime | None = None


class UploadIn(BaseModel):
    """A large video the client will PUT straight to the object store."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["video"]
    content_type: Literal["video/mp4", "video/quicktime"]
    size: int = Field(ge=1)


class UploadOut(BaseModel):
    """Where to PUT the bytes, until when; then call `complete_url`."""

    id: uuid.UUID
    upload_url: str
    method: Literal["PUT"] = "PUT"
    expires_at: datetime
    complete_url: str


class ProblemOut(BaseModel):
    """A refusal (application/problem+json, RFC 9457), its detail in Chinese for the caller."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


REFUSALS = {400: "上传内容格式有误", 401: "未登录或登录已过期", 404: "未找到", 409: "尚未上传",
            413: "文件过大", 415: "不支持的文件类型", 422: "请求参数有误",
            503: "服务暂时不可用"}


def refusals(*statuses: int) -> dict:
    """OpenAPI `responses` for the problem+json answers a route may give."""
    schema = ProblemOut.model_json_schema()
    return {status: {"description": REFUSALS[status],
                     "content": {"application/problem+json": {"schema": schema}}}
            for status in statuses}
