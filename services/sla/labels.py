"""Chinese names for codes in reports: routing's published catalog and unit directory.

Only routing's static seed data is read (never its schema); unknown codes show as they are.
"""

from services.routing.catalog import CATEGORIES
from services.routing.directory import PREFECTURE, UNITS

UNCATEGORISED = "未分类"


def category(code: str | None) -> str:
    """A category's name, e.g. 噪音扰民."""
    if not code:
        return UNCATEGORISED
    known = CATEGORIES.get(code)
    return known.name if known else code


def unit(code: str | None, fallback: str | None = None) -> str:
    """A unit's, county's or town's name, e.g. 砚山县江那镇."""
    if not code:
        return "未知"
    known = UNITS.get(code)
    return known.name if known else (fallback or code)


def region(code: str | None) -> str:
    """A county's name; the prefecture's for its own code."""
    return PREFECTURE[1] if code == PREFECTURE[0] else unit(code)
