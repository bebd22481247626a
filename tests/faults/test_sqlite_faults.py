"""SQLite's own faults: a writer holding the lock past the busy timeout, and a full disk.

Locked: the webhook answers 503 with Retry-After and keeps nothing, the dispatcher keeps its
results until it can write them; both catch up once the lock goes. Full (simulated with
`PRAGMA max_page_count`): the import or enqueue fails with a clear error, its transaction is rolled
back whole, and the same call succeeds once there is room again.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from bot.channels.registry import build_adapters, close_adapters
from models.db import make_engine, make_sessionmaker, transaction
from models.messaging.service import enqueue_campaign
from models.messaging.tables import OutboxMessage
from models.people.tables import Person
from scheduler.dispatcher import Dispatcher
from tests.admin_payments.api_support import running
from tests.api.support import TELEGRAM_SECRET, running_app, telegram_settings
from tests.conftest import PG_URL, Database
from tests.fakes.telegram import FakeTelegram, text_update
from tests.fakes.zalo import FakeZaloBot
from tests.faults.bank import (
    LINES,
    expected_notices,
    exported_lines,
    line_state,
    result_notices,
    results_file,
)
from tests.faults.support import (
    SEND_PATH,
    assert_caught_up,
    queue_campaign,
    tally,
    wait_caught_up,
    wait_for_sends,
)
from tests.messaging.helpers import settings_for

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's own faults")

BUSY_MS = 100  # the busy timeout under test: the lock is held far longer
HOLD_SECONDS = 1.5
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


@asynccontextmanager
async def write_lock(db: Database) -> AsyncIterator[None]:
    """Another connection holds SQLite's write lock for the block."""
    path = db.settings.sqlite_path()
    assert path is not None
    holder = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_a_locked_database_answers_webhooks_503_and_keeps_nothing(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    settings = telegram_settings(fake_telegram) | {"sqlite_busy_timeout_ms": BUSY_MS}
    async with running_app(db, **settings) as app:
        update = text_update(41, 555, "/start")
        async with write_lock(db):
            refused = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 0
        assert await app.inbound_events() == 0 and await app.outbox() == []
        # the provider sends the update again: taken in once, answered once
        for _ in range(2):
            again = await app.client.post("/webhooks/telegram", json=update, headers=HEADERS)
            assert again.status_code == 200
        assert await app.inbound_events() == 1
        replies = len(await app.outbox())
        assert replies >= 1
        assert await app.dispatch() == replies
    assert len(fake_telegram.messages_sent()) == replies


@pytest.mark.slow
async def test_the_dispatcher_waits_out_a_lock_and_sends_nothing_twice(
    db: Database, fake_zalo: FakeZaloBot
) -> None:
    messages, concurrency = 400, 10
    await queue_campaign(db, messages)
    settings = settings_for(
        db, sandbox=False, zalo_bot_token=fake_zalo.token, zalo_bot_api_url=fake_zalo.url,
        zalo_bot_rate_per_second=200, campaign_hours="00:00-00:00", dispatch_lease_seconds=30,
        dispatch_interval_seconds=0.05, dispatch_concurrency=concurrency, dispatch_batch_size=50,
        sqlite_busy_timeout_ms=BUSY_MS,
    )  # fmt: skip
    engine = make_engine(settings)
    adapters = build_adapters(settings, make_sessionmaker(engine))
    dispatcher = Dispatcher(settings, make_sessionmaker(engine), adapters, worker_id="w")
    stop = asyncio.Event()
    running = asyncio.ensure_future(dispatcher.run_forever(stop))
    try:
        deadline = time.monotonic() + 30
        await wait_for_sends(fake_zalo, 60, deadline)
        async with write_lock(db):
            await asyncio.sleep(HOLD_SECONDS)
            during = len(fake_zalo.sent(SEND_PATH))
            await asyncio.sleep(HOLD_SECONDS)
            # sending stops once every slot holds a result it cannot write yet
            assert len(fake_zalo.sent(SEND_PATH)) - during <= concurrency
        await wait_caught_up(db, seconds=30)
    finally:
        stop.set()
        await running
        await close_adapters(adapters)
        await engine.dispose()
    assert_caught_up(await tally(db, fake_zalo), messages=messages, faults=1, in_flight=0)


# --- a full disk --------------------------------------------------------------------------------
@contextmanager
def disk_full(engine: Any) -> Iterator[None]:
    """Connections opened in the block cannot grow the file (SQLITE_FULL past its size)."""

    def cap(connection: Any, _record: Any) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {int(pages)}")

    event.listen(engine.sync_engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "connect", cap)


async def _count(db: Database, table: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_full_disk_rolls_an_enqueue_back_whole_and_the_retry_succeeds(db: Database) -> None:
    await queue_campaign(db, 2_000)  # campaign 1: people to reach, and a file of some size
    settings = settings_for(db, campaign_hours="00:00-00:00")
    before = await _count(db, OutboxMessage)

    async def campaign_two() -> int:
        async with transaction(db.sessions) as session:
            return await enqueue_campaign(
                session, campaign_id=2, person_ids=select(Person.id), key="campaign.text",
                params={"text": "Mời nhận thẻ ATM tại xã."}, settings=settings,
            )  # fmt: skip

    await db.engine.dispose()
    with disk_full(db.engine), pytest.raises(OperationalError, match="full"):
        await campaign_two()
    await db.engine.dispose()  # connections opened from now on have room again
    assert await _count(db, OutboxMessage) == before  # nothing half-written
    assert await campaign_two() == 2_000
    assert await campaign_two() == 0  # and a repeat adds nothing


async def test_a_full_disk_refuses_a_results_upload_whole_and_the_retry_succeeds(
    db: Database,
) -> None:
    async with running(db) as app:
        async with app.session() as session, session.begin():
            lines = await exported_lines(session, app.a.id, db.settings)
        data, intents = results_file(lines)
        upload = {"file": ("ket-qua.csv", data, "text/csv")}
        engine = app.app.state.engine
        await engine.dispose()
        with disk_full(engine):
            refused = await app.call("payer", "POST", "/payment-results", files=upload)
        await engine.dispose()
        assert refused.status_code == 503
        assert refused.json()["title"].startswith("The database is full; nothing was saved")
        assert await line_state(db) == {} and not await result_notices(db)
        accepted = await app.call("payer", "POST", "/payment-results", files=upload)
        assert accepted.status_code == 200 and accepted.json()["applied"] == LINES
    assert await line_state(db) == intents
    assert await result_notices(db) == expected_notices(lines, intents)
