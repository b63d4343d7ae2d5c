"""Request and response bodies of the intake API, with their validation rules."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Path
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.core.problems import STORABLE_TEXT
from services.intake.statuses import Status

MOBILE = r"^1[3-9]\d{9}$"
PHONE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Mainland China, with a margin: a point outside it is a typo, not a report.
LAT_RANGE, LNG_RANGE = (3.0, 54.0), (73.0, 136.0)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

TICKET_NUMBER = r"^[A-Za-z0-9]{1,32}$"
UNIT_CODE = r"^[A-Za-z0-9_.-]{1,40}$"
MAX_OFFSET = 100_000  # a list is paged through by filters long before this

Text = Annotated[str, StringConstraints(strip_whitespace=True, pattern=STORABLE_TEXT)]
RawText = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]
TicketNumber = Annotated[str, Path(pattern=TICKET_NUMBER, description="工单号，如 WS20261123000123")]


class Channel(StrEnum):
    miniprogram = "miniprogram"
    hotline = "hotline"
    wechat = "wechat"
    sms = "sms"
    web = "web"
    app = "app"
    open311 = "open311"


class TicketType(StrEnum):
    consult = "consult"
    help = "help"
    complaint = "complaint"
    report = "report"
    suggestion = "suggestion"


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"


class Satisfaction(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"


def valid_id_number(value: str) -> bool:
    """GB 11643-1999: 17 digits and a check character (0-9 or X)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17].upper()


def no_repeats(what: str):
    """A validator refusing a list that names the same item twice (附件不能重复)."""
    def check(cls, value: list) -> list:
        if len(set(value)) != len(value):
            raise ValueError(f"{what}不能重复")
        return value
    return classmethod(check)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(Strict):
    region_code: str = Field(pattern=r"^\d{6}$", description="县级行政区划代码（6 位）")
    town_code: str | None = Field(None, pattern=r"^\d{9}(\d{3})?$", description="乡镇（街道）代码")
    address: Text | None = Field(None, max_length=200)
    lat: float | None = Field(None, ge=LAT_RANGE[0], le=LAT_RANGE[1])
    lng: float | None = Field(None, ge=LNG_RANGE[0], le=LNG_RANGE[1])

    @model_validator(mode="after")
    def _both_or_neither(self) -> "Location":
        if (self.lat is None) != (self.lng is None):
            raise ValueError("经纬度须同时填写")
        return self


class Contact(Strict):
    name: Text = Field(min_length=1, max_length=50)
    phone: str | None = Field(None, pattern=PHONE, description="手机号或固定电话；市民登录时默认为登录手机号")
    id_number: str | None = Field(None, description="身份证号（18 位，校验码按 GB 11643）")
    address: Text | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254, pattern=EMAIL, description="电子邮箱（选填）")

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, value: str | None) -> str | None:
        if value is not None and not valid_id_number(value):
            raise ValueError("身份证号无效（位数或校验码不正确）")
        return value.upper() if value else value


class TicketIn(Strict):
    channel: Channel
    type: TicketType
    category: str | None = Field(None, pattern=r"^[a-z_]+(\.[a-z_]+)?$", max_length=64)
    urgency: Urgency = Urgency.normal
    title: Text | None = Field(None, max_length=50)
    content: Text = Field("", max_length=2000)
    media_ids: list[uuid.UUID] = Field(default_factory=list, max_length=9)
    location: Location
    contact: Contact
    anonymous: bool = False
    public: bool = False

    _unique = field_validator("media_ids")(no_repeats("附件"))

    @model_validator(mode="after")
    def _something_to_handle(self) -> "TicketIn":
        if not self.content and not self.media_ids:
            raise ValueError("请填写诉求内容，或上传语音")
        return self


class TimelineEntry(BaseModel):
    at: datetime
    action: str
    status: Status
    status_label: str
    actor_role: str
    actor_unit: str | None
    text: str | None


