"""What intake learns from other services: owners from routing, deadlines and overdue from sla."""

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, Role
from services.core.events import Envelope
from services.core.outbox import Outbox
from services.intake import calendar, deadlines, events, names, service
from services.intake.models import tickets
from services.intake.statuses import OPEN, Status
from services.intake.timeline import record
from services.intake.workflow import Context

# A lead assignment moves the ticket on from these; later ones (a transfer) keep handling.
ASSIGNABLE = {Status.submitted, Status.accepted, Status.assigned, Status.in_progress}


def make_handlers(outbox: Outbox) -> dict:
    """The explicit table: event type → handler."""

    async def on_assigned(session: AsyncSession, envelope: Envelope) -> None:
        """Routing named an owner: the lead moves the ticket to 已派单, others join it."""
        data = envelope.data
        ticket = await service.find(session, data["number"], lock=True)
        if ticket is None or Status(ticket["status"]) not in ASSIGNABLE:
            return
        ctx = Context(session, outbox, ticket, None)  # type: ignore[arg-type]
        if data["role"] == "dispatch":
            await _queue_for_dispatch(ctx, data)
        elif data["role"] == "lead":
            await _assign_lead(ctx, data, envelope)
        else:
            await _add_co_unit(ctx, data)

    async def on_duplicates(session: AsyncSession, envelope: Envelope) -> None:
        """Routing found likely duplicates: dispatchers see them on the ticket."""
        await session.execute(update(tickets).where(tickets.c.number == envelope.data["number"])
                              .values(duplicates=envelope.data, updated_at=func.now()))

    async def on_overdue(session: AsyncSession, envelope: Envelope) -> None:
        """A clock ran out: the ticket shows on the supervisors' overdue list."""
        announced = deadlines.ClockAnnounced.model_validate(envelope.data)
        await deadlines.record_announcement(session, announced, envelope.occurred_at, warning=False)
        ticket = await service.find(session, envelope.data["number"], lock=True)
        if ticket is None or Status(ticket["status"]) not in OPEN or ticket["overdue"]:
            return
        await session.execute(update(tickets).where(tickets.c.id == ticket["id"]).values(overdue=True))
        clock = "签收" if envelope.data.get("clock") == "response" else "办结"
        await record(session, ticket["id"], action="overdue", status=Status(ticket["status"]),
                     actor=None,
                     text=f"{await names.unit_name(session, envelope.data['unit_code'])} 超过{clock}时限")

    return {"ticket.assigned": on_assigned, "ticket.duplicate_flagged": on_duplicates,
            "sla.overdue": on_overdue, "sla.clock_changed": on_clock_changed,
            "sla.warning": on_warning, "unit.upserted": names.on_unit_upserted,
            "category.upserted": names.on_category_upserted,
            "calendar.year_loaded": calendar.on_year_loaded}


async def on_clock_changed(session: AsyncSession, envelope: Envelope) -> None:
    """sla started, paused, moved or stopped a clock: the lists show the deadline in force."""
    change = deadlines.ClockChanged.model_validate(envelope.data)
    await deadlines.record_change(session, change, envelope.occurred_at)


async def on_warning(session: AsyncSession, envelope: Envelope) -> None:
    """sla warned that a deadline is near: the ticket counts as 即将超期."""
    announced = deadlines.ClockAnnounced.model_validate(envelope.data)
    await deadlines.record_announcement(session, announced, envelope.occurred_at, warning=True)


def dispatcher(data: dict) -> Principal | None:
    """Who dispatched by hand, for 流程跟踪 (None: routing's rules did, the platform acted)."""
    if not data.get("assigned_by"):
        return None
    return Principal(data["assigned_by"], Role.dispatcher, unit=data.get("assigned_by_unit"))


async def _queue_for_dispatch(ctx: Context, data: dict) -> None:
    await ctx.session.execute(update(tickets).where(tickets.c.id == ctx.ticket["id"])
                              .values(dispatch_unit=data["unit_code"]))
    codes = [s["category"] for s in data.get("suggestions") or [] if s.get("category")]
    suggestions = "、".join(await names.category_names(ctx.session, codes))
    text = "进入指挥中心人工派单" + (f"（建议分类：{suggestions}）" if suggestions else "")
    if data.get("reason") == "unplaceable":
        text = f"所在地区没有对应的指挥中心，转{await names.unit_name(ctx.session, data['unit_code'])}人工派单"
    await record(ctx.session, ctx.ticket["id"], action="queue", status=Status(ctx.ticket["status"]),
                 actor=None, text=text, data={"unit_code": data["unit_code"]})


async def _assign_lead(ctx: Context, data: dict, envelope: Envelope) -> None:
    first_time = Status(ctx.ticket["status"]) is Status.submitted
    previous = ctx.ticket["lead_unit"]
    # Co-units that arrived with this lead stay; a transfer to another lead starts afresh.
    kept = {} if previous and previous != data["unit_code"] else {
        code: role for code, role in (ctx.ticket["unit_roles"] or {}).items() if role != "lead"}
    roles = {data["unit_code"]: "lead", **kept}
    await ctx.session.execute(update(tickets).where(tickets.c.id == ctx.ticket["id"]).values(
        status=Status.assigned.value, lead_unit=data["unit_code"], unit_roles=roles,
        units=list(roles), assigned_at=envelope.occurred_at, updated_at=func.now(),
        category=data.get("category") or ctx.ticket["category"], dispatch_unit=None,
        rework=ctx.ticket["rework"] and previous == data["unit_code"]))
    await deadlines.project(ctx.session, ctx.ticket["id"])
    await record(ctx.session, ctx.ticket["id"], action="assign", status=Status.assigned,
                 actor=dispatcher(data), text=f"派单至 {data.get('unit_name') or data['unit_code']}（牵头）",
                 data={"unit_code": data["unit_code"], "reason": data.get("reason")})
    if first_time:
        await ctx.emit(events.TicketAccepted(number=ctx.number, region_code=ctx.ticket["region_code"]))


async def _add_co_unit(ctx: Context, data: dict) -> None:
    roles = {**(ctx.ticket["unit_roles"] or {}), data["unit_code"]: data["role"]}
    await ctx.session.execute(update(tickets).where(tickets.c.id == ctx.ticket["id"]).values(
        unit_roles=roles, units=list(roles), updated_at=func.now()))
    label = "责任单位" if data["role"] == "responsible" else "配合单位"
    await record(ctx.session, ctx.ticket["id"], action="assign", status=Status(ctx.ticket["status"]),
                 actor=dispatcher(data), text=f"会商联办：{data.get('unit_name') or data['unit_code']}（{label}）",
                 data={"unit_code": data["unit_code"], "role": data["role"]})
