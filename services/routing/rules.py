"""Routing rules (category and place -> lead and co units) and the pure rule matcher."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from services.core.demo_directory import DEPARTMENT_COUNTIES, department_code

Role = Literal["lead", "responsible", "cooperating"]


@dataclass(frozen=True)
class Assignee:
    """A unit and the role it plays on a ticket (牵头 / 责任 / 配合)."""

    unit_code: str
    role: Role


@dataclass(frozen=True)
class Rule:
    """Tickets of `category` (or its sub-categories) within `region_prefix` go to `lead`.

    A rule with a `town_code` applies only to tickets located in that town. Among rules of
    equal specificity the higher `priority` wins; lower ones are fallbacks after a return.
    """

    category: str
    region_prefix: str
    lead: str
    co: tuple[Assignee, ...] = ()
    town_code: str | None = None
    priority: int = 0


@dataclass(frozen=True)
class Match:
    """The units a rule assigns: the lead plus responsible and cooperating units."""

    rule: Rule
    lead: Assignee
    co: tuple[Assignee, ...]

    @property
    def assignees(self) -> tuple[Assignee, ...]:
        """Lead first, then the co units."""
        return (self.lead, *self.co)


# category, lead department, "department:role ..." co units, priority.
_COUNTY_RULES = (
    ("municipal", "urban", "", 0),
    ("municipal.noise", "urban", "police:cooperating ecology:cooperating", 10),
    # 噪声污染防治法 gives 公安 the social-life noise too: the fallback once 城管 returns it.
    ("municipal.noise", "police", "", 0),
    ("municipal.illegal_building", "urban", "natres:responsible housing:cooperating", 0),
    ("municipal.property", "housing", "", 0),
    ("sanitation", "urban", "", 0),
    ("public_security", "police", "", 0),
    ("work_safety", "emergency", "", 0),
    ("work_safety.fire", "fire", "emergency:cooperating", 0),
    ("work_safety.construction", "housing", "emergency:cooperating", 0),
    ("ecology", "ecology", "", 0),
    ("ecology.forest", "forestry", "natres:cooperating", 0),
    ("social_affairs.education", "education", "", 0),
    ("social_affairs.health", "health", "", 0),
    ("social_affairs.civil", "civil", "", 0),
    # 桥梁, 村道硬化, 通村公路 and other works with no sub-category: roads and bridges first.
    ("infrastructure", "transport", "housing:cooperating", 0),
    ("infrastructure.road", "transport", "housing:cooperating", 0),
    ("infrastructure.water", "water", "", 0),
    ("infrastructure.power", "power", "", 0),
    ("infrastructure.drainage", "housing", "urban:cooperating", 0),
    ("infrastructure.transit", "transport", "", 0),
    ("market", "market", "", 0),
    ("market.food", "market", "health:cooperating", 0),
    ("policy.household", "police", "", 0),
    ("policy.social_insurance", "hrss", "", 0),
    ("rights.wage", "hrss", "housing:cooperating", 0),
    ("rights.labor", "hrss", "", 0),
    ("rights.land", "natres", "", 0),
    ("gov_oversight", "supervision", "", 0),
)

# Outside the county seat the township government keeps its own streets clean and
# settles land matters first; county departments back it up.
_TOWN_RULES = (
    ("532622101", "sanitation", "532622-urban:cooperating"),
    ("532622102", "sanitation", "532622-urban:cooperating"),
    ("532622103", "sanitation", "532622-urban:cooperating"),
    ("532622101", "rights.land", "532622-natres:responsible"),
    ("532601102", "sanitation", "532601-urban:cooperating"),
    ("532601102", "rights.land", "532601-natres:responsible"),
)


def _co(spec: str, region: str | None) -> tuple[Assignee, ...]:
    pairs = (item.split(":") for item in spec.split())
    return tuple(Assignee(department_code(region, u) if region else u, role) for u, role in pairs)


def _seed_rules() -> tuple[Rule, ...]:
    county_rules = [
        Rule(cat, region, department_code(region, lead), _co(co, region), priority=priority)
        for region in DEPARTMENT_COUNTIES for cat, lead, co, priority in _COUNTY_RULES
    ]
    town_rules = [Rule(cat, town[:6], town, _co(co, None), town_code=town)
                  for town, cat, co in _TOWN_RULES]
    return tuple(county_rules + town_rules)


RULES: tuple[Rule, ...] = _seed_rules()


def _applies(rule: Rule, category_code: str, region_code: str, town_code: str | None) -> bool:
    same_family = category_code == rule.category or category_code.startswith(rule.category + ".")
    in_town = rule.town_code is None or rule.town_code == town_code
    return same_family and in_town and region_code.startswith(rule.region_prefix)


def _specificity(rule: Rule) -> tuple[int, int, int, int]:
    return (rule.town_code is not None, len(rule.region_prefix), rule.category.count("."),
            rule.priority)


def match_rule(rules: Iterable[Rule], category_code: str, region_code: str,
               town_code: str | None = None, exclude: frozenset[str] = frozenset()) -> Match | None:
    """The units of the most specific rule for a ticket, skipping excluded units; None if none.

    Specificity: a town rule, then the longest region prefix, then a sub-category rule
    before its parent's, then priority. A rule whose lead is excluded (it returned the
    ticket) is passed over; excluded co units are dropped from the chosen rule.
    """
    candidates = [r for r in rules
                  if r.lead not in exclude and _applies(r, category_code, region_code, town_code)]
    if not candidates:
        return None
    best = max(candidates, key=_specificity)
    co = tuple(a for a in best.co if a.unit_code not in exclude and a.unit_code != best.lead)
    return Match(best, Assignee(best.lead, "lead"), co)
