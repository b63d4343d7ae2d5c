"""Request and response bodies of the sla API."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ClockKind = Literal["response", "completion"]
SlaClass = Literal["urgent", "normal", "complex", "consult"]
# PostgreSQL text cannot hold a NUL character.
NO_NUL = r"^[^\x00]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeadlineOut(BaseModel):
    start: datetime
    deadline: datetime
    working_days: float | None
    hours: float | None
    estimated: bool = Field(description="结果依赖尚未发布放假安排的年份（估算）")
    estimated_years: list[int]


class CalendarNoticeIn(Strict):
    """国务院办公厅放假安排：放假日期与调休上班日期。"""

    holidays: list[date] = Field(default_factory=list, max_length=366,
                                 description="放假日期（至少列出落在周一至周五的放假日）")
    workdays: list[date] = Field(default_factory=list, max_length=366, description="调休上班日期（周末）")
    note: str | None = Field(None, max_length=200, pattern=NO_NUL, description="来源，如「国办发明电〔2026〕X 号」")


class CalendarYearOut(BaseModel):
    year: int
    source: Literal["notice", "library", "estimated"]
    estimated: bool
    holidays: list[date]
    workdays: list[date]
    working_days: int
    loaded_at: datetime | None
    loaded_by: str | None
    note: str | None


class PolicyIn(Strict):
    clock: ClockKind
    sla_class: SlaClass
    amount: float = Field(gt=0, le=400, description="时限数值")
    basis: Literal["hours", "working_days"] = Field(description="hours = 自然小时，working_days = 工作日")
    warn_ratio: float | None = Field(0.75, gt=0, lt=1, description="用时达到该比例时预警")
    warn_before_hours: float | None = Field(2.0, ge=0, le=240, description="到期前若干（工作）小时再次预警")

    @model_validator(mode="after")
    def _response_by_urgency(self) -> "PolicyIn":
        if self.clock == "response" and self.sla_class not in ("urgent", "normal"):
            raise ValueError("签收时限只按紧急程度区分：sla_class 应为 urgent 或 normal")
        return self


class PolicyOut(BaseModel):
    clock: str
    sla_class: str
    amount: float
    basis: str
    warn_ratio: float | None
    warn_before_hours: float | None


class Weights(Strict):
    satisfied: float = Field(1.0, ge=0, le=1)
    basically_satisfied: float = Field(1.0, ge=0, le=1)
    unsatisfied: float = Field(0.0, ge=0, le=1)


class PoliciesIn(Strict):
    clocks: list[PolicyIn] = Field(default_factory=list, max_length=20)
    satisfaction_weights: Weights | None = None


class PoliciesOut(BaseModel):
    clocks: list[PolicyOut]
    satisfaction_weights: dict[str, float]


class ClockOut(BaseModel):
    unit_code: str
    unit_name: str | None
    kind: ClockKind
    cycle: int
    sla_class: str
    basis: Literal["clock", "working"]
    started_at: datetime
    deadline: datetime
    state: str
    overdue: bool = Field(description="已超过时限（仍在计时或已逾期办结）")
    time_left_hours: float | None = Field(description="剩余时间（办结时限按工作小时，签收时限按自然小时）")
    paused_hours: float
    warnings: dict[str, datetime | None]
    overdue_at: datetime | None
    stopped_at: datetime | None
    ended_by: str | None
    extended: int
    estimated: bool


class TicketSlaOut(BaseModel):
    ticket_id: str
    number: str
    region_code: str | None
    estimated: bool
    clocks: list[ClockOut]
