"""The Twilio SMS adapter: Twilio's own client against the fake Twilio REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.base import DeliveryReport, SendStatus, WebhookRejected
from bot.channels.twilio_sms import TwilioSmsAdapter
from tests.channels.support import PHONE, outbound, settings, webhook
from tests.fakes.twilio import FakeTwilio

PUBLIC = "https://ansinh.example.vn"
STATUS_URL = PUBLIC + "/webhooks/twilio/status"


def make(fake: FakeTwilio, timeout: float = 5.0) -> TwilioSmsAdapter:
    return TwilioSmsAdapter(
        settings(
            sms_provider="twilio",
            twilio_account_sid=fake.account_sid,
            twilio_auth_token=fake.auth_token,
            twilio_from="ANSINH",
            twilio_api_url=fake.url,
            public_url=PUBLIC,
        ),
        timeout=timeout,
    )


@pytest.fixture
async def twilio(fake_twilio: FakeTwilio) -> AsyncIterator[TwilioSmsAdapter]:
    adapter = make(fake_twilio)
    yield adapter
    await adapter.aclose()


async def test_sends_through_the_twilio_client(
    twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio
) -> None:
    result = await twilio.send(outbound(f"tel:{PHONE}", "Tien tro cap da ve", segments=2))
    assert result.status is SendStatus.SENT
    assert result.provider_message_id == f"SM{1:032x}"
    assert result.cost_units == 2
    [request] = fake_twilio.sent("/Messages.json")
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert request.body == {
        "To": PHONE,
        "From": "ANSINH",
        "Body": "Tien tro cap da ve",
        "StatusCallback": STATUS_URL,
    }


async def test_too_many_requests_is_retryable(
    twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.throttle_next(1, retry_after=4)
    result = await twilio.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.retry_after, result.reason) == (
        SendStatus.RETRYABLE,
        4.0,
        "rate_limited",
    )


async def test_server_error_is_retryable(twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(1, status=503)
    result = await twilio.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "http_503")


async def test_slow_answer_is_a_retryable_timeout(fake_twilio: FakeTwilio) -> None:
    adapter = make(fake_twilio, timeout=0.2)
    fake_twilio.delay = 1.0
    result = await adapter.send(outbound(f"tel:{PHONE}"))
    await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "timeout")


async def test_invalid_number_is_unreachable(
    twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.block(f"tel:{PHONE}")
    result = await twilio.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "invalid_number")


@pytest.mark.parametrize(("code", "reason"), [(21614, "not_mobile"), (21610, "opted_out")])
async def test_unreachable_codes(
    twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio, code: int, reason: str
) -> None:
    fake_twilio.fail_next(1, status=400, code=code)
    result = await twilio.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, reason)


async def test_other_errors_are_permanent(
    twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.fail_next(1, status=400, code=21408)  # region not enabled
    result = await twilio.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "twilio_21408")


async def test_wrong_credentials_are_permanent(
    twilio: TwilioSmsAdapter, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.auth_token = "rotated-at-twilio"
    result = await twilio.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "twilio_20003")


def _signed(params: dict[str, str], url: str = STATUS_URL, token: str = "twilio-token") -> str:
    return RequestValidator(token).compute_signature(url, params)


STATUS = {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": "AC1"}


def test_genuine_signature_is_accepted(twilio: TwilioSmsAdapter) -> None:
    # The request reached us on an internal address; the signature covers the public URL.
    request = webhook(
        urlencode(STATUS).encode(),
        {"X-Twilio-Signature": _signed(STATUS)},
        url="http://10.0.0.5:8000/webhooks/twilio/status",
    )
    twilio.verify_webhook(request)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Twilio-Signature": _signed(STATUS, token="someone-else")},
        {"X-Twilio-Signature": _signed({**STATUS, "MessageStatus": "failed"})},
        {"X-Twilio-Signature": _signed(STATUS, url=PUBLIC + "/other")},
        {},
    ],
)
def test_forged_signature_is_rejected(twilio: TwilioSmsAdapter, headers: dict[str, str]) -> None:
    request = webhook(b"", headers, url=STATUS_URL, form=STATUS)
    with pytest.raises(WebhookRejected) as caught:
        twilio.verify_webhook(request)
    assert caught.value.status == 401


def test_parses_an_inbound_sms(twilio: TwilioSmsAdapter) -> None:
    form = {"MessageSid": "SMin1", "From": PHONE, "To": "+15005550006", "Body": "SO DU"}
    [message] = twilio.parse_inbound(webhook(form=form))
    assert (message.channel, message.event_id, message.address, message.text) == (
        "sms",
        "SMin1",
        f"tel:{PHONE}",
        "SO DU",
    )


def test_inbound_without_sender_is_rejected(twilio: TwilioSmsAdapter) -> None:
    with pytest.raises(WebhookRejected) as caught:
        twilio.parse_inbound(webhook(form={"MessageSid": "SM1", "Body": "x"}))
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"MessageStatus": "delivered"}, [DeliveryReport("sms", "SM9", "delivered")]),
        ({"MessageStatus": "sent"}, [DeliveryReport("sms", "SM9", "sent")]),
        ({"MessageStatus": "sending"}, []),
        (
            {"MessageStatus": "undelivered", "ErrorCode": "30003"},
            [DeliveryReport("sms", "SM9", "unreachable", reason="unreachable_handset")],
        ),
        (
            {"MessageStatus": "failed", "ErrorCode": "30007"},
            [DeliveryReport("sms", "SM9", "failed", reason="twilio_30007")],
        ),
    ],
)
def test_parses_status_callbacks(
    twilio: TwilioSmsAdapter, form: dict[str, str], expected: list[DeliveryReport]
) -> None:
    assert twilio.parse_delivery_reports(webhook(form={"MessageSid": "SM9", **form})) == expected
