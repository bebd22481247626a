"""The scheduler: one leader on PostgreSQL, jobs that send, expire and take back claims."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from types import SimpleNamespace

from models.base import utcnow
from models.db import transaction
from models.messaging.service import claim_due, enqueue
from scheduler.clock import start_scheduler, stop_scheduler
from scheduler.jobs import Jobs, Leadership
from tests.conftest import Database
from tests.messaging.helpers import add_person, outbox, settings_for


async def test_only_one_process_leads_and_another_takes_over(db: Database) -> None:
    first, second = Leadership(db.engine), Leadership(db.engine)
    try:
        assert await first.try_lead()
        if db.is_sqlite:  # one process owns an SQLite file: it always leads
            assert await second.try_lead()
            return
        assert not await second.try_lead()
        assert await first.try_lead()  # keeping the lead is idempotent
        await first.release()
        assert await second.try_lead()
        assert not await first.try_lead()
    finally:
        await first.release()
        await second.release()


async def test_jobs_expire_and_take_back_stale_claims(db: Database) -> None:
    settings = settings_for(db, dispatch_lease_seconds=1)
    now = utcnow()
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        other = await add_person(session, "telegram:2")
        for who, expiry in ((person, now + timedelta(hours=1)), (other, now - timedelta(1))):
            await enqueue(
                session, person_id=who.id, key="reply.unknown", params={}, message_class="reply",
                address=f"telegram:{who.id}", expires_at=expiry, settings=settings, now=now,
            )  # fmt: skip
    async with transaction(db.sessions) as session:
        await claim_due(
            session, worker_id="gone", limit=1, now=now - timedelta(seconds=5), settings=settings
        )
    jobs = Jobs(settings, db.sessions, Leadership(db.engine))
    await jobs.lead()
    await jobs.reclaim()
    await jobs.expire()
    await jobs.leadership.release()
    async with db.sessions() as session:
        rows = await outbox(session)
    assert [(row.status, row.claimed_by) for row in rows] == [("pending", None), ("expired", None)]


async def test_started_scheduler_sends_from_the_outbox(db: Database) -> None:
    settings = settings_for(db, sandbox=True, dispatch_interval_seconds=0.05)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        await enqueue(
            session, person_id=person.id, key="reply.unknown", params={}, message_class="reply",
            address="telegram:1", settings=settings,
        )  # fmt: skip
    state = SimpleNamespace(settings=settings, engine=db.engine, sessions=db.sessions)
    start_scheduler(state)
    try:
        deadline = time.monotonic() + 10
        while True:
            async with db.sessions() as session:
                (row,) = await outbox(session)
            if row.status == "sent" or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
    finally:
        await stop_scheduler(state)
    assert row.status == "sent"
