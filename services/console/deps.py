"""What every console route depends on: the logged-in person, their API, a checked form."""

from typing import Annotated

from fastapi import Depends, Request

from services.console.backend import Api
from services.console.session import CSRF_FIELD, CSRF_HEADER, Person, csrf_ok, current_person


class CsrfFailed(Exception):
    """A form without this browser's CSRF token: refused, the page says why."""


async def logged_in(request: Request) -> Person:
    """The person of the session; fills the name and calendar caches on the way."""
    person = current_person(request)
    request.state.person = person
    api = request.app.state.backend.as_person(person.token)
    request.state.api = api
    await request.app.state.directory.refresh(api)
    await request.app.state.calendar.refresh(api)
    return person


def api_of(request: Request) -> Api:
    return request.state.api


def form_checker(ok=csrf_ok):
    """A dependency giving the posted form once its CSRF token (field or htmx header) passes
    `ok` (the citizen pages check theirs against their own cookie)."""
    async def checked_form(request: Request) -> dict:
        form = await request.form()
        sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not ok(request, sent if isinstance(sent, str) else None):
            raise CsrfFailed()
        return form
    return checked_form


checked_form = form_checker()


PersonDep = Annotated[Person, Depends(logged_in)]
FormDep = Annotated[dict, Depends(checked_form)]
