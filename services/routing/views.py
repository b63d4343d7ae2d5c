"""What routing's API answers look like, built from rows and matches."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing import duplicates
from services.routing.classifier import CONFIDENT, Suggestion
from services.routing.directory_cache import active_category_names, units_by_code
from services.routing.rules import Match


async def classify_view(session: AsyncSession, pairs: list[tuple[Suggestion, Match | None]],
                        threshold: float = CONFIDENT) -> dict:
    """Suggestions with category and lead unit names, and whether the best is confident."""
    names = await active_category_names(session, [s.category_code for s, _ in pairs])
    leads = await units_by_code(session, {m.lead.unit_code for _, m in pairs if m})
    suggestions = [{
        "category": s.category_code, "name": names.get(s.category_code, s.category_code),
        "confidence": s.confidence, "score": s.score,
        "lead_unit": m.lead.unit_code if m else None,
        "lead_unit_name": leads[m.lead.unit_code]["name"] if m else None,
        "co": [{"unit_code": a.unit_code, "role": a.role} for a in m.co] if m else [],
    } for s, m in pairs]
    confident = bool(pairs) and pairs[0][0].confidence >= threshold
    return {"suggestions": suggestions, "confident": confident, "threshold": threshold}


async def duplicates_view(session: AsyncSession, ticket: dict) -> dict:
    """A ticket's duplicate candidates both ways, with its repeat and group flags."""
    return {"number": ticket["number"], "repeat_count": ticket["repeat_count"],
                "group": ticket["group_complaint"], "consult": ticket["consult"],
                "master_number": ticket["master_number"],
                "candidates": await duplicates.related(session, ticket)}

