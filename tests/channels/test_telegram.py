"""The Telegram adapter, with python-telegram-bot talking to the fake Bot API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.base import InboundMessage, SendStatus, WebhookRejected
from bot.channels.telegram import TelegramAdapter
from messages.render import Choice
from tests.channels.support import choices, outbound, settings, webhook
from tests.fakes.telegram import (
    FakeTelegram,
    contact_update,
    location_update,
    text_update,
)

SECRET = "webhook-secret-0123"


def make(fake: FakeTelegram, timeout: float = 5.0, **overrides: Any) -> TelegramAdapter:
    values: dict[str, Any] = {
        "telegram_token": fake.token,
        "telegram_api_url": fake.url + "/bot",
        "telegram_webhook_secret": SECRET,
    }
    values.update(overrides)
    return TelegramAdapter(settings(**values), timeout=timeout)


@pytest.fixture
async def telegram(fake_telegram: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    adapter = make(fake_telegram)
    yield adapter
    await adapter.aclose()


async def test_sends_html_with_a_keyboard(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    rendered: dict[str, Any] = {
        "choices": (*choices("Tài khoản ngân hàng", "Tiền mặt"), Choice("Gửi số", "share_contact")),
        "parse_mode": "HTML",
        "request_contact": True,
        "request_location": True,
    }
    result = await telegram.send(outbound("telegram:4242", "<b>Chọn</b>", **rendered))
    assert result.status is SendStatus.SENT
    assert result.provider_message_id == "4242:1"
    sent = fake_telegram.messages_sent()[0]
    assert (sent["chat_id"], sent["text"], sent["parse_mode"]) == ("4242", "<b>Chọn</b>", "HTML")
    rows = sent["reply_markup"]["keyboard"]
    assert [row[0]["text"] for row in rows] == ["Tài khoản ngân hàng", "Tiền mặt", "Gửi số", "📍"]
    assert rows[2][0]["request_contact"] is True
    assert rows[3][0]["request_location"] is True
    assert "request_contact" not in rows[0][0]


async def test_plain_message_has_no_keyboard(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    assert (await telegram.send(outbound("telegram:1"))).status is SendStatus.SENT
    assert "reply_markup" not in fake_telegram.messages_sent()[0]
    assert len(fake_telegram.sent("/getMe")) == 1  # initialized once


async def test_flood_control_is_retryable_after_the_given_seconds(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.throttle_next(1, retry_after=7)
    result = await telegram.send(outbound("telegram:1"))
    assert (result.status, result.retry_after, result.reason) == (
        SendStatus.RETRYABLE,
        7.0,
        "rate_limited",
    )


async def test_server_error_is_retryable(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next(1, status=502)
    assert (await telegram.send(outbound("telegram:1"))).status is SendStatus.RETRYABLE
    assert (await telegram.send(outbound("telegram:1"))).status is SendStatus.SENT


async def test_slow_answer_is_a_retryable_timeout(fake_telegram: FakeTelegram) -> None:
    adapter = make(fake_telegram, timeout=0.2)
    await adapter.bot.initialize()  # getMe is quick; only sendMessage is slow
    fake_telegram.delay = 1.0
    try:
        result = await adapter.send(outbound("telegram:1"))
    finally:
        await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "timeout")


async def test_blocked_bot_is_unreachable(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.block("telegram:99")
    result = await telegram.send(outbound("telegram:99"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "blocked")


async def test_deactivated_user_is_unreachable(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next(1, status=403, description="Forbidden: user is deactivated")
    result = await telegram.send(outbound("telegram:5"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "blocked")


async def test_unknown_chat_is_unreachable(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next(1, status=400, description="Bad Request: chat not found")
    result = await telegram.send(outbound("telegram:5"))
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "chat_not_found")


async def test_other_bad_request_is_permanent(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next(1, status=400, description="Bad Request: can't parse entities")
    result = await telegram.send(outbound("telegram:5"))
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "bad_request")


async def test_wrong_token_is_permanent(fake_telegram: FakeTelegram) -> None:
    adapter = make(fake_telegram, telegram_token="999:wrong")
    try:
        result = await adapter.send(outbound("telegram:5"))
    finally:
        await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "unauthorized")


async def test_non_telegram_address_is_permanent(telegram: TelegramAdapter) -> None:
    result = await telegram.send(outbound("tel:+84912345678"))
    assert (result.status, result.reason) == (SendStatus.PERMANENT, "bad_address")


async def test_set_webhook_through_the_bot(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    await telegram.bot.initialize()
    assert await telegram.bot.set_webhook("https://ansinh.example.vn/tg", secret_token=SECRET)
    assert fake_telegram.webhook == {"url": "https://ansinh.example.vn/tg", "secret_token": SECRET}


async def test_polling_through_the_bot(
    telegram: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.updates = [text_update(601, 4242, "Chào")]
    await telegram.bot.initialize()
    assert await telegram.bot.delete_webhook()
    [update] = await telegram.bot.get_updates()
    assert update.update_id == 601 and update.message is not None
    assert update.message.text == "Chào"


def test_webhook_secret_header(telegram: TelegramAdapter) -> None:
    telegram.verify_webhook(webhook(b"{}", {"X-Telegram-Bot-Api-Secret-Token": SECRET}))
    for headers in ({"X-Telegram-Bot-Api-Secret-Token": "forged"}, {}):
        with pytest.raises(WebhookRejected) as caught:
            telegram.verify_webhook(webhook(b"{}", headers))
        assert caught.value.status == 401


async def test_webhook_without_configured_secret_is_refused(fake_telegram: FakeTelegram) -> None:
    adapter = make(fake_telegram, telegram_webhook_secret=None)
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(webhook(b"{}", {"X-Telegram-Bot-Api-Secret-Token": ""}))
    await adapter.aclose()


def _parse(adapter: TelegramAdapter, update: object) -> list[InboundMessage]:
    return adapter.parse_inbound(webhook(json.dumps(update).encode()))


def test_parses_text(telegram: TelegramAdapter) -> None:
    [message] = _parse(telegram, text_update(501, 4242, "Chào"))
    assert (message.channel, message.event_id, message.address) == (
        "telegram",
        "501",
        "telegram:4242",
    )
    assert message.text == "Chào"
    assert message.display_name == "Nguyễn Thị Lan"
    assert message.received_at is not None and message.received_at.tzinfo is not None


def test_parses_the_senders_own_phone(telegram: TelegramAdapter) -> None:
    [own] = _parse(telegram, contact_update(502, 4242, "84912345678", user_id=4242))
    [other] = _parse(telegram, contact_update(503, 4242, "+84987654321", user_id=77))
    assert own.shared_phone == "+84912345678"
    assert other.shared_phone is None  # a forwarded contact card is not the sender's number


def test_parses_location(telegram: TelegramAdapter) -> None:
    [message] = _parse(telegram, location_update(504, 4242, 21.8537, 106.7615))
    assert message.location == pytest.approx((21.8537, 106.7615))


def test_other_updates_carry_no_message(telegram: TelegramAdapter) -> None:
    assert _parse(telegram, {"update_id": 505, "poll": None}) == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"message": {}}'])
def test_malformed_update_is_rejected(telegram: TelegramAdapter, body: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        telegram.parse_inbound(webhook(body))
    assert caught.value.status == 400
