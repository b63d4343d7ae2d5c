"""Provider settings come from the environment; a provider without its keys refuses to start."""

import pytest

from services.core.settings import Settings
from services.notify.app import check_providers
from services.notify.settings import NotifySettings


def test_provider_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALIYUN_ACCESS_KEY_ID", "LTAI-from-env")
    monkeypatch.setenv("ALIYUN_BASE_URL", "http://127.0.0.1:9999")
    monkeypatch.setenv("SMS_TEMPLATE_CODES", '{"SMS_TICKET_ACCEPTED": "SMS_460000001"}')
    monkeypatch.setenv("WECHAT_APPID", "wx123")

    notify = NotifySettings()

    options = notify.sms_options("aliyun")
    assert (
        options["access_key_id"] == "LTAI-from-env"
        and options["base_url"] == "http://127.0.0.1:9999"
    )
    assert options["template_codes"] == {"SMS_TICKET_ACCEPTED": "SMS_460000001"}
    assert notify.wechat_options("wechat")["appid"] == "wx123"


@pytest.mark.parametrize(
    ("sms", "wechat", "missing"),
    [
        ("aliyun", "console", "ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET"),
        ("tencent", "console", "TENCENT_SECRET_ID"),
        ("console", "wechat", "WECHAT_APPID, WECHAT_SECRET"),
    ],
)
def test_a_chosen_provider_without_credentials_refuses_to_start(sms, wechat, missing):
    with pytest.raises(ValueError, match=missing):
        check_providers(Settings(sms_provider=sms, wechat_provider=wechat), NotifySettings())


def test_console_needs_nothing_and_production_needs_a_receipt_token():
    check_providers(Settings(), NotifySettings())
    with pytest.raises(ValueError, match="NOTIFY_CALLBACK_TOKEN"):
        NotifySettings(env="production")
