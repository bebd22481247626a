"""Dispatching queued notices through the real adapters to a fake provider in another process,
next to a naive loop that renders and sends them one by one with the same client."""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import Figure, Timer, fresh_database, make_engine, make_sessionmaker
from bench.population import SEEDED_AT, analyze, checkpoint, phone, process_cpu, seed
from bench.provider import FakeServer
from bot.channels.base import ChannelAdapter, OutboundMessage
from bot.channels.registry import build_adapters, close_adapters
from messages.render import render
from models.bulk import bulk_insert
from models.messaging.tables import OutboxMessage
from models.settings import Settings, load_settings
from scheduler.dispatcher import Dispatcher

KEY = "notice.payment_credited"
PARAMS = {"amount": 540_000, "period": "2026-11", "account": "0123456789", "date": "2026-11-05"}
NAIVE_SECONDS = 5.0  # the naive loop sends for about this long; its rate is what counts
BATCH_SIZE = 500
CONCURRENCY = 200
ROOT = str(Path(__file__).resolve().parent.parent) + "/"  # this checkout, wherever it is


def bench_settings(
    settings: Settings, fake: FakeServer, batch: int = BATCH_SIZE, concurrency: int = CONCURRENCY
) -> Settings:
    """The database's settings, sending for real to the fake, with no limit in the way."""
    return load_settings(
        database_url=settings.database_url,
        data_key=settings.data_key,
        sandbox=False,
        notice_hours="00:00-00:00",  # every hour is a sending hour
        campaign_hours="00:00-00:00",
        sms_rate_segments_per_second=1_000_000,
        telegram_rate_per_second=1_000_000,
        telegram_rate_per_chat=1_000_000,
        dispatch_batch_size=batch,
        dispatch_concurrency=concurrency,
        **fake.settings(),
    )


def _address(kind: str, i: int) -> str:
    return phone(i) if kind == "sms" else f"telegram:{10**9 + i}"


async def queue_notices(
    sessions: async_sessionmaker[AsyncSession], count: int, kind: str, first: int = 1
) -> None:
    """One due payment notice for each of people first..first+count-1 (not timed)."""
    rows = [
        {
            "person_id": i,
            "address": _address(kind, i),
            "channel": kind,
            "message_class": "notice",
            "priority": 1,
            "key": KEY,
            "params": PARAMS | {"amount": 360_000 + i % 7 * 90_000, "account": f"{10**11 + i}"},
            "locale": "en" if i % 20 == 0 else "vi",
            "status": "pending",
            "attempts": 0,
            "cost_units": 0,
            "next_attempt_at": SEEDED_AT,
            "idempotency_key": f"paid:2026-11:{i}",
            "created_at": SEEDED_AT,
            "updated_at": SEEDED_AT,
        }
        for i in range(first, first + count)
    ]
    async with sessions() as session, session.begin():
        for start in range(0, len(rows), 50_000):
            await bulk_insert(session, OutboxMessage, rows[start : start + 50_000])
    await analyze(sessions)


