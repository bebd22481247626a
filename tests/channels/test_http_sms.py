"""The HTTP brandname gateway adapter against the fake gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.channels.base import DeliveryReport, SendStatus, WebhookRejected
from bot.channels.http_sms import HttpSmsAdapter
from tests.channels.support import PHONE, outbound, settings, webhook
from tests.fakes.sms_gateway import SEND_PATH, FakeSmsGateway, signed

SECRET = "gateway-hmac-secret"
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())


def make(fake: FakeSmsGateway, timeout: float = 5.0) -> HttpSmsAdapter:
    config = settings(
        sms_provider="http",
        sms_gateway_url=fake.url + SEND_PATH,
        sms_gateway_api_key=fake.api_key,
        sms_gateway_hmac_secret=SECRET,
        sms_gateway_brandname="UBND-LANGSON",
    )
    return HttpSmsAdapter(config, timeout=timeout, clock=lambda: NOW)


@pytest.fixture
async def gateway(fake_sms_gateway: FakeSmsGateway) -> AsyncIterator[HttpSmsAdapter]:
    adapter = make(fake_sms_gateway)
    yield adapter
    await adapter.aclose()


async def test_sends_the_default_body(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    result = await gateway.send(outbound(f"tel:{PHONE}", "Tien da ve", outbox_id=42, segments=1))
    assert (result.status, result.provider_message_id, result.cost_units) == (
        SendStatus.SENT,
        "42",
        1,
    )
    [request] = fake_sms_gateway.requests
    assert request.headers["authorization"] == "Bearer gateway-key"
    assert request.body == {
        "brandname": "UBND-LANGSON",
        "phone": "84912345678",
        "message": "Tien da ve",
        "request_id": "42",
    }


async def test_throttled_send_honours_retry_after(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    fake_sms_gateway.throttle_next(1, retry_after=30)
    result = await gateway.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.retry_after) == (SendStatus.RETRYABLE, 30.0)


async def test_server_error_is_retryable(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    fake_sms_gateway.fail_next(1, status=500)
    assert (await gateway.send(outbound(f"tel:{PHONE}"))).status is SendStatus.RETRYABLE


async def test_slow_answer_is_a_retryable_timeout(fake_sms_gateway: FakeSmsGateway) -> None:
    adapter = make(fake_sms_gateway, timeout=0.2)
    fake_sms_gateway.delay = 1.0
    result = await adapter.send(outbound(f"tel:{PHONE}"))
    await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "timeout")


async def test_invalid_number_is_unreachable(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    fake_sms_gateway.block(f"tel:{PHONE}")
    result = await gateway.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "invalid_number")


async def test_unknown_code_is_permanent(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    fake_sms_gateway.fail_next(1, status=400, code="template_not_registered")
    result = await gateway.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (
        SendStatus.PERMANENT,
        "gateway_template_not_registered",
    )


async def test_a_request_the_gateway_already_has_counts_as_sent(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    fake_sms_gateway.fail_next(1, status=409, code="duplicate_request")
    result = await gateway.send(outbound(f"tel:{PHONE}", outbox_id=42))
    assert (result.status, result.provider_message_id) == (SendStatus.SENT, "42")


async def test_wrong_key_is_permanent(
    gateway: HttpSmsAdapter, fake_sms_gateway: FakeSmsGateway
) -> None:
    fake_sms_gateway.api_key = "rotated"
    result = await gateway.send(outbound(f"tel:{PHONE}"))
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "unauthorized")


Forge = Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]]
MO = {"id": "mo-1", "phone": "84912345678", "message": "DK 1", "timestamp": STAMP}


def test_genuine_mo_is_accepted_and_parsed(gateway: HttpSmsAdapter) -> None:
    body, headers = signed(SECRET, MO, STAMP - 60)
    request = webhook(body, headers)
    gateway.verify_webhook(request)
    [message] = gateway.parse_inbound(request)
    assert (message.event_id, message.address, message.text) == ("mo-1", f"tel:{PHONE}", "DK 1")
    assert message.received_at == NOW


@pytest.mark.parametrize(
    "forge",
    [
        lambda body, h: (body, {**h, "x-signature": "0" * 64}),  # wrong signature
        lambda body, h: (body.replace(b"DK 1", b"DK 2"), h),  # altered body
        lambda body, h: (body, {**h, "x-timestamp": str(STAMP - 1)}),  # altered timestamp
        lambda body, h: (body, {"x-timestamp": h["x-timestamp"]}),  # no signature
    ],
)
def test_forged_webhooks_are_rejected(gateway: HttpSmsAdapter, forge: Forge) -> None:
    body, headers = forge(*signed(SECRET, MO, STAMP))
    with pytest.raises(WebhookRejected) as caught:
        gateway.verify_webhook(webhook(body, headers))
    assert caught.value.status == 401


def test_stale_webhook_is_rejected(gateway: HttpSmsAdapter) -> None:
    with pytest.raises(WebhookRejected) as caught:
        gateway.verify_webhook(webhook(*signed(SECRET, MO, STAMP - 301)))
    assert caught.value.status == 401


def test_malformed_mo_is_a_bad_request(gateway: HttpSmsAdapter) -> None:
    for body in (b"[]", b'{"id": "x", "phone": "12", "message": "hi"}'):
        with pytest.raises(WebhookRejected) as caught:
            gateway.parse_inbound(webhook(body))
        assert caught.value.status == 400


@pytest.mark.parametrize(
    ("dlr", "expected"),
    [
        ({"status": "delivered"}, [DeliveryReport("sms", "42", "delivered")]),
        (
            {"status": "failed", "error": "invalid_phone"},
            [DeliveryReport("sms", "42", "unreachable", reason="invalid_phone")],
        ),
        (
            {"status": "failed", "error": "expired"},
            [DeliveryReport("sms", "42", "failed", reason="expired")],
        ),
        ({"status": "queued"}, []),
    ],
)
def test_parses_delivery_reports(
    gateway: HttpSmsAdapter, dlr: dict[str, str], expected: list[DeliveryReport]
) -> None:
    body, headers = signed(SECRET, {"request_id": "42", **dlr}, STAMP)
    request = webhook(body, headers)
    gateway.verify_webhook(request)
    assert gateway.parse_delivery_reports(request) == expected
