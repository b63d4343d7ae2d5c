"""The knowledge base's and the public pages' request and response bodies."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from services.routing.schemas import REGION, CategoryCode, Name, Strict, Text

Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32,
                                           pattern=r"^[^\x00-\x1f\x7f,，、;；]*$")]


def _distinct(keywords: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(keywords)) if keywords is not None else None


class KnowledgeIn(Strict):
    title: Name = Field(min_length=2, max_length=100, description="问题或事项，如：社保卡丢失如何补办")
    body: Text = Field(min_length=10, max_length=10000, description="答复正文：条件、材料、流程、地点")
    category: CategoryCode = Field(description="所属分类代码，如 policy.social_insurance")
    region: str | None = Field(None, pattern=REGION, description="适用县（市）；空为全州通用")
    keywords: list[Keyword] = Field(default_factory=list, max_length=20,
                                    description="检索关键词，每个不超过 32 字")

    _keywords = field_validator("keywords")(_distinct)


class KnowledgePatch(Strict):
    """Only the fields given change; `region: null` makes an item apply everywhere."""

    title: Name = Field(None, min_length=2, max_length=100)
    body: Text = Field(None, min_length=10, max_length=10000)
    category: CategoryCode = None
    region: str | None = Field(None, pattern=REGION)
    keywords: list[Keyword] = Field(None, max_length=20)

    _keywords = field_validator("keywords")(_distinct)


class KnowledgeOut(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    category: str
    category_name: str
    region: str | None
    keywords: list[str]
    created_at: datetime
    updated_at: datetime


class KnowledgeRef(BaseModel):
    id: uuid.UUID
    title: str
    summary: str


class KnowledgeSummary(KnowledgeRef):
    category: str
    category_name: str
    region: str | None


class KnowledgePage(BaseModel):
    items: list[KnowledgeSummary]
    total: int


class KnowledgeAdminPage(BaseModel):
    items: list[KnowledgeOut]
    total: int


class HotCategory(BaseModel):
    code: str
    name: str
    count: int


class HotItem(BaseModel):
    id: uuid.UUID
    title: str


class HotOut(BaseModel):
    categories: list[HotCategory]
    knowledge: list[HotItem]


class NearbyItem(BaseModel):
    title: str
    category_name: str
    status_name: str
    created_at: datetime
    distance_m: int


class NearbyOut(BaseModel):
    items: list[NearbyItem]
