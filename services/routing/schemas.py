"""Routing's request and response bodies, and the `ticket.created` data it reads."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.core.demo_directory import UnitKind
from services.routing.catalog import SlaClass, Urgency
from services.routing.events import AssignmentReason, AssignmentRole, SuggestionOut

# ASCII digits only: `\d` would also take other scripts' digits, which no region code has.
PHONE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
UNIT_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$"
CATEGORY_CODE = r"^[a-z_]+(\.[a-z_]+)?$"
REGION = r"^[0-9]{6}$"
REGION_PREFIX = r"^[0-9]{2,6}$"
TOWN = r"^[0-9]{9}([0-9]{3})?$"
TICKET = r"^[A-Za-z0-9-]{1,40}$"
# PostgreSQL text cannot hold NUL; names are one line, notes may span several.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
NO_NUL = r"^[^\x00]*$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ONE_LINE)]
Phone = Annotated[str, StringConstraints(pattern=PHONE)]
OpenId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ONE_LINE)]
UnitCode = Annotated[str, StringConstraints(pattern=UNIT_CODE)]
CategoryCode = Annotated[str, StringConstraints(pattern=CATEGORY_CODE, max_length=64)]
CoRole = Literal["responsible", "cooperating"]


class TicketCreatedData(BaseModel):
    """What routing reads from `ticket.created` (docs/events.md); other fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    number: str
    ticket_type: str
    category: str | None = None
    urgency: str = "normal"
    title: str = ""
    content: str = ""
    region_code: str
    town_code: str | None = None
    lat: float | None = None
    lng: float | None = None
    contact_phone: str | None = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitPatch(Strict):
    """Only the fields given change; `parent: null` detaches a unit, other fields take no null."""

    name: Name = Field(None, min_length=1, max_length=100)
    kind: UnitKind = None
    parent: UnitCode | None = None
    region_code: str = Field(None, pattern=REGION)
    handler_phones: list[Phone] = Field(None, max_length=20)
    handler_openids: list[OpenId] = Field(None, max_length=20)
    leader_phones: list[Phone] = Field(None, max_length=20)
    active: bool = None


class UnitIn(Strict):
    code: UnitCode
    name: Name = Field(min_length=1, max_length=100)
    kind: UnitKind
    parent: UnitCode | None = None
    region_code: str = Field(pattern=REGION, description="县级行政区划代码（6 位）")
    handler_phones: list[Phone] = Field(default_factory=list, max_length=20)
    handler_openids: list[OpenId] = Field(default_factory=list, max_length=20)
    leader_phones: list[Phone] = Field(default_factory=list, max_length=20)
    active: bool = True


class UnitOut(UnitIn):
    updated_at: datetime


class CategoryPatch(Strict):
    """Only the fields given change; `statutory_days: null` clears it, others take no null."""

    name: Name = Field(None, min_length=1, max_length=50)
    urgency: Urgency = None
    sla_class: SlaClass = None
    statutory_days: int | None = Field(None, ge=1, le=365)
    active: bool = None


class CategoryIn(Strict):
    code: str = Field(pattern=CATEGORY_CODE, max_length=64,
                      description="a sub-category is `<parent>.<name>`")
    name: Name = Field(min_length=1, max_length=50)
    urgency: Urgency = "normal"
    sla_class: SlaClass = "normal"
    statutory_days: int | None = Field(None, ge=1, le=365, description="法定办理时限（工作日）")
    active: bool = True


class CategoryOut(CategoryIn):
    parent: str | None
    updated_at: datetime


class CoUnit(Strict):
    unit_code: UnitCode
    role: CoRole


def _distinct_co(lead: str | None, co: list[CoUnit] | None) -> None:
    codes = [c.unit_code for c in co or ()]
    if len(set(codes)) != len(codes):
        raise ValueError("协办单位不能重复")
    if lead is not None and lead in codes:
        raise ValueError("牵头单位不能同时是协办单位")


class RulePatch(Strict):
    """Only the fields given change; `town_code: null` widens a rule, others take no null."""

    category: CategoryCode = None
    region_prefix: str = Field(None, pattern=REGION_PREFIX)
    town_code: str | None = Field(None, pattern=TOWN)
    lead: UnitCode = None
    co: list[CoUnit] = Field(None, max_length=10)
    priority: int = Field(None, ge=-1000, le=1000)
    active: bool = None

    @model_validator(mode="after")
    def _check_co(self):
        _distinct_co(self.lead, self.co)
        return self


