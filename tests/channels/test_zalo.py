"""The Zalo Bot adapter against the fake Zalo Bot API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.channels.base import SendStatus, WebhookRejected
from bot.channels.zalo import ZaloBotAdapter
from tests.channels.support import outbound, settings, webhook
from tests.fakes.zalo import FakeZaloBot, text_event

SECRET = "zalo-webhook-secret"


def make(fake: FakeZaloBot, timeout: float = 5.0) -> ZaloBotAdapter:
    return ZaloBotAdapter(
        settings(
            zalo_bot_token=fake.token,
            zalo_bot_api_url=fake.url,
            zalo_bot_webhook_secret=SECRET,
        ),
        timeout=timeout,
    )


@pytest.fixture
async def zalo(fake_zalo: FakeZaloBot) -> AsyncIterator[ZaloBotAdapter]:
    adapter = make(fake_zalo)
    yield adapter
    await adapter.aclose()


async def test_sends_plain_text(zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot) -> None:
    result = await zalo.send(outbound("zalo:abc123", "Chọn:\n1. Ngân hàng\n2. Tiền mặt"))
    assert (result.status, result.provider_message_id) == (SendStatus.SENT, "zm1")
    [request] = fake_zalo.sent("/sendMessage")
    assert request.path == f"/bot{fake_zalo.token}/sendMessage"
    assert request.body == {"chat_id": "abc123", "text": "Chọn:\n1. Ngân hàng\n2. Tiền mặt"}


async def test_throttled_send_honours_retry_after(
    zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot
) -> None:
    fake_zalo.throttle_next(1, retry_after=12)
    result = await zalo.send(outbound("zalo:abc"))
    assert (result.status, result.retry_after) == (SendStatus.RETRYABLE, 12.0)


async def test_server_error_is_retryable(zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot) -> None:
    fake_zalo.fail_next(1, status=500)
    result = await zalo.send(outbound("zalo:abc"))
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "http_500")


async def test_slow_answer_is_a_retryable_timeout(fake_zalo: FakeZaloBot) -> None:
    adapter = make(fake_zalo, timeout=0.2)
    fake_zalo.delay = 1.0
    result = await adapter.send(outbound("zalo:abc"))
    await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "timeout")


async def test_blocked_user_is_unreachable(zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot) -> None:
    fake_zalo.block("zalo:abc")
    result = await zalo.send(outbound("zalo:abc"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "blocked")


async def test_unknown_user_is_unreachable(zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot) -> None:
    fake_zalo.fail_next(1, status=400, description="User not found")
    result = await zalo.send(outbound("zalo:abc"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "not_found")


async def test_bad_request_is_permanent(zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot) -> None:
    fake_zalo.fail_next(1, status=400, description="Text is too long")
    result = await zalo.send(outbound("zalo:abc"))
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "zalo_400")


async def test_sets_the_webhook(zalo: ZaloBotAdapter, fake_zalo: FakeZaloBot) -> None:
    response = await zalo.call("setWebhook", {"url": "https://x.vn/zalo", "secret_token": SECRET})
    assert response.json()["ok"] is True
    assert fake_zalo.webhook == {"url": "https://x.vn/zalo", "secret_token": SECRET}


def test_webhook_secret_header(zalo: ZaloBotAdapter) -> None:
    zalo.verify_webhook(webhook(b"{}", {"X-Bot-Api-Secret-Token": SECRET}))
    for headers in ({"X-Bot-Api-Secret-Token": "guess"}, {}):
        with pytest.raises(WebhookRejected) as caught:
            zalo.verify_webhook(webhook(b"{}", headers))
        assert caught.value.status == 401


def test_parses_a_text_event_bare_or_wrapped(zalo: ZaloBotAdapter) -> None:
    event = text_event("u-77", "Xin chào", "m-9")
    for body in (event, {"ok": True, "result": event}):
        [message] = zalo.parse_inbound(webhook(json.dumps(body).encode()))
        assert (message.event_id, message.address, message.text) == ("m-9", "zalo:u-77", "Xin chào")
        assert message.display_name == "Lan"
        assert message.received_at is not None and message.received_at.year == 2025


def test_other_message_kinds_have_no_text(zalo: ZaloBotAdapter) -> None:
    event = text_event("u-77", "ignored")
    event["event_name"] = "message.sticker.received"
    [message] = zalo.parse_inbound(webhook(json.dumps(event).encode()))
    assert message.text is None
    assert zalo.parse_inbound(webhook(b'{"event_name": "oa.follow"}')) == []


@pytest.mark.parametrize(
    "body", [b"<xml/>", b'{"event_name": "message.text.received", "message": {"text": "x"}}']
)
def test_malformed_event_is_rejected(zalo: ZaloBotAdapter, body: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        zalo.parse_inbound(webhook(body))
    assert caught.value.status == 400
