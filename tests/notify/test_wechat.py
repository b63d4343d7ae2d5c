"""The WeChat subscribe-message provider against the local fake WeChat API, over real HTTP."""

import asyncio

import httpx
import pytest

from services.notify.fake_providers import FakeProviders
from services.notify.providers import (
    PermanentProviderError,
    TransientProviderError,
    WechatMessage,
    WechatSubscribeProvider,
)
from services.notify.templates import default_template, render_wechat

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
WX = WechatMessage(
    OPENID,
    "tpl-progress",
    {"character_string1": "WS20250305000123", "phrase2": "已受理", "thing5": "我们将尽快办理"},
    page="pages/ticket/detail?number=WS20250305000123",
)


@pytest.fixture(scope="module")
async def server():
    async with FakeProviders() as running:
        yield running


@pytest.fixture
def fake(server):
    server.reset()
    return server


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=5.0) as shared:
        yield shared


def wechat(fake, client, **overrides):
    settings = {"appid": fake.wechat_appid, "secret": fake.wechat_secret}
    return WechatSubscribeProvider(client, base_url=fake.base_url, **{**settings, **overrides})


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_wechat_sends_a_subscribe_message(fake, client):
    result = await wechat(fake, client).send(WX)

    [sent] = fake.messages("wechat")
    assert result.provider_message_id == sent.message_id
    assert (sent.to, sent.template, sent.page) == (OPENID, "tpl-progress", WX.page)
    assert sent.params == dict(WX.data)


async def test_wechat_accepts_a_rendered_default_template(fake, client):
    event = {
        "ticket_number": "WS20250305000123",
        "summary": "东风路小区门口垃圾长期堆放无人清运，夏季气味难闻",
        "occurred_at": "2025-03-05T01:02:00+00:00",
    }
    rendered = render_wechat(default_template("ticket.accepted", "citizen", "wechat"), event)

    await wechat(fake, client).send(rendered.message(OPENID))

    [sent] = fake.messages("wechat")
    assert sent.page == "pages/ticket/detail?number=WS20250305000123"
    assert sent.params["thing3"].endswith("…") and sent.params["time4"] == "2025年3月5日 09:02"


async def test_wechat_with_a_wrong_secret_cannot_get_a_token(fake, client):
    with pytest.raises(PermanentProviderError) as caught:
        await wechat(fake, client, secret="not-the-secret").send(WX)

    assert caught.value.code == "40125"
    assert fake.sent == []


@pytest.mark.parametrize("stable_token", [True, False])
async def test_wechat_reuses_its_token_across_sends(fake, client, stable_token):
    provider = wechat(fake, client, stable_token=stable_token)

    for _ in range(3):
        await provider.send(WX)

    assert fake.token_fetches == 1
    assert len(fake.messages("wechat")) == 3


async def test_wechat_refreshes_the_token_before_it_expires(fake, client):
    clock = Clock()
    provider = wechat(fake, client, clock=clock, refresh_margin=300)
    await provider.send(WX)

    clock.now += fake.token_ttl - 301
    await provider.send(WX)
    fetches_before_margin = fake.token_fetches
    clock.now += 2
    await provider.send(WX)

    assert (fetches_before_margin, fake.token_fetches) == (1, 2)


@pytest.mark.parametrize("invalidate", ["revoke_token", "expire_token"])
async def test_wechat_refreshes_once_when_the_token_is_rejected(fake, client, invalidate):
    provider = wechat(fake, client)
    await provider.send(WX)
    getattr(fake, invalidate)()

    await provider.send(WX)

    assert fake.token_fetches == 2
    assert len(fake.messages("wechat")) == 2


async def test_wechat_rejected_twice_in_a_row_is_transient(fake, client):
    provider = wechat(fake, client)
    fake.fail_next("wechat", 40001, times=2)

    with pytest.raises(TransientProviderError) as caught:
        await provider.send(WX)

    assert caught.value.code == "40001" and fake.token_fetches == 2


async def test_wechat_fetches_one_token_for_twenty_concurrent_sends(fake, client):
    provider = wechat(fake, client)

    await asyncio.gather(*(provider.send(WX) for _ in range(20)))

    assert fake.token_fetches == 1
    assert len(fake.messages("wechat")) == 20


async def test_wechat_concurrent_rejections_refresh_the_token_once(fake, client):
    provider = wechat(fake, client)
    await provider.send(WX)
    fake.revoke_token()

    await asyncio.gather(*(provider.send(WX) for _ in range(10)))

    assert fake.token_fetches == 2
    assert len(fake.messages("wechat")) == 11


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (43101, PermanentProviderError),
        (40003, PermanentProviderError),
        (47003, PermanentProviderError),
        (-1, TransientProviderError),
        (45009, TransientProviderError),
    ],
)
async def test_wechat_classifies_error_codes(fake, client, code, error):
    fake.fail_next("wechat", code)

    with pytest.raises(error) as caught:
        await wechat(fake, client).send(WX)

    assert caught.value.code == str(code) and type(caught.value) is error


async def test_wechat_refuses_an_unknown_openid_format(fake, client):
    with pytest.raises(PermanentProviderError) as caught:
        await wechat(fake, client).send(WechatMessage("nobody", "tpl", {"thing1": "x"}))

    assert caught.value.code == "40003"


async def test_wechat_http_503_is_transient(fake, client):
    fake.fail_http("wechat", 503)

    with pytest.raises(TransientProviderError) as caught:
        await wechat(fake, client).send(WX)

    assert caught.value.code == "HTTP_503"
