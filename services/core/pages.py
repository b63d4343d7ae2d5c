"""Printable pages: a Jinja2 environment per template folder with the filters they share.

Times read in Beijing time to the minute, dates as 2026-12-01, and codes as the names a
page is rendered with (`names`, a services.core.names.Names); an unknown code prints as
itself. A service adds its own label filters (statuses, channels, ...) when it builds
its environment, once.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from services.core.names import Names
from services.core.workdays import TZ

NO_NAMES = Names()
EMPTY = "—"


def _moment(value) -> datetime | date | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(TZ)
    return value if isinstance(value, date) else None


def beijing(value) -> str:
    """An instant (aware datetime or ISO-8601 text) as 2026-12-01 09:30 in Asia/Shanghai."""
    if value is None or value == "":
        return EMPTY
    moment = _moment(value)
    if isinstance(moment, datetime):
        return f"{moment:%Y-%m-%d %H:%M}"
    return moment.isoformat() if moment else str(value)


def beijing_date(value) -> str:
    """A date, or the Beijing date of an instant, as 2026-12-01."""
    if value is None or value == "":
        return EMPTY
    moment = _moment(value)
    if isinstance(moment, datetime):
        return moment.date().isoformat()
    return moment.isoformat() if moment else str(value)


def labels(table: Mapping[str, str]) -> Callable[[str | None], str]:
    """A filter giving the label of a code in `table`, or the code itself."""
    def label(code: str | None) -> str:
        if code is None or code == "":
            return EMPTY
        return table.get(code, code)
    return label


def _names(context: Context) -> Names:
    return context.get("names") or NO_NAMES


@pass_context
def unit(context: Context, code: str | None, fallback: str | None = None) -> str:
    """A unit's, county's or town's name."""
    return _names(context).unit(code, fallback) if code else EMPTY


@pass_context
def category(context: Context, code: str | None) -> str:
    """A category's name; 未分类 when there is none."""
    return _names(context).category(code)


@pass_context
def region(context: Context, code: str | None) -> str:
    """A county's or the prefecture's name by its adcode."""
    return _names(context).region(code) if code else EMPTY


# The same filter names as the console's pages (services/console/formatting.py).
SHARED = {"beijing": beijing, "beijing_date": beijing_date, "unit": unit,
          "category": category, "region": region}


def environment(folder: Path, filters: Mapping[str, Callable] | None = None) -> Environment:
    """An autoescaping environment over `folder` with the shared filters and a service's own."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))
    env.filters.update({**SHARED, **(filters or {})})
    return env
