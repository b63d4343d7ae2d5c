"""Notify's own settings: provider credentials, base URLs and sending policy, from the environment.

SMS_PROVIDER and WECHAT_PROVIDER are core settings; everything provider-specific is here.
"""

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notify.providers import aliyun, tencent, wechat
from services.notify.templates import SIGN_NAME


class NotifySettings(BaseSettings):
    """Keys, endpoints and template ids of the providers, and the knobs of the sender."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    env: str = "development"
    sms_sign_name: str = SIGN_NAME
    # Our template codes (SMS_TICKET_ACCEPTED, WX_TICKET_PROGRESS) -> the provider's ids.
    sms_template_codes: dict[str, str] = Field(default_factory=dict)
    wechat_template_ids: dict[str, str] = Field(default_factory=dict)

    aliyun_access_key_id: str = ""
    aliyun_access_key_secret: str = ""
    aliyun_base_url: str = aliyun.DEFAULT_BASE_URL
    aliyun_region_id: str = "cn-hangzhou"

    tencent_secret_id: str = ""
    tencent_secret_key: str = ""
    tencent_sms_sdk_app_id: str = ""
    tencent_region: str = "ap-guangzhou"
    tencent_base_url: str = tencent.DEFAULT_BASE_URL

    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_base_url: str = wechat.DEFAULT_BASE_URL
    wechat_miniprogram_state: str = "formal"
    # The token configured for the mini-program's message push (signature check).
    wechat_callback_token: str = ""
    # A secret the SMS providers' receipt URLs carry as ?token=; empty accepts any caller.
    notify_callback_token: str = ""

    notify_phone_hourly_limit: int = 5
    notify_quiet_start_hour: int = 22
    notify_quiet_end_hour: int = 8
    notify_max_attempts: int = 5
    notify_retry_base_seconds: float = 30.0
    notify_retry_max_seconds: float = 3600.0
    notify_batch: int = 50
    notify_concurrency: int = 20
    notify_poll_seconds: float = 1.0
    # A message claimed for sending longer ago than this is taken over by another sender.
    notify_lease_seconds: float = 120.0
    notify_http_timeout: float = 10.0
    # Where citizens open the H5 pages: citizen SMS link to <this>/m/tickets/<number>.
    citizen_site_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _refuse_missing_callback_secret(self) -> "NotifySettings":
        if self.env == "production" and not self.notify_callback_token:
            raise ValueError("NOTIFY_CALLBACK_TOKEN must be set when ENV=production")
        return self

    def sms_options(self, provider: str) -> dict:
        """Keyword arguments of the chosen SMS provider."""
        if provider == "aliyun":
            return {
                "access_key_id": self.aliyun_access_key_id,
                "access_key_secret": self.aliyun_access_key_secret,
                "base_url": self.aliyun_base_url,
                "region_id": self.aliyun_region_id,
                "template_codes": self.sms_template_codes,
            }
        if provider == "tencent":
            return {
                "secret_id": self.tencent_secret_id,
                "secret_key": self.tencent_secret_key,
                "sdk_app_id": self.tencent_sms_sdk_app_id,
                "region": self.tencent_region,
                "base_url": self.tencent_base_url,
                "template_ids": self.sms_template_codes,
            }
        return {}

    def wechat_options(self, provider: str) -> dict:
        """Keyword arguments of the chosen WeChat provider."""
        if provider == "wechat":
            return {
                "appid": self.wechat_appid,
                "secret": self.wechat_secret,
                "base_url": self.wechat_base_url,
                "miniprogram_state": self.wechat_miniprogram_state,
            }
        return {}
