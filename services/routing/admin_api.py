"""The directory, categories and rules: admins change them, every staff member may read them."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.core.auth import Principal, Role, require
from services.core.demo_directory import UnitKind
from services.core.deps import CallerDep, SessionDep
from services.core.problems import Problem, field_error
from services.routing import rule_store
from services.routing.access import require_staff
from services.routing.directory_store import (
    get_category,
    get_unit,
    list_categories,
    list_units,
    save_category,
    save_unit,
    units_by_code,
)
from services.routing.schemas import (
    CATEGORY_CODE,
    REGION,
    REGION_PREFIX,
    UNIT_CODE,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    RuleIn,
    RuleOut,
    RulePatch,
    UnitIn,
    UnitOut,
    UnitPatch,
)

router = APIRouter(prefix="/v1", tags=["directory"])
UnitCodePath = Annotated[str, Path(pattern=UNIT_CODE)]
CategoryPath = Annotated[str, Path(pattern=CATEGORY_CODE, max_length=64)]
RuleId = Annotated[int, Path(ge=1, le=2**63 - 1)]
SAME_RULE = "同一分类、地区和牵头单位的规则"


def _admin(principal: Principal) -> None:
    require(principal, Role.admin)


def _missing(what: str) -> Problem:
    return Problem(404, "未找到", f"{what}不存在")


def _found(row: dict | None, what: str) -> dict:
    if row is None:
        raise _missing(what)
    return row


def _exists(what: str) -> Problem:
    return Problem(409, "已存在", f"{what}已存在", type_="/problems/conflict")


@router.get("/units", response_model=list[UnitOut])
async def units(session: SessionDep, principal: CallerDep,
                region_code: Annotated[str | None, Query(pattern=REGION)] = None,
                kind: UnitKind | None = None, active: bool | None = None):
    """Handling units, command centers and administrative divisions."""
    require_staff(principal)
    return await list_units(session, region_code=region_code, kind=kind, active=active)


@router.get("/units/{code}", response_model=UnitOut)
async def unit(code: UnitCodePath, session: SessionDep, principal: CallerDep):
    """One unit with its notification contacts."""
    require_staff(principal)
    return _found(await get_unit(session, code), "单位")


@router.post("/units", response_model=UnitOut, status_code=201)
async def create_unit(body: UnitIn, session: SessionDep, principal: CallerDep):
    """Add a unit; other services hear of it through `unit.upserted`."""
    _admin(principal)
    if await get_unit(session, body.code):
        raise _exists(f"单位 {body.code} ")
    await _check_parent(session, body.code, body.parent)
    return await save_unit(session, body.model_dump())


@router.patch("/units/{code}", response_model=UnitOut)
async def update_unit(code: UnitCodePath, body: UnitPatch, session: SessionDep,
                      principal: CallerDep):
    """Change a unit's name, place, contacts or active flag."""
    _admin(principal)
    current = _found(await get_unit(session, code), "单位")
    values = {**current, **body.model_dump(exclude_unset=True)}
    await _check_parent(session, code, values["parent"])
    return await save_unit(session, values)


@router.delete("/units/{code}", response_model=UnitOut)
async def deactivate_unit(code: UnitCodePath, session: SessionDep, principal: CallerDep):
    """停用: a unit leaves routing but keeps its history."""
    _admin(principal)
    current = _found(await get_unit(session, code), "单位")
    return await save_unit(session, {**current, "active": False})


async def _check_parent(session, code: str, parent: str | None) -> None:
    if parent is not None and (parent == code or await get_unit(session, parent) is None):
        raise field_error("parent", "上级单位不存在")


@router.get("/categories", response_model=list[CategoryOut])
async def categories(session: SessionDep, principal: CallerDep, active: bool | None = None):
    """Complaint categories with their urgency and time class."""
    require_staff(principal)
    return await list_categories(session, active=active)


@router.get("/categories/{code}", response_model=CategoryOut)
async def category(code: CategoryPath, session: SessionDep, principal: CallerDep):
    """One category."""
    require_staff(principal)
    return _found(await get_category(session, code), "分类")


