"""Who hears what: each event's audiences, in one explicit table (issue 8, docs/events.md).

A handler keeps notify's view of units and tickets current and returns its notices;
`bind` wraps them so the notices are rendered and queued in the consumer's transaction.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.consumer import Handler
from services.core.events import Envelope
from services.notify import audiences, recipients
from services.notify.context import render_context
from services.notify.messages import Notice, enqueue
from services.notify.recipients import Address, NotYetKnown

log = structlog.get_logger()
Decide = Callable[[AsyncSession, Envelope], Awaitable[list[Notice]]]


async def on_code_requested(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """A login code goes to the phone at once, and not after it expired."""
    data = envelope.data
    expires = envelope.occurred_at + timedelta(seconds=int(data.get("expires_in") or 300))
    return [
        Notice(
            "auth.code_requested",
            "citizen",
            [Address("sms", data["phone"])],
            render_context(envelope),
            "code",
            None,
            expires,
        )
    ]


async def on_created(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """Remember the citizen's contact; an urgent ticket alerts the command center now."""
    ticket = await recipients.remember_ticket(session, envelope)
    if ticket["urgency"] != "urgent":
        return []
    return [await audiences.region(session, envelope, "center", kind="ticket.urgent_created")]


async def on_citizen_event(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """受理, 待完善, 不予受理, 答复, 办结: the citizen hears of it."""
    return [await audiences.citizen(session, envelope)]


async def on_unit_event(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """Sent back, return denied, SLA warning or overdue: the addressed unit's handlers hear."""
    notices = [await audiences.unit(session, envelope, envelope.data["unit_code"])]
    if envelope.type == "sla.overdue":
        notices.append(
            await audiences.unit(session, envelope, envelope.data["unit_code"], audience="leader")
        )
        notices.append(await audiences.region(session, envelope, "center"))
    return notices


async def on_assigned(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """A handling unit got the ticket: remember it, tell its handlers (not the manual queue)."""
    if envelope.data.get("role") not in recipients.HANDLING_ROLES:
        return []
    await recipients.assign(session, envelope)
    return [await audiences.unit(session, envelope, envelope.data["unit_code"])]


async def on_returned(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """The return was approved: no unit holds the ticket until the center dispatches it again."""
    await recipients.release(session, envelope.data["number"])
    return []


async def on_supplemented(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """The citizen supplemented: every unit handling the ticket now hears."""
    units = await recipients.handling_units(session, envelope.data["number"])
    return [await audiences.unit(session, envelope, u["unit_code"]) for u in units]


async def on_center_request(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """A unit asks to return the ticket or for more time: the command center decides."""
    return [await audiences.region(session, envelope, "center")]


async def on_completion_submitted(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """A result waits for the unit leader's review."""
    return [await audiences.unit(session, envelope, envelope.data["unit_code"], audience="leader")]


async def on_reopened(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """Back to re-handling: the citizen and the units hear; a second time, the supervisors too."""
    number = envelope.data["number"]
    codes = envelope.data.get("unit_codes") or [
        u["unit_code"] for u in await recipients.handling_units(session, number)
    ]
    notices = [await audiences.citizen(session, envelope)]
    for code in codes:
        try:
            notices.append(await audiences.unit(session, envelope, code))
        except NotYetKnown:  # the citizen must hear even if one unit is missing from the directory
            log.warning("notify.unit_unknown", unit=code)
    if int(envelope.data.get("times") or 0) >= 2:
        lead = next(iter(await recipients.handling_units(session, number)), None)
        notices.append(
            await audiences.region(
                session,
                envelope,
                "supervisor",
                kind="ticket.dissatisfied_twice",
                unit_name=lead["unit_name"] if lead else "",
            )
        )
    return notices


async def on_unit_upserted(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """Routing's directory changed: keep the unit's phones and openids."""
    await recipients.upsert_unit(session, envelope.data)
    return []


async def on_wechat_bound(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """intake bound a citizen's phone to a mini-program openid: its tickets can use WeChat."""
    await recipients.bind_openid(session, envelope.data["phone"], envelope.data["openid"])
    return []


async def on_urgency_changed(session: AsyncSession, envelope: Envelope) -> list[Notice]:
    """Later messages of the ticket follow its new urgency."""
    await recipients.set_urgency(session, envelope.data["number"], envelope.data["urgency"])
    return []


HANDLERS: dict[str, Decide] = {
    "auth.code_requested": on_code_requested,
    "unit.upserted": on_unit_upserted,
    "citizen.wechat_bound": on_wechat_bound,
    "ticket.created": on_created,
    "ticket.urgency_changed": on_urgency_changed,
    "ticket.accepted": on_citizen_event,
    "ticket.rejected": on_citizen_event,
    "ticket.info_requested": on_citizen_event,
    "ticket.replied": on_citizen_event,
    "ticket.resolved": on_citizen_event,
    "ticket.assigned": on_assigned,
    "ticket.returned": on_returned,
    "ticket.supplemented": on_supplemented,
    "ticket.return_requested": on_center_request,
    "ticket.extension_requested": on_center_request,
    "ticket.return_denied": on_unit_event,
    "ticket.completion_sent_back": on_unit_event,
    "ticket.completion_submitted": on_completion_submitted,
    "ticket.reopened": on_reopened,
    "sla.warning": on_unit_event,
    "sla.overdue": on_unit_event,
}
# Routing keys the notify queue binds: every type above (unit-addressed ones end in a code).
BINDINGS = ("auth.code_requested", "unit.upserted", "citizen.wechat_bound", "ticket.#", "sla.warning.#",
            "sla.overdue.#")


def bind(*, sign_name: str, site_url: str = "") -> dict[str, Handler]:
    """The consumer's handlers: decide, then render and queue in the same transaction."""
    return {
        event_type: partial(_handle, decide, sign_name=sign_name, site_url=site_url)
        for event_type, decide in HANDLERS.items()
    }


async def _handle(
    decide: Decide, session: AsyncSession, envelope: Envelope, *, sign_name: str, site_url: str
) -> None:
    await enqueue(session, envelope, await decide(session, envelope), sign_name=sign_name,
                  site_url=site_url)
