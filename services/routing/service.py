"""Who owns a ticket: decided by the rules when they are clear, by a dispatcher otherwise."""

import uuid
from datetime import datetime

import structlog
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.core.problems import field_error
from services.routing import assignments, duplicates, rule_store, ticket_store
from services.routing.access import covers
from services.routing.classifier import CONFIDENT, Suggestion, classify
from services.routing.directory_cache import (
    active_category_names,
    broadest_center,
    command_center_for,
    units_by_code,
)
from services.routing.directory_cache import category as get_category
from services.routing.events import SuggestionOut
from services.routing.models import assignments as assignment_table
from services.routing.rules import Match
from services.routing.schemas import DispatchIn, TicketCreatedData

log = structlog.get_logger()


async def suggest(session: AsyncSession, text: str, region_code: str | None,
                  town_code: str | None = None, *, exclude: frozenset[str] = frozenset(),
                  top: int = 3) -> list[tuple[Suggestion, Match | None]]:
    """Categories for a text, best first, each with the units its rule would pick here."""
    found = classify(text, top=top + 2)
    known = await active_category_names(session, [s.category_code for s in found])
    pairs = []
    for s in [s for s in found if s.category_code in known][:top]:
        match = (await rule_store.match(session, s.category_code, region_code, town_code, exclude)
                 if region_code else None)
        pairs.append((s, match))
    return pairs


def _out(pairs: list[tuple[Suggestion, Match | None]]) -> list[SuggestionOut]:
    return [SuggestionOut(category=s.category_code, confidence=s.confidence,
                          lead_unit=m.lead.unit_code if m else None) for s, m in pairs]


def _text(ticket: dict) -> str:
    return f"{ticket['title']}。{ticket['content']}"


async def route_new(session: AsyncSession, ticket_id: uuid.UUID, data: TicketCreatedData,
                    created_at: datetime) -> None:
    """首接: assign a new ticket by its category's rule, or queue it for the command center."""
    ticket = await ticket_store.insert_ticket(session, ticket_id, data, created_at)
    if ticket is None:
        return
    category, match, pairs = await _decide(session, ticket)
    if match:
        await ticket_store.set_values(session, ticket["id"], category=category["code"])
        await _assign(session, {**ticket, "category": category["code"]}, match,
                      reason="auto", category=category)
    else:
        pairs = pairs or await suggest(session, _text(ticket), ticket["region_code"],
                                       ticket["town_code"])
        await to_manual_queue(session, ticket, _given_first(category, _out(pairs)),
                              reason="manual_queue")
    await duplicates.flag(session, ticket)


async def _decide(session: AsyncSession, ticket: dict) -> tuple[dict | None, Match | None, list]:
    """The category (given, or classified with confidence), its rule's units here, suggestions."""
    category = await _active_category(session, ticket["category"])
    if category is not None:
        match = await rule_store.match(session, category["code"], ticket["region_code"],
                                       ticket["town_code"])
        return category, match, []
    pairs = await suggest(session, _text(ticket), ticket["region_code"], ticket["town_code"])
    if pairs and pairs[0][0].confidence >= CONFIDENT:
        return await get_category(session, pairs[0][0].category_code), pairs[0][1], pairs
    return None, None, pairs


async def _active_category(session: AsyncSession, code: str | None) -> dict | None:
    category = await get_category(session, code)
    return category if category and category["active"] else None


def _given_first(category: dict | None, suggestions: list[SuggestionOut]) -> list[SuggestionOut]:
    if category is None or any(s.category == category["code"] for s in suggestions):
        return suggestions
    return [SuggestionOut(category=category["code"], confidence=1.0), *suggestions]


async def _assign(session: AsyncSession, ticket: dict, match: Match, *, reason: str,
                  category: dict | None, by: str | None = None) -> None:
    found = await units_by_code(session, {a.unit_code for a in match.assignees})
    for assignee in match.assignees:
        await assignments.open_assignment(
            session, ticket, found[assignee.unit_code], role=assignee.role, reason=reason,
            category=category, units=len(match.assignees), by=by)


async def to_manual_queue(session: AsyncSession, ticket: dict, suggestions: list[SuggestionOut],
                          *, reason: str, excluded: frozenset[str] = frozenset()) -> None:
    """Put the ticket in its command center's queue (role `dispatch`) with suggestions."""
    center = await command_center_for(session, ticket["region_code"])
    if center is None:  # a region no center covers: the widest center's people place it
        center, reason = await broadest_center(session), "unplaceable"
        log.warning("routing.unplaceable", number=ticket["number"], region=ticket["region_code"],
                    center=center and center["code"])
    if center is None:
        raise LookupError(f"no command center at all for region {ticket['region_code']}")
    waiting = [a for a in await assignments.active(session, ticket["id"])
               if a["unit_code"] == center["code"]]
    if waiting:  # already in the queue: refresh what the dispatcher sees
        await session.execute(update(assignment_table)
                              .where(assignment_table.c.id == waiting[0]["id"])
                              .values(suggestions=[s.model_dump() for s in suggestions],
                                      excluded=sorted(excluded)))
        return
    category = await get_category(session, ticket["category"])
    await assignments.open_assignment(session, ticket, center, role="dispatch", reason=reason,
                                      category=category, suggestions=suggestions,
                                      excluded=excluded)


