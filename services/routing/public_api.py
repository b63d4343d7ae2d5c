"""Public answers for the citizens' pages (no login): hot topics and reports near a point."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.core.deps import SessionDep
from services.routing import knowledge_store, public_store
from services.routing.knowledge_api import CategoryQuery, RegionQuery
from services.routing.knowledge_schemas import HotOut, NearbyOut

router = APIRouter(prefix="/v1/public", tags=["public"])
Latitude = Annotated[float, Query(ge=-90, le=90, description="纬度（WGS-84）")]
Longitude = Annotated[float, Query(ge=-180, le=180, description="经度（WGS-84）")]


@router.get("/hot", response_model=HotOut)
async def hot(session: SessionDep, region: RegionQuery = None):
    """热门话题: the most asked categories and the most read answers of the last seven days."""
    return {"categories": await public_store.hot_categories(session, region=region),
            "knowledge": await knowledge_store.hot(session, region=region)}


@router.get("/nearby", response_model=NearbyOut)
async def nearby(session: SessionDep, lat: Latitude, lng: Longitude, category: CategoryQuery = None,
                 radius: int = Query(500, ge=10, le=5000, description="半径（米）")):
    """Open reports near a point (someone may already have reported it): titles, never people."""
    return {"items": await public_store.nearby(session, lat=lat, lng=lng, radius=radius,
                                               category=category)}
