"""POST /webhooks/telegram: the secret header, dedup by update_id, limits, replies delivered."""

from __future__ import annotations

import json
import logging

import pytest

from tests.api.support import TELEGRAM_SECRET, running_app, telegram_settings
from tests.conftest import Database
from tests.fakes.telegram import FakeTelegram, text_update

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


async def test_update_with_the_secret_is_answered_through_the_bot_api(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        response = await app.client.post(
            "/webhooks/telegram", json=text_update(1, 555, "/start"), headers=HEADERS
        )
        assert response.status_code == 200
        assert await app.inbound_events() == 1
        assert fake_telegram.messages_sent() == []  # nothing leaves before the dispatcher runs
        assert await app.dispatch() >= 1
    sent = fake_telegram.messages_sent()
    assert sent and all(str(m["chat_id"]) == "555" for m in sent)
    assert sent[0]["parse_mode"] == "HTML"
    assert sent[0]["text"]


async def test_wrong_or_missing_secret_is_refused_and_changes_nothing(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="api.webhooks.handling")
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "guess"}, {}):
            response = await app.client.post(
                "/webhooks/telegram", json=text_update(1, 555, "/start"), headers=headers
            )
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 401
        assert await app.inbound_events() == 0
        assert await app.outbox() == []
    refusals = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert refusals == ["telegram webhook rejected (401): wrong or missing secret header"] * 2


async def test_the_same_update_twice_is_processed_once(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        update = text_update(7, 555, "/start")
        first = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
        replies = len(await app.outbox())
        second = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
        assert first.status_code == second.status_code == 200
        assert await app.inbound_events() == 1
        assert len(await app.outbox()) == replies > 0


async def test_malformed_update_is_a_bad_request(db: Database, fake_telegram: FakeTelegram) -> None:
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        for body in (b"not json", b"[1, 2]", json.dumps({"update_id": "x", "message": 5}).encode()):
            response = await app.client.post(
                "/webhooks/telegram",
                content=body,
                headers={**HEADERS, "content-type": "application/json"},
            )
            assert response.status_code == 400, body
        assert await app.inbound_events() == 0


async def test_updates_without_a_message_are_acknowledged(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        response = await app.client.post(
            "/webhooks/telegram", json={"update_id": 9, "poll": None}, headers=HEADERS
        )
        assert response.status_code == 200
        assert await app.outbox() == []


async def test_long_and_emoji_messages_go_through(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    texts = ["Tôi muốn hỏi " * 385, "👵🏻🏧 ở đâu? 🙏❤️‍🔥"]  # 5,005 characters; emoji sequences
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        for update_id, text in enumerate(texts, 1):
            update = text_update(update_id, 555, text)
            response = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
            assert response.status_code == 200
        assert await app.inbound_events() == 2
        await app.dispatch()
    assert len(fake_telegram.messages_sent()) >= 2


async def test_oversized_body_is_refused_before_it_is_read(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    big = text_update(1, 555, "x" * 70_000)
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        response = await app.client.post("/webhooks/telegram", json=big, headers=HEADERS)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

        async def chunks():  # no Content-Length: counted while streaming
            for _ in range(20):
                yield b"x" * 8192

        streamed = await app.client.post("/webhooks/telegram", content=chunks(), headers=HEADERS)
        assert streamed.status_code == 413
        assert await app.inbound_events() == 0


async def test_unconfigured_provider_answers_404(db: Database) -> None:
    async with running_app(db) as app:  # sandbox, no Telegram token
        response = await app.client.post("/webhooks/telegram", json=text_update(1, 5, "hi"))
        assert response.status_code == 404
        assert response.json()["status"] == 404


async def test_sandbox_mode_still_verifies_a_configured_provider(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    settings = {**telegram_settings(fake_telegram), "sandbox": True}
    async with running_app(db, **settings) as app:
        forged = await app.client.post("/webhooks/telegram", json=text_update(1, 5, "hi"))
        assert forged.status_code == 401
        genuine = await app.client.post(
            "/webhooks/telegram", json=text_update(1, 5, "hi"), headers=HEADERS
        )
        assert genuine.status_code == 200
        await app.dispatch()
        inbox = await app.sandbox_rows()  # sandbox mode: the reply lands in the local inbox
    assert [row.address for row in inbox] and inbox[-1].address == "telegram:5"
    assert fake_telegram.messages_sent() == []
