"""工作台: what the logged-in person must do now, and the three rates of this month."""

from datetime import datetime

from fastapi import APIRouter, Request

from services.console.backend import ApiError
from services.console.deps import PersonDep, api_of
from services.console.pages import render
from services.console.session import Person
from services.core.auth import Role
from services.core.workdays import TZ

router = APIRouter()
RATES = (("response_rate", "响应率"), ("on_time_rate", "按时办结率"),
         ("resolution_rate", "解决率"), ("satisfaction_rate", "满意率"))


async def _counts(request: Request) -> list[dict]:
    answer = await api_of(request).get("intake", "/v1/dashboard")
    return answer["counts"]


async def _rates(request: Request, person: Person) -> dict | None:
    """This month's rates of the person's unit (units) or county (the rest); None if refused."""
    if person.role is Role.agent:  # the rates are the units' and the centers', not the agents'
        return None
    today = datetime.now(TZ).date()
    params = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    if person.is_unit:
        params["unit"] = person.principal.unit
    try:
        stats = await api_of(request).get("sla", "/v1/stats", params=params)
    except ApiError:
        return None
    total = stats["units"][0] if person.is_unit and stats["units"] else stats["total"]
    return {"rates": [(label, total.get(key)) for key, label in RATES],
            "assigned": total.get("assigned", 0), "overdue": total.get("overdue", 0),
            "month": f"{today.year} 年 {today.month} 月"}


@router.get("/")
async def dashboard(request: Request, person: PersonDep):
    """The whole page: the counts (refreshed every 15 s) and the rates."""
    counts = await _counts(request)
    return render(request, "dashboard.html", counts=counts, stats=await _rates(request, person))


@router.get("/dashboard/counts")
async def dashboard_counts(request: Request, person: PersonDep):
    """Only the counts, for htmx's refresh."""
    return render(request, "_counts.html", counts=await _counts(request))
