"""What the H5 routes depend on: the citizen (or a visitor), their API, a checked form."""

from typing import Annotated

from fastapi import Depends, Request

from services.console.backend import Api
from services.console.deps import form_checker
from services.console.h5.session import (
    Citizen,
    NotLoggedIn,
    csrf_ok,
    session_citizen,
)


async def visitor(request: Request) -> Citizen | None:
    """The citizen if logged in (public pages work for anyone), and the public config."""
    citizen = session_citizen(request)
    request.state.citizen = citizen
    request.state.config = await request.app.state.config.get(public_api(request))
    return citizen


async def logged_in(request: Request) -> Citizen:
    """The logged-in citizen; NotLoggedIn sends them to the SMS login first."""
    citizen = await visitor(request)
    if citizen is None:
        raise NotLoggedIn()
    return citizen


def api_of(request: Request) -> Api:
    """Calls with the citizen's own token (none for a visitor)."""
    citizen = getattr(request.state, "citizen", None)
    return request.app.state.backend.as_person(citizen.token if citizen else None)


def public_api(request: Request) -> Api:
    """Calls without a token, for the public endpoints (an expired login must not matter)."""
    return request.app.state.backend.as_person(None)


checked_form = form_checker(csrf_ok)  # the H5 cookie's token


CitizenDep = Annotated[Citizen, Depends(logged_in)]
VisitorDep = Annotated[Citizen | None, Depends(visitor)]
FormDep = Annotated[dict, Depends(checked_form)]