class RuleIn(Strict):
    category: str = Field(pattern=CATEGORY_CODE, max_length=64)
    region_prefix: str = Field(pattern=REGION_PREFIX, description="行政区划代码前缀，如 532622")
    town_code: str | None = Field(None, pattern=TOWN, description="只对该乡镇的工单生效")
    lead: UnitCode
    co: list[CoUnit] = Field(default_factory=list, max_length=10)
    priority: int = Field(0, ge=-1000, le=1000)
    active: bool = True

    @model_validator(mode="after")
    def _check_co(self):
        _distinct_co(self.lead, self.co)
        return self


class RuleOut(RuleIn):
    id: int
    updated_at: datetime


class DispatchIn(Strict):
    lead: UnitCode = Field(description="牵头单位")
    co: list[CoUnit] = Field(default_factory=list, max_length=10, description="责任、配合单位")
    category: str | None = Field(None, pattern=CATEGORY_CODE, max_length=64,
                                 description="改正工单分类（可选）")
    note: Text | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _check_co(self):
        _distinct_co(self.lead, self.co)
        return self


class AssignmentOut(BaseModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    number: str
    unit_code: str
    role: AssignmentRole
    state: Literal["active", "returned", "transferred", "closed"]
    reason: AssignmentReason
    suggestions: list[SuggestionOut]
    excluded: list[str]
    assigned_by: str | None
    assigned_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    category: str | None
    urgency: str
    region_code: str
    town_code: str | None
    title: str


class ClassifyIn(Strict):
    text: Text = Field(min_length=1, max_length=2000)
    region_code: str | None = Field(None, pattern=REGION)
    town_code: str | None = Field(None, pattern=TOWN)
    top: int = Field(3, ge=1, le=5)


class SuggestionView(BaseModel):
    category: str
    name: str
    confidence: float
    score: int
    lead_unit: str | None
    lead_unit_name: str | None
    co: list[CoUnit]


class KnowledgeHint(BaseModel):
    id: uuid.UUID
    title: str
    summary: str
    body: str = Field(description="答复全文：话务员可当场答复（首接首办）")


class ClassifyOut(BaseModel):
    suggestions: list[SuggestionView]
    confident: bool
    threshold: float
    knowledge: list[KnowledgeHint] = Field(default_factory=list,
                                           description="知识库中与诉求最相关的答复（至多 3 条）")


class DuplicateView(BaseModel):
    number: str
    reason: Literal["phone", "place"]
    distance_m: float | None
    similarity: float | None
    status: str
    created_at: datetime
    flagged_on: Literal["this", "other"] = Field(
        description="this: flagged when this ticket came in; other: when the other one did")


class DuplicatesOut(BaseModel):
    number: str
    repeat_count: int
    group: bool
    consult: bool
    master_number: str | None
    candidates: list[DuplicateView]


class ClassifierVersion(BaseModel):
    version: int
    status: Literal["active", "retired", "rejected"]
    trigger: str
    trained_at: datetime
    examples: int = Field(description="训练样本数")
    holdout: int = Field(description="留出评估样本数")
    accuracy: float = Field(description="留出集上分类完全正确的比例")
    top_accuracy: float = Field(description="留出集上一级分类正确的比例")
    baseline: str = Field(description="比较对象：当时启用的模型（v3）或关键词分类器")
    baseline_accuracy: float
    threshold: float = Field(description="自动派单的置信度门槛（按 ≥95% 正确率校准）")
    auto_rate: float = Field(description="留出集上达到门槛、可自动派单的比例")
    auto_precision: float | None = Field(description="留出集上自动派单部分的正确率")


class AutoDispatchShare(BaseModel):
    days: int
    tickets: int
    auto_dispatched: int
    share: float | None


class ClassifierOut(BaseModel):
    source: Literal["model", "keywords"] = Field(
        description="正在使用的分类器（启用的模型与已安装的词向量不符时仍为关键词）")
    active: ClassifierVersion | None
    threshold: float
    labelled_examples: int = Field(description="调度员分类、改派形成的和语料导入的样本总数")
    auto_dispatched: AutoDispatchShare
    versions: list[ClassifierVersion]
