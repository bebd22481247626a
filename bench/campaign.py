"""Queueing a campaign for 1,000,000 people next to a raw INSERT … SELECT of the same rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Integer, String, Table, delete, insert, literal, select, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import Figure, Timer, fresh_database, make_engine, make_sessionmaker
from bench.population import analyze, backend_pid, checkpoint, process_cpu, seed
from models.base import UTCDateTime
from models.messaging.campaigns import enqueue_campaign
from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress, Person
from models.settings import Settings

CAMPAIGN_ID = 1
KEY = "campaign.text"
PARAMS = {"text": "Từ tháng 7, trợ cấp được chuyển qua tài khoản. Mời Ông/Bà đăng ký."}
# 10:00 in Lạng Sơn: inside the campaign window, so every row is due at once
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TELEGRAM_EVERY = 5  # one person in five is also on Telegram (their preferred route)
OPTED_OUT_EVERY = 100  # one in a hundred opted out of campaigns by SMS
WITHDRAWN_EVERY = 1000  # one in a thousand withdrew consent to messages
_OUTBOX = cast(Table, OutboxMessage.__table__)
_COLUMNS = (
    "person_id",
    "address",
    "channel",
    "locale",
    "status",
    "failure_reason",
    "message_class",
    "priority",
    "key",
    "params",
    "attempts",
    "cost_units",
    "next_attempt_at",
    "expires_at",
    "campaign_id",
    "idempotency_key",
    "created_at",
    "updated_at",
)
Step = Callable[[AsyncSession], Awaitable[int]]


def _raw_rows() -> Any:
    """The same columns for the same people, from each one's phone, with no routing at all."""
    now = literal(NOW, UTCDateTime())
    return (
        select(
            ContactAddress.person_id,
            ContactAddress.address,
            literal("sms"),
            Person.locale,
            literal("pending"),
            literal(None, String),
            literal("campaign"),
            literal(2, Integer),
            literal(KEY, String),
            literal(PARAMS, JSON),
            literal(0, Integer),
            literal(0, Integer),
            now,
            literal(None, UTCDateTime()),
            literal(CAMPAIGN_ID, Integer),
            literal(f"campaign:{CAMPAIGN_ID}:") + sql_cast(ContactAddress.person_id, String),
            now,
            now,
        )
        .join(Person, Person.id == ContactAddress.person_id)
        .where(ContactAddress.channel == "tel")
    )


async def _raw_insert(session: AsyncSession) -> int:
    statement = insert(_OUTBOX).from_select(list(_COLUMNS), _raw_rows())
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _enqueue(settings: Settings) -> Step:
    async def step(session: AsyncSession) -> int:
        return await enqueue_campaign(
            session,
            campaign_id=CAMPAIGN_ID,
            person_ids=select(Person.id),
            key=KEY,
            params=PARAMS,
            settings=settings,
            now=NOW,
        )

    return step


async def _timed(sessions: async_sessionmaker[AsyncSession], step: Step) -> tuple[float, int, str]:
    """Run `step` in one transaction from a checkpointed start: seconds, rows, server CPU."""
    await checkpoint(sessions)
    async with sessions() as session:
        await session.begin()
        pid = await backend_pid(session)
        before = process_cpu(pid)
        with Timer() as timer:
            rows = await step(session)
            await session.commit()
        after = process_cpu(pid)
    used = f"server CPU {after - before:.1f} s" if before is not None and after else ""
    return timer.seconds, rows, used


async def _empty_outbox(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("TRUNCATE outbox"))
        else:
            await session.execute(delete(OutboxMessage))
    await analyze(sessions)


async def _one(kind: str, count: int, rounds: int) -> list[Figure]:
    async with fresh_database(kind) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        with Timer() as seeding:
            await seed(
                sessions,
                count,
                telegram_every=TELEGRAM_EVERY,
                opted_out_every=OPTED_OUT_EVERY,
                withdrawn_every=WITHDRAWN_EVERY,
            )
        print(f"seeded {count:,} people on {kind} in {seeding.seconds:.0f} s (not timed)")
        figures = []
        for _ in range(rounds):
            raw_seconds, raw_rows, raw_cpu = await _timed(sessions, _raw_insert)
            await _empty_outbox(sessions)
            seconds, added, cpu = await _timed(sessions, _enqueue(settings))
            await _empty_outbox(sessions)
            assert raw_rows == count and added == count, (raw_rows, added)
            figures.append(
                Figure("raw INSERT … SELECT (baseline)", kind, raw_rows, raw_seconds, None, raw_cpu)
            )
            note = f"routed in SQL; {cpu}" if cpu else "routed in SQL"
            figures.append(Figure("enqueue_campaign", kind, added, seconds, raw_seconds, note))
        await engine.dispose()
        return figures


async def run(kinds: list[str], count: int, rounds: int = 1) -> list[Figure]:
    """Enqueue a campaign for `count` people on each database, the raw insert beside it."""
    figures = []
    for kind in kinds:
        figures.extend(await _one(kind, count, rounds))
    return figures
