"""Intake's own settings, beside the shared ones: public hotlines, the SMS gateway, WeChat login."""

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOTLINE = "12345"
WECHAT_API = "https://api.weixin.qq.com"
DEV_SMS_SECRET = "dev-only-sms-gateway-secret"


class IntakeSettings(BaseSettings):
    """From the environment: PUBLIC_HOTLINES, SMS_INBOUND_SECRET, WECHAT_API_BASE, WECHAT_APPID, …"""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    env: str = "development"
    # A county's own 一键呼叫 number ({"532622": "0876-12345"}); any other county has the default.
    public_hotlines: dict[str, str] = Field(default_factory=dict)
    public_hotline_default: str = DEFAULT_HOTLINE
    # The shared secret the SMS gateway signs each inbound message's body with (HMAC-SHA256).
    sms_inbound_secret: str = DEV_SMS_SECRET
    # The county an SMS is filed under when its address names none (the prefecture's center).
    sms_default_region: str = Field("532600", pattern=r"^\d{6}$")
    sms_join_minutes: int = 10
    # The parts of a long SMS arrive seconds apart: a sender's parts wait this long for the next.
    sms_settle_seconds: float = 20.0
    sms_poll_seconds: float = 2.0
    wechat_api_base: str = WECHAT_API
    wechat_appid: str = ""
    wechat_secret: str = ""
    # Failed 办件查询 lookups one client address may make per window before a 429.
    lookup_misses_per_window: int = 20
    lookup_window_seconds: float = 600.0

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "IntakeSettings":
        if self.env == "production" and self.sms_inbound_secret == DEV_SMS_SECRET:
            raise ValueError("SMS_INBOUND_SECRET must be set when ENV=production")
        return self

    def hotline(self, region_code: str) -> str:
        """The number a citizen of this county calls."""
        return self.public_hotlines.get(region_code, self.public_hotline_default)


@lru_cache
def get_intake_settings() -> IntakeSettings:
    """The process-wide intake settings, read once from the environment."""
    return IntakeSettings()
