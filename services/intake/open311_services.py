"""Open311 services: our categories as routing announced them, and the questions each asks."""

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core import names as known
from services.core.vocabulary import TICKET_TYPES
from services.intake.models import names

# The service to pick when no category fits: the ticket goes in without one, and routing's
# classifier picks it from the description.
GENERIC = {"service_code": "unknown", "service_name": "不清楚",
           "description": "不清楚属于哪一类时选此项，由平台根据描述自动分类", "group": "其他"}
DEFAULT_TYPE = "help"
TOWN_CODE = re.compile(r"^\d{9}(\d{3})?$")
YES_NO = [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}]


def _service(code: str, name: str, description: str, group: str) -> dict:
    return {"service_code": code, "service_name": name, "description": description,
            "metadata": any(attribute["required"] for attribute in _questions([])),
            "type": "realtime", "keywords": name, "group": group}


@dataclass(frozen=True)
class Catalog:
    """One read of what routing announced: the services, the towns and the regions."""

    services: list[dict]
    towns: list[dict]
    counties: frozenset[str]
    regions: frozenset[str]  # counties and prefectures: what a GET may name as jurisdiction_id

    def service(self, code: str) -> dict | None:
        """One service by its code (an active category or GENERIC); None if there is none."""
        return next((service for service in self.services if service["service_code"] == code), None)


async def catalog(session: AsyncSession) -> Catalog:
    """Active categories, towns and regions, in one query."""
    rows = (await session.execute(
        select(names.c.kind, names.c.code, names.c.name, names.c.parent, names.c.unit_kind,
               names.c.region_code)
        .where(names.c.active.is_(True), or_(names.c.kind == known.CATEGORY,
                                             names.c.unit_kind.in_(("town", *known.REGION_KINDS))))
        .order_by(names.c.code))).all()
    categories = [row for row in rows if row.kind == known.CATEGORY]
    units = [row for row in rows if row.kind == known.UNIT]
    return Catalog(
        services=_services(categories),
        towns=[{"code": row.code, "name": row.name, "region_code": row.region_code}
               for row in units if row.unit_kind == "town" and TOWN_CODE.match(row.code)],
        counties=frozenset(row.code for row in units if row.unit_kind == "county"),
        regions=frozenset(row.code for row in units if row.unit_kind in known.REGION_KINDS))


def _services(categories: list) -> list[dict]:
    """Every category as a service, its top-level category as its group, then GENERIC."""
    named = {row.code: row.name for row in categories}
    services = []
    for row in categories:
        group = (named.get(row.parent) or row.parent) if row.parent else row.name
        description = f"{group}：{row.name}" if row.parent else f"{row.name}类诉求"
        services.append(_service(row.code, row.name, description, group))
    return services + [_service(*GENERIC.values())]


def _attribute(order: int, code: str, description: str, values: list[dict]) -> dict:
    return {"variable": True, "code": code, "datatype": "singlevaluelist", "required": False,
            "datatype_description": None, "order": order, "description": description,
            "values": values}


def _questions(town_list: list[dict]) -> list[dict]:
    return [
        _attribute(1, "type", "诉求类型（不填按求助受理）",
                   [{"key": key, "name": name} for key, name in TICKET_TYPES.items()]),
        _attribute(2, "town", "问题所在的乡镇（街道），须属于 jurisdiction_id 所指的县（市）",
                   [{"key": town["code"], "name": town["name"]} for town in town_list]),
        _attribute(3, "public", "是否同意公开本诉求（公开后任何人可查询其办理情况，不含个人信息）",
                   YES_NO),
        _attribute(4, "anonymous", "是否对承办单位隐藏您的姓名和电话", YES_NO),
    ]


def attributes(known_places: Catalog) -> list[dict]:
    """The questions every service asks, none of them required."""
    return _questions(known_places.towns)


def definition(known_places: Catalog, service: dict) -> dict:
    """`service_definition`: the service's code and its attributes."""
    return {"service_code": service["service_code"], "attributes": attributes(known_places)}
