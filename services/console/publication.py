"""案例公开 from the console: the center rewrites a closed ticket in its own words, ticks the
photos that may be shown, and intake publishes it (refusing any personal data left in)."""

from fastapi import APIRouter, Request

from services.console.backend import ApiError
from services.console.deps import FormDep, PersonDep, api_of
from services.console.pages import render
from services.console.ticket_page import _checked, _media, can_publish, done

router = APIRouter()
FIELDS = ("title", "body", "reply")


async def _record(request: Request, number: str) -> tuple[dict, list[str], dict]:
    """The ticket, its photos (submitted and in the units' reports) and their media records."""
    api = api_of(request)
    record = await api.get("intake", f"/v1/tickets/{number}/archive", params={"format": "json"})
    ids = [e["media_id"] for e in record["attachments"]]
    ids += [e["media_id"] for r in record["reports"] for e in r["evidence"]]
    media = await _media(api, list(dict.fromkeys(ids)))
    photos = [i for i in media if media[i]["kind"] == "image"]
    return record, photos, media


def _drafted(record: dict) -> dict:
    """A first draft: the ticket's title and content, the last accepted handling result."""
    results = [r["text"] for r in record["reports"] if r["kind"] == "completion" and r["text"]]
    ticket = record["ticket"]
    return {"title": ticket["title"][:50], "body": ticket["content"], "reply": results[-1] if results else ""}


@router.get("/tickets/{number}/publish")
async def publish_form(request: Request, number: str, person: PersonDep):
    """The publication form, drafted from the ticket; the person must take personal data out."""
    record, photos, media = await _record(request, _checked(number))
    return render(request, "publish.html", ticket=record["ticket"], photos=photos, media=media,
                  allowed=can_publish(person, record["ticket"]), values=_drafted(record),
                  ticked=[], errors={}, error=None)


@router.post("/tickets/{number}/publish")
async def publish(request: Request, number: str, person: PersonDep, form: FormDep):
    """Ask intake to publish; its refusal (personal data, wrong state) shows next to the field."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    ticked = [str(p) for p in form.getlist("photo")]
    try:
        case = await api_of(request).post("intake", f"/v1/tickets/{_checked(number)}/publication",
                                          json={**values, "photos": ticked})
    except ApiError as refused:
        if refused.status == 404:
            raise
        record, photos, media = await _record(request, number)
        return render(request, "publish.html", 422, ticket=record["ticket"], photos=photos,
                      media=media, allowed=can_publish(person, record["ticket"]), values=values,
                      ticked=ticked, errors=refused.field_errors(), error=refused.message)
    return done(request, number, f"已公开为案例：{case['title']}")
