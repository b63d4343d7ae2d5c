"""Configuration from the environment, the same names in every service (DESIGN.md)."""

from functools import lru_cache

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789"
DEV_S3_SECRET = "hotline-dev-secret"


class Settings(BaseSettings):
    """Every setting a service reads; defaults suit a developer machine."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    env: str = "development"
    service: str = "hotline"
    database_url: str = "postgresql+asyncpg://root@127.0.0.1:5432/hotline"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # Lets test runs and benchmarks use their own exchange/queue names on a shared broker.
    broker_namespace: str = ""
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "hotline"
    s3_secret_key: str = DEV_S3_SECRET
    s3_bucket: str = "hotline-media"
    s3_secure: bool = False
    jwt_secret: str = DEV_JWT_SECRET
    jwt_ttl_seconds: int = 8 * 3600
    sms_provider: str = "console"
    wechat_provider: str = "console"
    # Where intake reads attachment metadata (a read across services, over HTTP).
    media_url: str = "http://127.0.0.1:8005"
    log_level: str = "INFO"
    # auto: coloured lines on a terminal, JSON otherwise; `make run` asks for console lines.
    log_format: str = "auto"
    port: int = 8000
    ticket_prefix: str = "WS"
    dev_api_key: str = ""
    dev_password: str = ""
    db_pool_size: int = 10  # five services share one PostgreSQL (max_connections 100 by default)
    prefetch: int = 64
    outbox_batch: int = 200
    outbox_poll_seconds: float = 0.5
    sms_code_ttl_seconds: int = 300
    pending_info_days: int = 10

    @property
    def production(self) -> bool:
        return self.env == "production"

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> "Settings":
        if self.production:
            if self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32:
                raise ValueError("JWT_SECRET must be set to a strong secret when ENV=production")
            if self.s3_secret_key == DEV_S3_SECRET:
                raise ValueError("S3_SECRET_KEY must be set when ENV=production")
        return self

    def broker_name(self, name: str) -> str:
        """An exchange or queue name inside this run's namespace."""
        return f"{self.broker_namespace}{name}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
