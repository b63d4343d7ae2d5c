"""The public reads (config, cases, knowledge, hot topics, nearby, lookup), each allowed to be absent.

A service that answers 404 for a public endpoint (not deployed yet) or does not answer gives
None: the page shows an empty section with a note, never an error page.
"""

import asyncio
import time

import structlog

from services.console.backend import Api, ApiError, ServiceDown

log = structlog.get_logger()
UNAVAILABLE = "该栏目暂未开通，请稍后再试，或拨打 12345 热线咨询。"


async def optional(api: Api, service: str, path: str, **params):
    """The JSON of a public GET, or None when the endpoint is absent or the service is down."""
    try:
        return await api.get(service, path, params={k: v for k, v in params.items() if v not in (None, "")})
    except ServiceDown:
        return None
    except ApiError as refused:
        if refused.status != 404:
            log.info("h5.public_refused", path=path, status=refused.status)
        return None


class PublicConfig:
    """intake's /v1/public/config (counties, towns, types, categories, scope), kept per process."""

    RETRY = 10.0  # an absent config is asked again this soon, not every page

    def __init__(self, ttl: float):
        self.ttl = ttl
        self.value: dict | None = None
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def get(self, api: Api) -> dict | None:
        """The config, read again when older than the TTL; None while intake has none."""
        if time.monotonic() < self._until:
            return self.value
        async with self._lock:
            if time.monotonic() >= self._until:
                found = await optional(api, "intake", "/v1/public/config")
                self.value = found if isinstance(found, dict) else None
                self._until = time.monotonic() + (self.ttl if self.value else self.RETRY)
        return self.value


def names(config: dict | None) -> dict[str, str]:
    """Code → name for counties, towns and categories (parents and children) of the config."""
    found: dict[str, str] = {}
    for county in (config or {}).get("counties", []):
        found[county["code"]] = county["name"]
        for town in county.get("towns", []):
            # routing names a town with its county (砚山县平远镇); a bare name gets it added
            found[town["code"]] = (town["name"] if town["name"].startswith(county["name"])
                                   else county["name"] + town["name"])
    for parent in (config or {}).get("categories", []):
        found[parent["code"]] = parent["name"]
        for child in parent.get("children", []):
            found[child["code"]] = f"{parent['name']} / {child['name']}"
    return found
