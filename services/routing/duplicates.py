"""Duplicates: the same caller, or the same issue at the same place, within a week of each other.

Similarity of two texts is the larger of two measures: the cosine of their classifier
keyword scores per category (the same kind of problem, said in other words) and the Dice
overlap of their words (the same text sent again). Three or more reports of one issue, or a
report by many people, is flagged for 会商.
"""

import hashlib
import math
import re
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import and_, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing import ticket_store
from services.routing.classifier import keyword_hits, words
from services.routing.events import OUTBOX, DuplicateCandidate, TicketDuplicateFlagged
from services.routing.models import duplicate_flags, tickets

WINDOW = timedelta(days=7)
NEAR_M = 100.0
SIMILAR = 0.5
REPEAT = 3
GROUP_CALLERS = 3
GROUP_WORDS = re.compile(r"联名|集体|全村|全体|群体|多户|几十户|上百户|几十名|上百名|村民们|居民们")
EARTH_M = 6_371_000.0
# Lock cells, in degrees: about the size of the search box, so a ticket takes 1 to 4 of them.
CELL_DEG = 0.0025
_HAN = re.compile(r"[\u4e00-\u9fff]")


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lng) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_M * math.asin(math.sqrt(h))


# Each open ticket is compared with every new one near it: segment its text once, not each time.
@lru_cache(maxsize=8192)
def _hits(text: str) -> dict[str, float]:
    return keyword_hits(text)


def _keyword_cosine(a: str, b: str) -> float:
    x, y = _hits(a), _hits(b)
    dot = sum(score * y.get(code, 0) for code, score in x.items())
    norm = math.hypot(*x.values()) * math.hypot(*y.values())
    return dot / norm if norm else 0.0


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in words(text) if len(w) > 1 and _HAN.search(w))


def similarity(a: str, b: str) -> float:
    """How alike two complaint texts are, in [0, 1]."""
    x, y = _words(a), _words(b)
    dice = 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0
    return round(max(_keyword_cosine(a, b), dice), 3)


def _box(ticket: dict) -> tuple[float, float, float, float] | None:
    """The lat/lng box a ticket's place duplicates lie in: (lat0, lat1, lng0, lng1)."""
    if ticket["lat"] is None or ticket["lng"] is None:
        return None
    dlat = NEAR_M / 111_000 * 1.2
    dlng = dlat / max(math.cos(math.radians(ticket["lat"])), 0.1)
    return ticket["lat"] - dlat, ticket["lat"] + dlat, ticket["lng"] - dlng, ticket["lng"] + dlng


def lock_keys(ticket: dict) -> list[int]:
    """Advisory lock keys, in the one order every transaction takes them: the caller's phone
    and every grid cell the ticket's search box touches. Two tickets that could be each
    other's duplicates share a key (the same phone, or the cell of the one inside the
    other's box), so they are checked one after the other; tickets far apart run at once."""
    names = [f"phone:{ticket['contact_phone']}"] if ticket["contact_phone"] else []
    if (box := _box(ticket)) is not None:
        lat0, lat1, lng0, lng1 = (math.floor(v / CELL_DEG) for v in box)
        names += [f"cell:{i}:{j}" for i in range(lat0, lat1 + 1) for j in range(lng0, lng1 + 1)]
    return sorted(_key(name) for name in names)


# Taken in the array's order, in one round trip.
_LOCK = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def _key(name: str) -> int:
    digest = hashlib.blake2b(f"routing.duplicates:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def _nearby_or_same_phone(session: AsyncSession, ticket: dict) -> list[dict]:
    near = []
    if (box := _box(ticket)) is not None:
        lat0, lat1, lng0, lng1 = box
        near.append(and_(tickets.c.lat.between(lat0, lat1), tickets.c.lng.between(lng0, lng1)))
    if ticket["contact_phone"]:
        near.append(tickets.c.contact_phone == ticket["contact_phone"])
    if not near:
        return []
    query = (select(tickets)
             .where(tickets.c.id != ticket["id"], tickets.c.status == "open", or_(*near),
                    tickets.c.created_at.between(ticket["created_at"] - WINDOW,
                                                 ticket["created_at"] + WINDOW))
             .order_by(tickets.c.created_at.desc()).limit(50))
    return list((await session.execute(query)).mappings())


def _candidate(ticket: dict, other: dict) -> dict | None:
    meters = None
    if None not in (ticket["lat"], ticket["lng"], other["lat"], other["lng"]):
        meters = round(distance_m((ticket["lat"], ticket["lng"]), (other["lat"], other["lng"])), 1)
    alike = similarity(_text(ticket), _text(other))
    if ticket["contact_phone"] and ticket["contact_phone"] == other["contact_phone"]:
        reason = "phone"
    elif meters is not None and meters <= NEAR_M and alike >= SIMILAR:
        reason = "place"
    else:
        return None
    return {"other": other, "reason": reason, "distance_m": meters, "similarity": alike}


def _text(ticket: dict) -> str:
    # A voice-only report has a placeholder title and no text to compare.
    return f"{ticket['title']}。{ticket['content']}" if ticket["content"] else ""


async def flag(session: AsyncSession, ticket: dict) -> TicketDuplicateFlagged | None:
    """Flag a new ticket's duplicates and 会商 needs; publishes `ticket.duplicate_flagged`."""
    # Two reports arriving together still see each other: they share a lock (see lock_keys).
    await session.execute(_LOCK, {"keys": lock_keys(ticket)})
    others = await _nearby_or_same_phone(session, ticket)
    found = [c for c in (_candidate(ticket, other) for other in others) if c is not None]
    same_issue = [c for c in found if c["similarity"] >= SIMILAR]
    callers = {ticket["contact_phone"]} | {c["other"]["contact_phone"] for c in same_issue}
    group = len(callers - {None}) >= GROUP_CALLERS or bool(GROUP_WORDS.search(_text(ticket)))
    repeat_count = 1 + len(same_issue)
    if not found and not group:
        return None
    consult = repeat_count >= REPEAT or group
    await _record(session, ticket, found)
    await ticket_store.set_values(session, ticket["id"], repeat_count=repeat_count,
                                  group_complaint=group, consult=consult)
    event = TicketDuplicateFlagged(
        number=ticket["number"], repeat_count=repeat_count, group=group, consult=consult,
        candidates=[DuplicateCandidate(number=c["other"]["number"], reason=c["reason"],
                                       distance_m=c["distance_m"], similarity=c["similarity"])
                    for c in found])
    await OUTBOX.stage(session, event, ticket_id=ticket["id"])
    return event


async def _record(session: AsyncSession, ticket: dict, found: list[dict]) -> None:
    if found:
        await session.execute(insert(duplicate_flags).on_conflict_do_nothing(), [
            {"ticket_id": ticket["id"], "candidate_id": c["other"]["id"], "reason": c["reason"],
                 "distance_m": c["distance_m"], "similarity": c["similarity"]} for c in found])


async def related(session: AsyncSession, ticket: dict) -> list[dict]:
    """The tickets flagged with this one, whichever of the two came in later."""
    other = tickets.alias("other")
    rows = []
    flags = duplicate_flags.c
    for mine, theirs, side in ((flags.ticket_id, flags.candidate_id, "this"),
                               (flags.candidate_id, flags.ticket_id, "other")):
        query = (select(flags.reason, flags.distance_m, flags.similarity, other.c.number,
                        other.c.status, other.c.created_at)
                 .join(other, other.c.id == theirs).where(mine == ticket["id"]))
        rows += [{**row, "flagged_on": side} for row in (await session.execute(query)).mappings()]
    return sorted(rows, key=lambda r: r["created_at"])
