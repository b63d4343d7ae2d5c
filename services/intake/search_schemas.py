"""The staff desk's queries and answers: the ticket search, the dashboard, pending requests."""

import re
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from starlette.datastructures import QueryParams

from services.core.problems import STORABLE_TEXT, validation_problem
from services.intake.queues import QUEUES
from services.intake.schemas import PHONE, UNIT_CODE, Channel, TicketOut, TicketType, Urgency
from services.intake.statuses import Status

TICKET_NUMBER = re.compile(r"^[A-Za-z]{1,8}\d{12,16}$")
MIN_TEXT = 3  # pg_trgm finds nothing shorter through its index
LABELS = {
    "status": "状态", "category": "分类", "unit": "承办单位", "region": "县（市）",
    "town": "乡镇（街道）", "urgency": "紧急程度", "channel": "渠道", "type": "诉求类型",
    "created_from": "登记日期（起）", "created_to": "登记日期（止）", "sla": "时限状态",
    "phone": "联系电话", "q": "关键词", "queue": "待办清单", "sort": "排序",
    "limit": "每页条数", "after": "翻页游标",
}


class Sort(StrEnum):
    created_desc = "created_desc"
    created_asc = "created_asc"
    updated_desc = "updated_desc"
    due_asc = "due_asc"


class SlaState(StrEnum):
    normal = "normal"
    warning = "warning"
    overdue = "overdue"


class TicketQuery(BaseModel):
    """GET /v1/search/tickets: every filter optional; `status` may repeat."""

    model_config = ConfigDict(extra="ignore")

    status: list[Status] = Field(default_factory=list, max_length=len(Status))
    category: str | None = Field(None, pattern=r"^[a-z_]+(\.[a-z_]+)?$", max_length=64,
                                 description="分类代码；上级分类（municipal）含其下级（municipal.noise）")
    unit: str | None = Field(None, pattern=UNIT_CODE, description="承办单位之一")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="县（市）代码")
    town: str | None = Field(None, pattern=r"^\d{9}(\d{3})?$", description="乡镇（街道）代码")
    urgency: Urgency | None = None
    channel: Channel | None = None
    type: TicketType | None = None
    created_from: date | None = Field(None, description="登记日期起（北京时间，含当日）")
    created_to: date | None = Field(None, description="登记日期止（北京时间，含当日）")
    sla: SlaState | None = Field(None, description="按牵头单位的签收、办结时限")
    phone: str | None = Field(None, pattern=PHONE, description="联系电话（完全一致）")
    q: str | None = Field(None, max_length=100, pattern=STORABLE_TEXT,
                          description=f"工单号（完全一致），或标题、内容包含的文字（至少 {MIN_TEXT} 个字）")
    queue: str | None = Field(None, description="工作台待办清单：" + "、".join(QUEUES))
    sort: Sort = Sort.created_desc
    limit: int = Field(20, ge=1, le=100)
    after: str | None = Field(None, max_length=400, description="上一页答复的 next")

    @field_validator("q")
    @classmethod
    def _searchable(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not TICKET_NUMBER.match(value) and len(value) < MIN_TEXT:
            raise ValueError(f"至少 {MIN_TEXT} 个字，或完整的工单号")
        return value or None

    @field_validator("queue")
    @classmethod
    def _known_queue(cls, value: str | None) -> str | None:
        if value is not None and value not in QUEUES:
            raise ValueError("取值应为：" + "、".join(QUEUES))
        return value

    @field_validator("created_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("created_from")
        if value and start and value < start:
            raise ValueError("不能早于登记日期（起）")
        return value

    @property
    def number(self) -> str | None:
        """The ticket number `q` names, if it is one."""
        return self.q.upper() if self.q and TICKET_NUMBER.match(self.q) else None

    @classmethod
    def read(cls, params: QueryParams) -> "TicketQuery":
        """The query from a URL's parameters; empty form fields count as absent."""
        raw: dict = {key: value for key, value in params.items() if value != ""}
        raw["status"] = [value for value in params.getlist("status") if value]
        try:
            return cls.model_validate(raw)
        except ValidationError as invalid:
            raise validation_problem(invalid.errors(), LABELS) from None


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """The OpenAPI description of a model read from the query string (TicketQuery.read)."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        return [inline(item) for item in node] if isinstance(node, list) else node

    def described(name: str, prop: dict) -> str:
        return "：".join(filter(None, (LABELS.get(name, name), prop.get("description"))))

    return [{"name": name, "in": "query", "required": False, "description": described(name, prop),
             "schema": inline(prop), **({"explode": True} if prop.get("type") == "array" else {})}
            for name, prop in schema["properties"].items()]


class TicketListItem(TicketOut):
    """A ticket on a list: what `ticket_view` shows, with its deadlines and place."""

    region_code: str
    town_code: str | None
    response_due: datetime | None
    completion_due: datetime | None
    warn_at: datetime | None
    sla_state: SlaState | None
    dispatch_unit: str | None
    rework: bool


class TicketPage(BaseModel):
    items: list[TicketListItem]
    next: str | None = Field(description="下一页的 after；没有下一页时为 null")


class QueueCount(BaseModel):
    key: str
    label: str
    count: int


class Dashboard(BaseModel):
    role: str
    counts: list[QueueCount]


class RequestOut(BaseModel):
    """A return (退件) or extension (延期) request, with the ticket it is about."""

    id: int
    kind: Literal["return", "extension"]
    state: str
    number: str
    title: str
    ticket_status: Status
    region_code: str
    unit_code: str
    reason: str
    media_ids: list[uuid.UUID]
    requested_deadline: datetime | None
    at: datetime