class TicketCreatedOut(BaseModel):
    id: uuid.UUID
    number: str
    status: Status
    status_label: str
    created_at: datetime


class TicketOut(TicketCreatedOut):
    channel: Channel
    type: TicketType
    category: str | None
    urgency: Urgency
    title: str
    content: str
    location: Location
    contact: Contact | None
    anonymous: bool
    public: bool
    media_ids: list[uuid.UUID]
    media_url: str | None = Field(None, description="Open311 请求附带的图片链接")
    info_request: str | None
    evaluation: dict | None
    lead_unit: str | None
    units: list[str]
    unit_roles: dict
    overdue: bool
    supervised: bool
    reopen_count: int
    duplicates: dict | None
    master_number: str | None
    updated_at: datetime


class TicketDetail(TicketOut):
    timeline: list[TimelineEntry]


class Progress(BaseModel):
    """What anyone with the ticket number and the phone's last four digits may see."""

    number: str
    status: Status
    status_label: str
    title: str
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry]


class SmsCodeIn(Strict):
    phone: str = Field(pattern=MOBILE)


class CitizenTokenIn(Strict):
    phone: str = Field(pattern=MOBILE)
    code: str = Field(pattern=r"^\d{6}$")
    openid: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{6,64}$",
                               description="小程序用户的 openid（由小程序后端换取），用于订阅消息")


class StaffTokenIn(Strict):
    username: RawText = Field(min_length=1, max_length=80)
    password: RawText = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class SupplementIn(Strict):
    content: Text = Field(min_length=1, max_length=2000)
    media_ids: list[uuid.UUID] = Field(default_factory=list, max_length=9)


class EvaluationIn(Strict):
    resolved: bool
    satisfaction: Satisfaction = Satisfaction.satisfied
    comment: Text | None = Field(None, max_length=500)


class InfoRequestIn(Strict):
    missing: Text = Field(min_length=1, max_length=500)


class NoteIn(Strict):
    note: Text | None = Field(None, max_length=500)


class TextIn(Strict):
    text: Text = Field(min_length=1, max_length=2000)
    media_ids: list[uuid.UUID] = Field(default_factory=list, max_length=9)


class ReasonIn(Strict):
    reason: Text = Field(min_length=1, max_length=1000)
    media_ids: list[uuid.UUID] = Field(default_factory=list, max_length=9)


class RejectReason(StrEnum):
    litigation = "litigation"
    petition = "petition"
    secrets_privacy = "secrets_privacy"
    emergency = "emergency"
    malicious = "malicious"
    other = "other"


REJECT_LABELS = {
    RejectReason.litigation: "属于诉讼、仲裁、纪检监察、行政复议等法定途径解决的事项",
    RejectReason.petition: "已进入信访渠道的事项",
    RejectReason.secrets_privacy: "涉及国家秘密、商业秘密或个人隐私",
    RejectReason.emergency: "紧急情况，请拨打 110、119、120 等应急电话",
    RejectReason.malicious: "恶意或违反公序良俗的诉求",
    RejectReason.other: "其他原因",
}


class RejectIn(Strict):
    reason_code: RejectReason
    text: Text | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _other_needs_text(self) -> "RejectIn":
        if self.reason_code is RejectReason.other and not self.text:
            raise ValueError("选择「其他原因」时须填写说明")
        return self


class UrgencyIn(Strict):
    urgency: Urgency


class MergeIn(Strict):
    master_number: str = Field(min_length=8, max_length=32, pattern=TICKET_NUMBER)


class ExtensionIn(Strict):
    deadline: datetime = Field(description="申请的新办结时限（带时区）")
    reason: Text = Field(min_length=1, max_length=1000)

    @field_validator("deadline")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("时间须带时区")
        return value


class CompletionIn(Strict):
    result: Text = Field(min_length=1, max_length=4000)
    media_ids: list[uuid.UUID] = Field(default_factory=list, max_length=9)
