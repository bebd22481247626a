"""A web process whose every database connection is taken (an overload): webhooks are answered
503 with Retry-After, keep nothing, and the provider's retry is taken in once."""

from __future__ import annotations

from models.db import make_engine, make_sessionmaker
from tests.api.support import TELEGRAM_SECRET, running_app, telegram_settings
from tests.conftest import Database
from tests.fakes.telegram import FakeTelegram, text_update

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


async def test_no_free_connection_answers_503_and_the_retry_is_taken_in_once(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with running_app(db, **telegram_settings(fake_telegram)) as app:
        # the process's pool, made as small as can be: one connection, a short wait for it
        engine = make_engine(app.settings, pool_size=1, max_overflow=0, pool_timeout=0.2)
        app.app.state.sessions = make_sessionmaker(engine)
        update = text_update(90, 557, "/start")
        try:
            async with engine.connect():  # held by another request
                refused = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
            assert refused.status_code == 503
            assert refused.json()["title"].startswith("The database is busy")
            assert int(refused.headers["retry-after"]) > 0
            assert await app.inbound_events() == 0
            for _ in range(2):
                again = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
                assert again.status_code == 200
            assert await app.inbound_events() == 1
        finally:
            await engine.dispose()
