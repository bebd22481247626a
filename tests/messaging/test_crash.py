"""Crash safety: a worker killed at random moments loses nothing and repeats only what was in
flight when it died."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from models.db import transaction
from models.messaging.service import enqueue_campaign
from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress, Person
from tests.conftest import TEST_KEY, Database
from tests.fakes.zalo import FakeZaloBot
from tests.messaging.helpers import settings_for

MESSAGES = 5_000
CONCURRENCY = 20
KILLS = 4
ROOT = Path(__file__).resolve().parents[2]


async def _queue(db: Database, count: int = MESSAGES) -> None:
    settings = settings_for(db, campaign_hours="00:00-00:00")
    async with transaction(db.sessions) as session:
        people = [{"full_name": "Lò Thị Mai", "search_name": "lo thi mai"}] * count
        await session.execute(insert(Person), people)
        ids = list(await session.scalars(select(Person.id).order_by(Person.id)))
        await session.execute(
            insert(ContactAddress),
            [{"person_id": i, "channel": "zalo", "address": f"zalo:{i}"} for i in ids],
        )
        await enqueue_campaign(
            session, campaign_id=1, person_ids=select(Person.id), key="campaign.text",
            params={"text": "Từ tháng 7, trợ cấp được chuyển qua tài khoản."},
            settings=settings,
        )  # fmt: skip


def _worker_env(db: Database, fake: FakeZaloBot) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_")}
    env.update(
        ANSINH_DATABASE_URL=db.url,
        ANSINH_DATA_KEY=TEST_KEY,
        ANSINH_ENVIRONMENT="test",
        ANSINH_SANDBOX="false",
        ANSINH_ZALO_BOT_TOKEN=fake.token,
        ANSINH_ZALO_BOT_API_URL=fake.url,
        ANSINH_ZALO_BOT_RATE_PER_SECOND="100000",
        ANSINH_CAMPAIGN_HOURS="00:00-00:00",
        ANSINH_DISPATCH_CONCURRENCY=str(CONCURRENCY),
        ANSINH_DISPATCH_BATCH_SIZE="100",
        ANSINH_DISPATCH_INTERVAL_SECONDS="0.1",
        ANSINH_DISPATCH_LEASE_SECONDS="2",
        ANSINH_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


async def _start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.worker", "--id", f"crash-{time.monotonic_ns()}",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _progress(fake: FakeZaloBot, beyond: int, deadline: float) -> None:
    """Wait until the fake has seen more than `beyond` sends."""
    while len(fake.sent("/sendMessage")) <= beyond:
        assert time.monotonic() < deadline, "the worker made no progress"
        await asyncio.sleep(0.02)


async def _open(db: Database) -> int:
    async with db.sessions() as session:
        query = select(func.count()).where(OutboxMessage.status.in_(("pending", "sending")))
        return int(await session.scalar(query) or 0)


@pytest.mark.slow
async def test_killed_workers_send_every_message_once_but_for_those_in_flight(
    db: Database, fake_zalo: FakeZaloBot
) -> None:
    await _queue(db)
    env = _worker_env(db, fake_zalo)
    rng = random.Random(2026)
    deadline = time.monotonic() + 55
    for _ in range(KILLS):
        worker = await _start(env)
        await _progress(fake_zalo, len(fake_zalo.sent("/sendMessage")) + 20, deadline)
        await asyncio.sleep(rng.uniform(0.05, 0.6))
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    worker = await _start(env)
    try:
        while await _open(db):
            assert time.monotonic() < deadline, "messages still unsent"
            await asyncio.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), 15) == 0
    async with db.sessions() as session:
        statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
    assert statuses == {"sent": MESSAGES}
    sends = Counter(str(r.body["chat_id"]) for r in fake_zalo.sent("/sendMessage"))
    assert len(sends) == MESSAGES  # every message reached the provider
    repeated = sum(count - 1 for count in sends.values())
    assert repeated <= KILLS * CONCURRENCY  # only what was in flight at each kill
