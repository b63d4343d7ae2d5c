"""Request dependencies shared by every service: the session, the caller."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.auth import Principal, principal_from_request
from services.core.settings import Settings


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    # scope="function" below: the commit happens before the response is sent.
    async with request.app.state.db.transaction() as session:
        yield session


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
CallerDep = Annotated[Principal, Depends(principal_from_request)]
