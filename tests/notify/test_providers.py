"""SMS providers against the local fake of Aliyun and Tencent, over real HTTP."""

import httpx
import pytest
from structlog.testing import capture_logs

from services.notify.fake_providers import FakeProviders
from services.notify.providers import (
    AliyunSmsProvider,
    ConsoleSmsProvider,
    PermanentProviderError,
    SmsMessage,
    TencentSmsProvider,
    TransientProviderError,
    build_sms_provider,
    build_wechat_provider,
)
from services.notify.providers.aliyun import sign_rpc, string_to_sign
from services.notify.providers.tencent import tc3_signature
from services.notify.templates import default_template, render_sms

SMS = SmsMessage("13812341234", "SMS_123456", {"number": "WS20250305000123"}, "文山接诉即办")


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


def aliyun(fake, client, **overrides):
    settings = {"access_key_id": fake.aliyun_key_id, "access_key_secret": fake.aliyun_secret}
    return AliyunSmsProvider(client, base_url=fake.base_url, **{**settings, **overrides})


def tencent(fake, client, **overrides):
    settings = {
        "secret_id": fake.tencent_secret_id,
        "secret_key": fake.tencent_secret_key,
        "sdk_app_id": fake.tencent_sdk_app_id,
    }
    return TencentSmsProvider(client, base_url=fake.base_url, **{**settings, **overrides})


# Signing, against the vectors the providers publish in their documentation.


def test_aliyun_signature_matches_the_documented_example():
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }

    assert string_to_sign(params).endswith("%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")  # fmt: skip
    assert sign_rpc(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_tencent_signature_matches_the_documented_example():
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'  # fmt: skip

    signature = tc3_signature(
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        host="cvm.tencentcloudapi.com",
        payload=payload,
        timestamp=1551113065,
    )

    assert signature == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


# Aliyun


async def test_aliyun_sends_a_signed_request_the_fake_accepts(fake, client):
    result = await aliyun(fake, client).send(SMS)

    [sent] = fake.messages("aliyun")
    assert result.provider_message_id == sent.message_id
    assert (sent.to, sent.template, sent.sign_name) == ("13812341234", "SMS_123456", "文山接诉即办")
    assert sent.params == {"number": "WS20250305000123"}


async def test_aliyun_maps_our_template_key_to_the_account_code(fake, client):
    provider = aliyun(fake, client, template_codes={"SMS_TICKET_ACCEPTED": "SMS_465391234"})
    rendered = render_sms(
        default_template("ticket.accepted", "citizen", "sms"), {"ticket_number": "WS1"}
    )

    await provider.send(rendered.message("+8613812341234"))

    [sent] = fake.messages("aliyun")
    assert (sent.to, sent.template, sent.params) == (
        "13812341234",
        "SMS_465391234",
        {"number": "WS1"},
    )


async def test_aliyun_accepts_default_templates_with_long_event_text(fake, client):
    event = {
        "ticket_number": "WS20250305000123",
        "reason": "该事项已进入司法诉讼程序，依规不予受理，请通过法律途径解决",
    }
    rendered = render_sms(default_template("ticket.rejected", "citizen", "sms"), event)

    await aliyun(fake, client).send(rendered.message("13812341234"))

    [sent] = fake.messages("aliyun")
    assert sent.params == rendered.params and sent.params["reason"].endswith("…")


async def test_aliyun_with_a_wrong_secret_gets_signature_error(fake, client):
    with pytest.raises(PermanentProviderError) as caught:
        await aliyun(fake, client, access_key_secret="not-the-secret").send(SMS)

    assert (caught.value.provider, caught.value.code) == ("aliyun", "SignatureDoesNotMatch")
    assert fake.sent == []


async def test_aliyun_refuses_an_invalid_phone_number(fake, client):
    with pytest.raises(PermanentProviderError) as caught:
        await aliyun(fake, client).send(SmsMessage("1381234", "SMS_1", {}, "文山接诉即办"))

    assert caught.value.code == "isv.MOBILE_NUMBER_ILLEGAL"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("isv.MOBILE_NUMBER_ILLEGAL", PermanentProviderError),
        ("isv.SMS_TEMPLATE_ILLEGAL", PermanentProviderError),
        ("isv.SMS_SIGNATURE_ILLEGAL", PermanentProviderError),
        ("SignatureDoesNotMatch", PermanentProviderError),
        ("InvalidAccessKeyId.NotFound", PermanentProviderError),
        ("isv.BUSINESS_LIMIT_CONTROL", TransientProviderError),
        ("Throttling.User", TransientProviderError),
        ("isp.SYSTEM_ERROR", TransientProviderError),
    ],
)
async def test_aliyun_classifies_error_codes(fake, client, code, error):
    fake.fail_next("aliyun", code)

    with pytest.raises(error) as caught:
        await aliyun(fake, client).send(SMS)

    assert caught.value.code == code and type(caught.value) is error


