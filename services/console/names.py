"""Names for codes, as routing's directory says them now, and the working calendar sla keeps."""

import asyncio
import time
from datetime import date

from services.console.backend import Api, ApiError
from services.core.workdays import TZ, Calendar, CalendarOverrides

COUNTY_KINDS = ("county", "prefecture")
HANDLING_KINDS = ("town", "department")
UNCATEGORISED = "未分类"


class Directory:
    """Units and categories read from routing, kept for a minute per process."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self.units: dict[str, dict] = {}
        self.categories: dict[str, dict] = {}
        self._loaded = 0.0
        self._lock = asyncio.Lock()

    async def refresh(self, api: Api) -> "Directory":
        """Read routing again when the copy is older than the TTL."""
        if time.monotonic() - self._loaded < self.ttl:
            return self
        async with self._lock:
            if time.monotonic() - self._loaded >= self.ttl:
                units, categories = await asyncio.gather(api.get("routing", "/v1/units"),
                                                         api.get("routing", "/v1/categories"))
                self.units = {u["code"]: u for u in units}
                self.categories = {c["code"]: c for c in categories}
                self._loaded = time.monotonic()
        return self

    def unit_name(self, code: str | None) -> str:
        if not code:
            return "—"
        unit = self.units.get(code)
        return unit["name"] if unit else code

    def category_name(self, code: str | None) -> str:
        if not code:
            return UNCATEGORISED
        category = self.categories.get(code)
        if category is None:
            return code
        parent = self.categories.get(category.get("parent") or "")
        return f"{parent['name']} / {category['name']}" if parent else category["name"]

    def region_name(self, code: str | None) -> str:
        """A county's (or town's) name: 砚山县, 砚山县江那镇."""
        return self.unit_name(code)

    def place(self, region: str | None, town: str | None = None) -> str:
        """Where a ticket is: the town's full name (砚山县江那镇), else the county's."""
        return self.unit_name(town) if town else self.unit_name(region)

    def counties(self, within: str | None = None) -> list[dict]:
        """Counties (and the prefecture) a person may filter by, in code order."""
        found = [u for u in self.units.values() if u["kind"] == "county"]
        if within and not within.endswith("00"):
            found = [u for u in found if u["code"] == within]
        return sorted(found, key=lambda u: u["code"])

    def towns(self, region: str | None = None) -> list[dict]:
        found = [u for u in self.units.values() if u["kind"] == "town" and u.get("active", True)]
        if region:
            found = [u for u in found if u["region_code"] == region]
        return sorted(found, key=lambda u: u["code"])

    def handling_units(self, region: str | None = None) -> list[dict]:
        """Towns and departments that can take a ticket, for dispatch and filters."""
        found = [u for u in self.units.values()
                 if u["kind"] in HANDLING_KINDS and u.get("active", True)]
        if region and not region.endswith("00"):
            found = [u for u in found if u["region_code"] == region]
        elif region:
            found = [u for u in found if u["region_code"].startswith(region[:4])]
        return sorted(found, key=lambda u: (u["region_code"], u["kind"] != "town", u["code"]))

    def category_choices(self) -> list[tuple[str, str]]:
        """(code, name) of active categories, each parent followed by its children."""
        active = [c for c in self.categories.values() if c.get("active", True)]
        parents = sorted((c for c in active if not c.get("parent")), key=lambda c: c["code"])
        choices = []
        for parent in parents:
            choices.append((parent["code"], parent["name"]))
            children = sorted((c for c in active if c.get("parent") == parent["code"]),
                              key=lambda c: c["code"])
            choices += [(c["code"], f"　{c['name']}") for c in children]
        return choices


class WorkCalendar:
    """The official calendar with the overrides admins loaded into sla, kept for ten minutes."""

    TTL = 600.0

    def __init__(self):
        self.calendar = Calendar()
        self._loaded = 0.0
        self._lock = asyncio.Lock()

    async def refresh(self, api: Api) -> Calendar:
        if time.monotonic() - self._loaded < self.TTL:
            return self.calendar
        async with self._lock:
            if time.monotonic() - self._loaded >= self.TTL:
                self.calendar = await self._load(api)
                self._loaded = time.monotonic()
        return self.calendar

    async def _load(self, api: Api) -> Calendar:
        year = date.today().year
        days: dict[date, bool] = {}
        covered = []
        for wanted in (year - 1, year, year + 1):
            try:
                described = await api.get("sla", f"/v1/calendar/{wanted}")
            except ApiError:
                continue
            days.update({date.fromisoformat(d): False for d in described["holidays"]})
            days.update({date.fromisoformat(d): True for d in described["workdays"]})
            if described["source"] == "notice":
                covered.append(wanted)
        return Calendar(CalendarOverrides.from_mapping(days, covered))


__all__ = ["TZ", "Directory", "WorkCalendar"]
