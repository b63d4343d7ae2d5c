"""The notify service: turns events into SMS and WeChat messages for the people who must act."""

from fastapi import FastAPI

from services.core.broker import QueueSpec
from services.core.consumer import Consumer
from services.core.http import create_service_app
from services.core.outbox import Outbox
from services.core.runtime import Worker
from services.core.settings import Settings, get_settings
from services.notify import handlers
from services.notify.api import router
from services.notify.models import outbox, processed
from services.notify.providers import build_sms_provider, build_wechat_provider, default_http_client
from services.notify.sender import Clock, Sender, utc_now
from services.notify.settings import NotifySettings

# Settings each provider cannot work without, by provider name.
REQUIRED = {
    "aliyun": ("aliyun_access_key_id", "aliyun_access_key_secret"),
    "tencent": ("tencent_secret_id", "tencent_secret_key", "tencent_sms_sdk_app_id"),
    "wechat": ("wechat_appid", "wechat_secret"),
}


def check_providers(settings: Settings, notify: NotifySettings) -> None:
    """Refuse to start with a provider chosen but its credentials missing."""
    for provider in (settings.sms_provider, settings.wechat_provider):
        missing = [name.upper() for name in REQUIRED.get(provider, ()) if not getattr(notify, name)]
        if missing:
            raise ValueError(f"{provider} needs {', '.join(missing)}")


def build_sender(worker: Worker, notify: NotifySettings, clock: Clock) -> Sender:
    """The sender with the providers SMS_PROVIDER and WECHAT_PROVIDER name."""
    settings = worker.settings
    check_providers(settings, notify)
    client = default_http_client(notify.notify_http_timeout)
    sms = build_sms_provider(
        settings.sms_provider, client=client, **notify.sms_options(settings.sms_provider)
    )
    wechat = build_wechat_provider(
        settings.wechat_provider, client=client, **notify.wechat_options(settings.wechat_provider)
    )
    return Sender(
        worker.db,
        worker.outbox,
        sms=sms,
        wechat=wechat,
        settings=notify,
        clock=clock,
        http_client=client,
    )


def queue_specs(settings: Settings) -> list[QueueSpec]:
    """Notify's queue: login codes, the unit directory, every ticket and SLA event."""
    return [QueueSpec(settings.broker_name("notify.events"), handlers.BINDINGS)]


def create_app(
    settings: Settings | None = None,
    *,
    notify_settings: NotifySettings | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """The notify ASGI app; tests pass their own provider settings and clock."""
    notify = notify_settings or NotifySettings()

    async def setup(app: FastAPI, worker: Worker) -> None:
        app.state.outbox = worker.outbox = Outbox(outbox, "notify")
        app.state.notify_settings = notify
        app.state.sender = sender = build_sender(worker, notify, clock)
        [spec] = queue_specs(worker.settings)
        consumer = Consumer(
            worker.db,
            spec,
            handlers.bind(sign_name=notify.sms_sign_name, site_url=notify.citizen_site_url),
            processed,
        )
        worker.consumers.append((spec, consumer))
        worker.loops.append(sender.run)

    return create_service_app(
        name="notify", settings=settings or get_settings(), routers=[router], setup=setup
    )