async def test_aliyun_http_500_is_transient_and_the_retry_succeeds(fake, client):
    provider = aliyun(fake, client)
    fake.fail_http("aliyun", 500)

    with pytest.raises(TransientProviderError) as caught:
        await provider.send(SMS)
    result = await provider.send(SMS)

    assert caught.value.code == "HTTP_500"
    assert [m.message_id for m in fake.messages("aliyun")] == [result.provider_message_id]


async def test_aliyun_timeout_is_transient(fake):
    fake.hang_next("aliyun")

    async with httpx.AsyncClient(timeout=0.2) as impatient:
        with pytest.raises(TransientProviderError) as caught:
            await aliyun(fake, impatient).send(SMS)

    assert caught.value.code == "timeout"


# Tencent


async def test_tencent_sends_a_signed_request_the_fake_accepts(fake, client):
    message = SmsMessage("13812341234", "2233445", {"number": "WS1", "deadline": "3月10日17:30"}, "文山接诉即办")  # fmt: skip

    result = await tencent(fake, client).send(message)

    [sent] = fake.messages("tencent")
    assert result.provider_message_id == sent.message_id
    assert (sent.to, sent.template, sent.sign_name) == ("+8613812341234", "2233445", "文山接诉即办")
    assert sent.params == ["WS1", "3月10日17:30"]


async def test_tencent_with_a_wrong_secret_gets_signature_error(fake, client):
    with pytest.raises(PermanentProviderError) as caught:
        await tencent(fake, client, secret_key="not-the-key").send(SMS)

    assert (caught.value.provider, caught.value.code) == ("tencent", "AuthFailure.SignatureFailure")
    assert fake.sent == []


async def test_tencent_reports_a_bad_number_per_number(fake, client):
    with pytest.raises(PermanentProviderError) as caught:
        await tencent(fake, client).send(SmsMessage("+861234", "1", {}, "文山接诉即办"))

    assert caught.value.code == "InvalidParameterValue.IncorrectPhoneNumber"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("FailedOperation.TemplateIncorrectOrUnapproved", PermanentProviderError),
        ("FailedOperation.SignatureIncorrectOrUnapproved", PermanentProviderError),
        ("InvalidParameterValue.IncorrectPhoneNumber", PermanentProviderError),
        ("AuthFailure.SecretIdNotFound", PermanentProviderError),
        ("InternalError.SigVerificationFail", PermanentProviderError),
        ("LimitExceeded.PhoneNumberDailyLimit", TransientProviderError),
        ("LimitExceeded.DeliveryFrequencyLimit", TransientProviderError),
        ("InternalError.Timeout", TransientProviderError),
        ("InternalError", TransientProviderError),
        ("RequestLimitExceeded", TransientProviderError),
    ],
)
async def test_tencent_classifies_error_codes(fake, client, code, error):
    fake.fail_next("tencent", code)

    with pytest.raises(error) as caught:
        await tencent(fake, client).send(SMS)

    assert caught.value.code == code and type(caught.value) is error


async def test_tencent_http_502_is_transient(fake, client):
    fake.fail_http("tencent", 502)

    with pytest.raises(TransientProviderError):
        await tencent(fake, client).send(SMS)


# Console and the factory


async def test_console_logs_the_message_with_the_phone_masked():
    message = SmsMessage("13812341234", "SMS_AUTH_CODE", {"code": "482913"}, "文山接诉即办", "验证码482913")  # fmt: skip

    with capture_logs() as logs:
        result = await ConsoleSmsProvider().send(message)

    [entry] = logs
    assert entry["phone"] == "138****1234" and "13812341234" not in str(entry)
    assert entry["text"] == "验证码482913"
    assert entry["provider_message_id"] == result.provider_message_id


async def test_factory_builds_each_provider_by_name(fake, client):
    settings = {"access_key_id": fake.aliyun_key_id, "access_key_secret": fake.aliyun_secret}
    provider = build_sms_provider("aliyun", client=client, base_url=fake.base_url, **settings)

    await provider.send(SMS)

    assert isinstance(build_sms_provider("console"), ConsoleSmsProvider)
    assert build_wechat_provider("console").name == "console"
    assert len(fake.messages("aliyun")) == 1


def test_factory_refuses_unknown_names_and_missing_clients():
    with pytest.raises(ValueError, match="unknown SMS provider"):
        build_sms_provider("twilio")
    with pytest.raises(ValueError, match="httpx.AsyncClient"):
        build_sms_provider("tencent", secret_id="x", secret_key="y", sdk_app_id="1")
