"""The console's settings: where the five services answer, and how its cookies behave."""

from functools import lru_cache

from services.core.settings import Settings


class ConsoleSettings(Settings):
    """Every setting of the platform, plus the services the console reads and acts through."""

    intake_url: str = "http://127.0.0.1:8001"
    routing_url: str = "http://127.0.0.1:8002"
    sla_url: str = "http://127.0.0.1:8003"
    notify_url: str = "http://127.0.0.1:8004"
    # How long a page waits for a service before it says the service is unavailable.
    backend_timeout_seconds: float = 10.0
    # How long names of units and categories are kept before routing is asked again.
    names_ttl_seconds: float = 60.0

    @property
    def secure_cookies(self) -> bool:
        """Cookies go over HTTPS only in production (the gateway terminates TLS there)."""
        return self.production

    def service_urls(self) -> dict[str, str]:
        return {"intake": self.intake_url, "routing": self.routing_url, "sla": self.sla_url,
                "notify": self.notify_url, "media": self.media_url}


@lru_cache
def get_console_settings() -> ConsoleSettings:
    """The process-wide console settings, read once from the environment."""
    return ConsoleSettings()
