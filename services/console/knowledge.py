"""知识库: admins list, search, add, change and remove routing's policy answers and office guides."""

import math
import re
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from services.console.backend import ApiError
from services.console.deps import FormDep, PersonDep, api_of
from services.console.pages import render
from services.console.session import Person
from services.console.ticket_list import PAGE, chosen, query_string

router = APIRouter()
FILTERS = ("q", "category", "region")
FIELDS = ("title", "category", "region", "keywords", "body")
LABELS = {"title": "标题", "category": "分类", "region": "适用地区", "keywords": "关键词",
          "body": "正文"}
EVERYWHERE = "全州通用"
_KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _may_edit(person: Person) -> None:
    if not person.is_admin:
        raise ApiError(403, {"detail": "知识库仅限系统管理员维护"})


def _missing(request: Request, refused: ApiError):
    """routing's 404 in its own words (the console's general one speaks of tickets)."""
    return render(request, "error.html", 404, title="未找到", message=refused.message)


@router.get("/knowledge")
async def knowledge_list(request: Request, person: PersonDep, page: int = Query(1, ge=1, le=5000)):
    """The list with its search box and filters, 20 a page."""
    _may_edit(person)
    filters = chosen(request, FILTERS)
    errors: dict[str, str] = {}
    try:
        found = await api_of(request).get("routing", "/v1/knowledge",
                                          params={**filters, "limit": PAGE, "offset": (page - 1) * PAGE})
    except ApiError as refused:
        if refused.status != 422:
            raise
        found, errors = {"items": [], "total": 0}, refused.field_errors() or {"q": refused.message}
    directory = request.app.state.directory
    return render(request, "knowledge/list.html", found=found, errors=errors, filters=filters,
                  page=page, pages=max(1, math.ceil(found["total"] / PAGE)),
                  query=query_string(filters), categories=directory.category_choices(),
                  counties=directory.counties(), everywhere=EVERYWHERE,
                  notice=request.query_params.get("notice"))


@router.get("/knowledge/new")
async def new_item(request: Request, person: PersonDep):
    """An empty form."""
    _may_edit(person)
    return _form(request, None, dict.fromkeys(FIELDS, ""))


@router.post("/knowledge/new")
async def create_item(request: Request, person: PersonDep, form: FormDep):
    """Ask routing to add the item; its refusal shows next to the fields, with what was typed."""
    _may_edit(person)
    values = _typed(form)
    try:
        item = await api_of(request).post("routing", "/v1/knowledge", json=_body(values))
    except ApiError as refused:
        return _refused(request, None, values, refused)
    return _back(f"已保存「{item['title']}」")


@router.get("/knowledge/{item_id}")
async def edit_item(request: Request, item_id: uuid.UUID, person: PersonDep):
    """The item in the form, as it is now."""
    _may_edit(person)
    try:
        item = await api_of(request).get("routing", f"/v1/knowledge/{item_id}")
    except ApiError as refused:
        if refused.status != 404:
            raise
        return _missing(request, refused)
    values = {**{name: item[name] or "" for name in FIELDS}, "keywords": " ".join(item["keywords"])}
    return _form(request, item, values)


@router.post("/knowledge/{item_id}")
async def change_item(request: Request, item_id: uuid.UUID, person: PersonDep, form: FormDep):
    """Ask routing to change the item (every field as the form shows it)."""
    _may_edit(person)
    values = _typed(form)
    item = {"id": str(item_id), "title": str(form.get("saved_title") or "")}
    try:
        saved = await api_of(request).patch("routing", f"/v1/knowledge/{item_id}", json=_body(values))
    except ApiError as refused:
        return _refused(request, item, values, refused)
    return _back(f"已保存「{saved['title']}」")


@router.post("/knowledge/{item_id}/delete")
async def delete_item(request: Request, item_id: uuid.UUID, person: PersonDep, form: FormDep):
    """Remove the item (the page asked for a confirmation first)."""
    _may_edit(person)
    try:
        await api_of(request).delete("routing", f"/v1/knowledge/{item_id}")
    except ApiError as refused:
        if refused.status != 404:
            raise
        return _missing(request, refused)
    return _back(f"已删除「{str(form.get('saved_title') or '').strip()}」")


def _typed(form) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in FIELDS}


def _body(values: dict[str, str]) -> dict:
    """routing's KnowledgeIn from the form: keywords split on commas and spaces, no region for
    全州通用, and no category when none was chosen (routing then says it is required)."""
    body: dict = {"title": values["title"], "body": values["body"], "region": values["region"] or None,
                  "keywords": [k for k in _KEYWORD_SEPARATORS.split(values["keywords"]) if k]}
    if values["category"]:
        body["category"] = values["category"]
    return body


def _refused(request: Request, item: dict | None, values: dict, refused: ApiError):
    if refused.status == 404:
        return _missing(request, refused)
    if refused.status != 422:
        raise refused
    errors: dict[str, str] = {}
    for path, message in refused.field_errors(full_path=True).items():
        name, _, index = path.partition(".")
        if name == "keywords" and index.isdigit():
            message = f"第 {int(index) + 1} 个关键词{message}"
        errors.setdefault(name if name in FIELDS else "", message)
    return _form(request, item, values, 422, errors=errors, error=refused.message)


def _form(request: Request, item: dict | None, values: dict, status: int = 200, **context):
    directory = request.app.state.directory
    categories = directory.category_choices()
    if values["category"] and values["category"] not in dict(categories):  # since retired
        categories.append((values["category"], directory.category_name(values["category"])))
    return render(request, "knowledge/form.html", status, item=item, values=values,
                  categories=categories, counties=directory.counties(), everywhere=EVERYWHERE,
                  labels=LABELS, errors=context.pop("errors", {}), error=context.pop("error", None))


def _back(notice: str) -> RedirectResponse:
    return RedirectResponse(f"/knowledge?{urlencode({'notice': notice})}", status_code=303)
