"""Tickets shaped for each reader: citizens, staff, the public progress query."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal
from services.intake.access import shows_contact
from services.intake.statuses import Status
from services.intake.timeline import entries

LOCATION = ("region_code", "town_code", "address", "lat", "lng")


def created_view(row: dict) -> dict:
    """The answer to a submission."""
    status = Status(row["status"])
    return {
        "id": str(row["id"]),
        "number": row["number"],
        "status": status.value,
        "status_label": status.label,
        "created_at": row["created_at"].isoformat(),
    }


def ticket_view(row: dict, principal: Principal) -> dict:
    """A ticket as `principal` may see it (an anonymous contact hidden from units)."""
    status = Status(row["status"])
    contact = None
    if shows_contact(principal, row):
        contact = {"name": row["contact_name"], "phone": row["contact_phone"],
                   "id_number": row["contact_id_number"], "address": row["contact_address"],
                   "email": row["contact_email"]}
    return {
        **{key: row[key] for key in ("id", "number", "channel", "type", "category", "urgency",
                                     "title", "content", "anonymous", "public", "info_request",
                                     "evaluation", "created_at", "updated_at", "lead_unit",
                                     "unit_roles", "overdue", "supervised", "reopen_count",
                                     "duplicates", "master_number", "media_url")},
        "units": list(row["units"]),
        "media_ids": list(row["media_ids"]),
        "status": status.value,
        "status_label": status.label,
        "location": {key: row[key] for key in LOCATION},
        "contact": contact,
    }


async def detail_view(session: AsyncSession, row: dict, principal: Principal) -> dict:
    """A ticket with its timeline."""
    return {**ticket_view(row, principal), "timeline": await entries(session, row["id"])}


async def progress_view(session: AsyncSession, row: dict) -> dict:
    """Progress without personal data: status and timeline only."""
    status = Status(row["status"])
    return {
        "number": row["number"],
        "status": status.value,
        "status_label": status.label,
        "title": row["title"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "timeline": await entries(session, row["id"]),
    }
