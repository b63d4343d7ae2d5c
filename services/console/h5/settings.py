"""The H5 pages' settings: the console's (services to call, cookies) plus the map and the hotline."""

from functools import lru_cache

from services.console.settings import ConsoleSettings


class H5Settings(ConsoleSettings):
    """Every console setting, plus what only the citizen pages need."""

    # Map tiles for the report form's pin, in WGS-84 like the browser's geolocation (天地图 with
    # its key in production); an unreachable server leaves a grey map that still takes a pin.
    h5_tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    h5_tiles_attribution: str = "© OpenStreetMap"
    # Where the map opens before the citizen pins or locates (文山州砚山县).
    h5_map_center: tuple[float, float] = (23.605, 104.337)
    # The number 一键呼叫 dials when public config does not say a county's own.
    h5_hotline: str = "12345"
    # How long the public config (counties, towns, categories, scope) is kept per process.
    h5_config_ttl_seconds: float = 60.0


@lru_cache
def get_h5_settings() -> H5Settings:
    """The process-wide H5 settings, read once from the environment."""
    return H5Settings()