@router.post("/categories", response_model=CategoryOut, status_code=201)
async def create_category(body: CategoryIn, session: SessionDep, principal: CallerDep):
    """Add a category; a sub-category's parent must exist."""
    _admin(principal)
    if await get_category(session, body.code):
        raise _exists(f"分类 {body.code} ")
    parent = body.code.rpartition(".")[0] or None
    if parent and await get_category(session, parent) is None:
        raise field_error("code", f"上级分类 {parent} 不存在")
    return await save_category(session, {**body.model_dump(), "parent": parent})


@router.patch("/categories/{code}", response_model=CategoryOut)
async def update_category(code: CategoryPath, body: CategoryPatch, session: SessionDep,
                          principal: CallerDep):
    """Change a category's name, urgency, time class or active flag."""
    _admin(principal)
    current = _found(await get_category(session, code), "分类")
    return await save_category(session, {**current, **body.model_dump(exclude_unset=True)})


@router.delete("/categories/{code}", response_model=CategoryOut)
async def deactivate_category(code: CategoryPath, session: SessionDep, principal: CallerDep):
    """停用: no longer suggested nor accepted for dispatch."""
    _admin(principal)
    current = _found(await get_category(session, code), "分类")
    return await save_category(session, {**current, "active": False})


@router.get("/rules", response_model=list[RuleOut])
async def rules(session: SessionDep, principal: CallerDep,
                category: Annotated[str | None, Query(pattern=CATEGORY_CODE, max_length=64)] = None,
                region_prefix: Annotated[str | None, Query(pattern=REGION_PREFIX)] = None,
                lead: Annotated[str | None, Query(pattern=UNIT_CODE)] = None):
    """Routing rules: which units a category goes to in a place."""
    require_staff(principal)
    return await rule_store.list_rules(session, category=category, region_prefix=region_prefix,
                                       lead=lead)


@router.get("/rules/{rule_id}", response_model=RuleOut)
async def rule(rule_id: RuleId, session: SessionDep, principal: CallerDep):
    """One rule."""
    require_staff(principal)
    return _found(await rule_store.get_rule(session, rule_id), "规则")


@router.post("/rules", response_model=RuleOut, status_code=201)
async def create_rule(body: RuleIn, session: SessionDep, principal: CallerDep):
    """Add a rule: category and place to a lead unit and its co units."""
    _admin(principal)
    await _check_rule(session, body.model_dump())
    created = await rule_store.create_rule(session, body.model_dump(),
                                           [c.model_dump() for c in body.co])
    if created is None:
        raise _exists(SAME_RULE)
    return created


@router.patch("/rules/{rule_id}", response_model=RuleOut)
async def update_rule(rule_id: RuleId, body: RulePatch, session: SessionDep, principal: CallerDep):
    """Change a rule; `co`, when given, replaces its co units."""
    _admin(principal)
    current = _found(await rule_store.get_rule(session, rule_id), "规则")
    changes = body.model_dump(exclude_unset=True)
    await _check_rule(session, {**current, **changes})
    if await rule_store.same_key(session, {**current, **changes}) not in (None, rule_id):
        raise _exists(SAME_RULE)
    co = [c.model_dump() for c in body.co] if body.co is not None else None
    return await rule_store.update_rule(session, rule_id, changes, co)


@router.delete("/rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: RuleId, session: SessionDep, principal: CallerDep):
    """Remove a rule."""
    _admin(principal)
    if not await rule_store.delete_rule(session, rule_id):
        raise _missing("规则")
    return Response(status_code=204)


async def _check_rule(session, values: dict) -> None:
    if await get_category(session, values["category"]) is None:
        raise field_error("category", "分类不存在")
    town = values.get("town_code")
    if town and not town.startswith(values["region_prefix"]):
        raise field_error("town_code", "乡镇不在该地区内")
    co = [c["unit_code"] for c in values.get("co") or ()]
    if values["lead"] in co:
        raise field_error("co", "牵头单位不能同时是协办单位")
    found = await units_by_code(session, {values["lead"], *co})
    if values["lead"] not in found:
        raise field_error("lead", "单位不存在")
    for i, code in enumerate(co):
        if code not in found:
            raise field_error(f"co.{i}.unit_code", "单位不存在")

