"""Bodies of the public APIs and channels: 案例公开, 办件查询, inbound SMS, WeChat login."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from services.intake.schemas import MOBILE, Strict, Text, no_repeats


class PublicationIn(Strict):
    """What staff publish of a closed ticket: their own wording, and the photos they ticked."""

    title: Text = Field(min_length=1, max_length=50)
    body: Text = Field(min_length=1, max_length=4000)
    reply: Text = Field(min_length=1, max_length=4000)
    photos: list[uuid.UUID] = Field(default_factory=list, max_length=9)

    _unique = field_validator("photos")(no_repeats("照片"))


class Photo(BaseModel):
    """A ticked photo: short-lived links (about 15 minutes), EXIF and GPS stripped by media."""

    url: str
    thumbnail_url: str | None = None


class CaseSummary(BaseModel):
    id: uuid.UUID
    title: str
    summary: str
    category: str | None
    category_name: str
    region: str
    region_name: str
    published_at: datetime


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int


class CaseDetail(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    reply: str
    category: str | None
    category_name: str
    region: str
    region_name: str
    published_at: datetime
    photos: list[Photo]


class Step(BaseModel):
    at: datetime
    label: str


class Lookup(BaseModel):
    """办件查询: what anyone with the number and the phone's last four digits sees."""

    number: str
    status: str
    status_name: str
    category_name: str
    created_at: datetime
    steps: list[Step]


class InboundSms(BaseModel):
    """One message as the SMS gateway posts it (a long SMS may arrive as several)."""

    message_id: str = Field(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")
    phone: str = Field(pattern=MOBILE, description="发送人手机号")
    text: str = Field(min_length=1, max_length=2000)
    received_at: datetime | None = None


class SmsAccepted(BaseModel):
    number: str
    status: str
    missing: list[str]


class WechatLoginIn(Strict):
    code: str = Field(min_length=1, max_length=128, pattern=r"^[\w-]+$", description="wx.login 的 code")
    phone_code: str = Field(min_length=1, max_length=128, pattern=r"^[\w-]+$",
                            description="getPhoneNumber 返回的 code")


class AttachmentsIn(Strict):
    """Uploads a channel back-end adds to a ticket it submitted."""

    media_ids: list[uuid.UUID] = Field(min_length=1, max_length=9)

    _unique = field_validator("media_ids")(no_repeats("附件"))


class ChannelOut(BaseModel):
    """Who an API key belongs to, for another service checking a channel's key."""

    subject: str
    role: str
