"""The demo directory of 文山州 (counties, command centers, towns, departments): the data
routing's seed loads and announces and intake's seed makes demo accounts for; no rules.

Codes: a county is its 6-digit adcode (532622), its command center `cc-532622`, a town
its 9-digit township code (532622100), a county department `532622-police`. Phones and
WeChat openids are demo values, never real people.
"""

from dataclasses import dataclass
from typing import Literal

UnitKind = Literal[
    "prefecture", "command_center", "county", "town", "department", "village", "grid"
]

PREFECTURE = ("532600", "文山州")

COUNTIES = (
    ("532601", "文山市"), ("532622", "砚山县"), ("532623", "西畴县"), ("532624", "麻栗坡县"),
    ("532625", "马关县"), ("532626", "丘北县"), ("532627", "广南县"), ("532628", "富宁县"),
)

TOWNS = (
    ("532601001", "开化街道"), ("532601002", "卧龙街道"), ("532601003", "新平街道"),
    ("532601100", "古木镇"), ("532601101", "平坝镇"), ("532601102", "马塘镇"),
    ("532622100", "江那镇"), ("532622101", "平远镇"), ("532622102", "稼依镇"),
    ("532622103", "阿猛镇"), ("532622200", "维摩彝族乡"),
    ("532623100", "西洒镇"), ("532624100", "麻栗镇"), ("532625100", "马白镇"),
    ("532626100", "锦屏镇"), ("532627100", "莲城镇"), ("532628100", "新华镇"),
)

# {county} is the full county name (砚山县), {short} drops the 县/市 suffix (砚山).
DEPARTMENTS = (
    ("police", "{county}公安局"), ("transport", "{county}交通运输局"),
    ("housing", "{county}住房和城乡建设局"), ("market", "{county}市场监督管理局"),
    ("ecology", "文山州生态环境局{short}分局"), ("hrss", "{county}人力资源和社会保障局"),
    ("health", "{county}卫生健康局"), ("education", "{county}教育体育局"),
    ("urban", "{county}城市管理局"), ("emergency", "{county}应急管理局"),
    ("fire", "{county}消防救援大队"), ("natres", "{county}自然资源局"),
    ("forestry", "{county}林业和草原局"), ("water", "{county}水务局"),
    ("power", "{short}供电局"), ("civil", "{county}民政局"),
    ("supervision", "{county}委政府督查室"),
)

DEPARTMENT_COUNTIES = ("532601", "532622")


@dataclass(frozen=True)
class Unit:
    """A unit that receives, dispatches or handles tickets."""

    code: str
    name: str
    kind: UnitKind
    parent: str | None
    region_code: str
    handler_phones: tuple[str, ...] = ()
    handler_openids: tuple[str, ...] = ()
    leader_phones: tuple[str, ...] = ()
    active: bool = True


def command_center_code(region_code: str) -> str:
    """The code of the command center for a 6-digit region code."""
    return f"cc-{region_code}"


def department_code(region_code: str, kind: str) -> str:
    """The code of a county department, e.g. `532622-police`."""
    return f"{region_code}-{kind}"


_Row = tuple[str, str, UnitKind, str | None, str]


def _with_demo_contacts(row: _Row, seq: int) -> Unit:
    # Demo numbers stay inside the 1380000xxxx / 1390000xxxx blocks used for test data.
    code = row[0]
    return Unit(*row, handler_phones=(f"1380000{seq:04d}",),
                handler_openids=(f"oDemo-{code}",), leader_phones=(f"1390000{seq:04d}",))


def _skeleton() -> list[_Row]:
    """Code, name, kind, parent and region of every demo unit, parents first."""
    prefecture, prefecture_name = PREFECTURE
    rows: list[_Row] = [
        (prefecture, prefecture_name, "prefecture", None, prefecture),
        (command_center_code(prefecture), f"{prefecture_name}接诉即办指挥中心", "command_center",
         prefecture, prefecture),
    ]
    for adcode, name in COUNTIES:
        rows.append((adcode, name, "county", prefecture, adcode))
        rows.append((command_center_code(adcode), f"{name}接诉即办指挥中心", "command_center",
                     adcode, adcode))
    names = dict(COUNTIES)
    for code, name in TOWNS:
        rows.append((code, f"{names[code[:6]]}{name}", "town", code[:6], code[:6]))
    for adcode in DEPARTMENT_COUNTIES:
        county = names[adcode]
        for kind, template in DEPARTMENTS:
            label = template.format(county=county, short=county[:-1])
            rows.append((department_code(adcode, kind), label, "department", adcode, adcode))
    return rows


UNITS: dict[str, Unit] = {
    row[0]: _with_demo_contacts(row, seq) for seq, row in enumerate(_skeleton(), start=1)
}


def unit(code: str) -> Unit:
    """The unit with this code; KeyError if unknown."""
    return UNITS[code]


def units_of(region_code: str, kind: UnitKind | None = None) -> tuple[Unit, ...]:
    """The units in a county (by its 6-digit region code), optionally of one kind."""
    return tuple(u for u in UNITS.values()
                 if u.region_code == region_code and (kind is None or u.kind == kind))