class CountingDispatcher(Dispatcher):
    """The real dispatcher, telling the benchmark when `target` results are recorded."""

    def __init__(self, *args: Any, target: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded = 0
        self.target = target
        self.done = asyncio.Event()

    async def _write_results(self, outcomes: Sequence[Any]) -> None:
        await super()._write_results(outcomes)
        self.recorded += len(outcomes)
        if self.recorded >= self.target:
            self.done.set()


@dataclass
class Cpu:
    """CPU seconds used during a step: this process, the fake provider, the database server."""

    dispatcher: float = 0.0
    provider: float = 0.0
    database: float = 0.0

    def per_message(self, count: int) -> str:
        """The note: milliseconds of CPU per message, by process."""
        parts = [f"dispatcher {self.dispatcher / count * 1000:.2f}"]
        parts.append(f"provider {self.provider / count * 1000:.2f}")
        if self.database:
            parts.append(f"PostgreSQL {self.database / count * 1000:.2f}")
        return "CPU ms/msg: " + ", ".join(parts)


_ACTIVITY = table("pg_stat_activity", column("pid"), column("datname"))


async def _server_pids(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database (none on SQLite)."""
    async with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            return []
        query = select(_ACTIVITY.c.pid).where(_ACTIVITY.c.datname == func.current_database())
        return [int(pid) for pid in (await session.scalars(query)).all()]


def _cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: process_cpu(pid) or 0.0 for pid in pids}


async def _dispatch(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    adapters: dict[str, ChannelAdapter],
    count: int,
    provider_pid: int,
) -> tuple[float, Cpu]:
    dispatcher = CountingDispatcher(settings, sessions, adapters, worker_id="bench", target=count)
    stop = asyncio.Event()
    database = _cpu_of(await _server_pids(sessions))
    mine, provider = process_cpu(os.getpid()) or 0.0, process_cpu(provider_pid) or 0.0
    with Timer() as timer:
        running = asyncio.ensure_future(dispatcher.run_forever(stop))
        await asyncio.wait_for(dispatcher.done.wait(), timeout=600)
    cpu = Cpu(
        (process_cpu(os.getpid()) or 0.0) - mine, (process_cpu(provider_pid) or 0.0) - provider
    )
    after = _cpu_of(await _server_pids(sessions))
    cpu.database = sum(used - database.get(pid, 0.0) for pid, used in after.items())
    stop.set()
    await running
    return timer.seconds, cpu


async def _naive(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    adapters: dict[str, ChannelAdapter],
    limit: int,
    provider_pid: int,
) -> tuple[int, float, Cpu]:
    """Render and send one message after the other, with no database work; (sent, seconds)."""
    async with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id).limit(limit)
        messages = list((await session.scalars(query)).all())
    sent = 0
    mine, provider = process_cpu(os.getpid()) or 0.0, process_cpu(provider_pid) or 0.0
    with Timer() as timer:
        for message in messages:
            rendered = render(
                message.key, message.params, locale=message.locale, channel=message.channel
            )
            adapter = adapters[message.channel]
            await adapter.send(OutboundMessage(message.id, message.address, rendered))
            sent += 1
            if time.perf_counter() - timer.start > NAIVE_SECONDS:
                break
    cpu = Cpu(
        (process_cpu(os.getpid()) or 0.0) - mine, (process_cpu(provider_pid) or 0.0) - provider
    )
    return sent, timer.seconds, cpu


async def _one(
    kind: str, provider: str, delay: float, count: int, tuning: dict[str, Any]
) -> list[Figure]:
    profile = tuning.pop("profile", False)
    async with fresh_database(kind) as plain:
        engine = make_engine(plain)
        sessions = make_sessionmaker(engine)
        await seed(sessions, count)
        await queue_notices(sessions, count, provider)
        await checkpoint(sessions)
        with FakeServer(provider, delay) as fake:
            settings = bench_settings(plain, fake, **tuning)
            adapters = build_adapters(settings, sessions)
            try:
                naive_sent, naive_seconds, naive_cpu = await _naive(
                    settings, sessions, adapters, count, fake.pid
                )
                profiler = cProfile.Profile(time.process_time) if profile else None
                if profiler:
                    profiler.enable()
                seconds, cpu = await _dispatch(settings, sessions, adapters, count, fake.pid)
                if profiler:
                    profiler.disable()
                    _print_profile(profiler)
            finally:
                await close_adapters(adapters)
        await engine.dispose()
    latency = f"{delay * 1000:.0f} ms"
    per_naive = naive_seconds / naive_sent
    return [
        Figure(
            f"naive loop, {provider}, {latency}",
            kind,
            naive_sent,
            naive_seconds,
            None,
            f"render + send one by one, no database; {naive_cpu.per_message(naive_sent)}",
        ),
        Figure(
            f"dispatcher, {provider}, {latency}",
            kind,
            count,
            seconds,
            per_naive * count,
            f"batch {settings.dispatch_batch_size}, concurrency {settings.dispatch_concurrency}, "
            "rate limits 1,000,000/s, kept-alive connections; " + cpu.per_message(count),
        ),
    ]


def _print_profile(profiler: cProfile.Profile) -> None:
    """The dispatcher process's CPU time by package, the costliest functions, and ours."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    by_package: dict[str, float] = {}
    for (path, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        package = _package(path)
        by_package[package] = by_package.get(package, 0.0) + own
    total = sum(by_package.values())
    for package, own in sorted(by_package.items(), key=lambda item: -item[1])[:14]:
        print(f"{package:>20} {own / total:6.1%}")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumtime").print_stats(ROOT + "(scheduler|models|messages|bot)/", 40)
    print(out.getvalue())


def _package(path: str) -> str:
    """'…/site-packages/httpcore/_async/x.py' → 'httpcore'; our own code by its folder."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if path.startswith(ROOT):
        return "ansinh:" + path.removeprefix(ROOT).split("/", 1)[0]
    if path.startswith("~") or path.startswith("<"):
        return "builtins"
    return "stdlib:" + path.rsplit("/", 1)[-1].removesuffix(".py")


async def run(
    kinds: list[str],
    count: int,
    *,
    provider: str = "sms",
    delays: Sequence[float] = (0.0, 0.1),
    profile: bool = False,
    batch: int = BATCH_SIZE,
    concurrency: int = CONCURRENCY,
) -> list[Figure]:
    """Dispatch `count` notices on each database, for each provider latency."""
    figures = []
    for kind in kinds:
        for delay in delays:
            tuning = {"profile": profile, "batch": batch, "concurrency": concurrency}
            figures.extend(await _one(kind, provider, delay, count, tuning))
    return figures