async def dispatch(session: AsyncSession, ticket: dict, body: DispatchIn,
                   actor: Principal) -> None:
    """派单 / 改派: one new decision; every unit named gets the ticket anew, the rest let go."""
    ticket_store.ensure_open(ticket)
    wanted = [(body.lead, "lead"), *((c.unit_code, c.role) for c in body.co)]
    found = await _dispatch_units(session, actor, wanted)
    category = await _dispatch_category(session, ticket, body.category)
    current = await assignments.active(session, ticket["id"])
    reason = "transfer" if any(a["role"] != "dispatch" for a in current) else "dispatch"
    await assignments.end(session, [a["id"] for a in current], state="transferred",
                          why=body.note or f"{reason}:{actor.subject}")
    if category["code"] != ticket["category"]:
        await ticket_store.set_values(session, ticket["id"], category=category["code"])
        ticket = {**ticket, "category": category["code"]}
    for unit_code, role in wanted:
        await assignments.open_assignment(session, ticket, found[unit_code], role=role,
                                          reason=reason, category=category,
                                          units=len(wanted), by=actor.subject, by_unit=actor.unit)


async def _dispatch_category(session: AsyncSession, ticket: dict, code: str | None) -> dict:
    if code is None:
        if ticket["category"] is None:
            raise field_error("category", "工单尚未分类，请选择分类")
        return await get_category(session, ticket["category"])
    category = await _active_category(session, code)
    if category is None:
        raise field_error("category", "分类不存在或已停用")
    return category


async def _dispatch_units(session: AsyncSession, actor: Principal,
                          wanted: list[tuple[str, str]]) -> dict[str, dict]:
    found = await units_by_code(session, {code for code, _ in wanted})
    for i, (code, role) in enumerate(wanted):
        field = "lead" if role == "lead" else f"co.{i - 1}.unit_code"
        unit = found.get(code)
        if unit is None or not unit["active"]:
            raise field_error(field, f"单位 {code} 不存在或已停用")
        if unit["kind"] in ("command_center", "prefecture"):
            raise field_error(field, "不能派给指挥中心或州本级，请选择承办单位")
        if not covers(actor, unit["region_code"]):
            raise field_error(field, f"单位 {code} 不在您的辖区")
    return found


async def return_to_queue(session: AsyncSession, ticket: dict, unit_code: str, why: str) -> None:
    """退件 approved: the ticket waits for the center again, the returning unit excluded."""
    holding = [a for a in await assignments.active(session, ticket["id"]) if a["role"] != "dispatch"]
    if not any(a["unit_code"] == unit_code for a in holding):
        log.warning("routing.return_without_assignment", number=ticket["number"], unit=unit_code)
        return
    await assignments.end(session, [a["id"] for a in holding if a["unit_code"] == unit_code],
                          state="returned", why=why)
    # The whole ticket goes back (intake clears its units): co units await the new dispatch too.
    await assignments.end(session, [a["id"] for a in holding if a["unit_code"] != unit_code],
                          state="transferred", why=f"随 {unit_code} 退件回到指挥中心")
    if ticket["status"] != "open":
        return
    excluded = await assignments.returned_units(session, ticket["id"])
    await to_manual_queue(session, ticket, await _suggestions_without(session, ticket, excluded),
                          reason="return", excluded=excluded)


async def _suggestions_without(session: AsyncSession, ticket: dict,
                               excluded: frozenset[str]) -> list[SuggestionOut]:
    """The ticket's category first (with its rule's next unit), then the classifier's."""
    here = (ticket["region_code"], ticket["town_code"])
    suggestions = _out(await suggest(session, _text(ticket), *here, exclude=excluded))
    if ticket["category"] is None:
        return suggestions
    match = await rule_store.match(session, ticket["category"], *here, excluded)
    own = SuggestionOut(category=ticket["category"], confidence=1.0,
                        lead_unit=match.lead.unit_code if match else None)
    return [own, *(s for s in suggestions if s.category != own.category)]


async def close(session: AsyncSession, ticket: dict, why: str,
                master_number: str | None = None) -> None:
    """The ticket ended (closed, rejected, expired or merged): every unit lets go of it."""
    current = await assignments.active(session, ticket["id"])
    await assignments.end(session, [a["id"] for a in current], state="closed", why=why)
    await ticket_store.set_values(session, ticket["id"], status="closed", closed_at=func.now(),
                                  master_number=master_number or ticket["master_number"])


async def reopen(session: AsyncSession, ticket: dict) -> None:
    """Re-handling after 不满意: the units that held the ticket when it closed hold it again."""
    if ticket["status"] == "closed" and ticket["master_number"] is None:
        await session.execute(
            update(assignment_table)
            .where(assignment_table.c.ticket_id == ticket["id"],
                   assignment_table.c.state == "closed",
                   assignment_table.c.ended_at == ticket["closed_at"])
            .values(state="active", ended_at=None, end_reason=None))
        await ticket_store.set_values(session, ticket["id"], status="open", closed_at=None)
    if not any(a["role"] != "dispatch" for a in await assignments.active(session, ticket["id"])):
        pairs = await suggest(session, _text(ticket), ticket["region_code"], ticket["town_code"])
        await to_manual_queue(session, {**ticket, "status": "open"}, _out(pairs),
                              reason="manual_queue")
