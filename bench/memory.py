"""Peak memory of `ansinh worker` (its own process) sending from an outbox of 1,000,000 rows,
next to the same worker idle on an empty outbox."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.campaign import KEY, PARAMS
from bench.common import Figure, Timer, fresh_database, make_engine, make_sessionmaker
from bench.population import analyze, checkpoint, seed
from bench.provider import FakeServer
from models.messaging.campaigns import enqueue_campaign
from models.messaging.tables import OutboxMessage
from models.people.tables import Person
from models.settings import Settings, load_settings

IDLE_SECONDS = 5.0
SAMPLE_EVERY = 0.25
LIMIT_MB = 300


@dataclass
class Watched:
    """What a worker process did while it was watched."""

    seconds: float
    peak_mb: float  # VmHWM: the most resident memory the process ever had


def _status_kb(pid: int, field: str) -> int:
    """A "VmXXX:  1234 kB" line of /proc/<pid>/status, in kB (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def worker_environment(settings: Settings, fake: FakeServer) -> dict[str, str]:
    """`ansinh worker`'s settings, in the ANSINH_ variables it reads."""
    values = {
        "DATABASE_URL": settings.database_url,
        "DATA_KEY": settings.data_key.get_secret_value(),
        "SANDBOX": "false",
        "SMS_PROVIDER": "http",
        "SMS_GATEWAY_URL": str(fake.settings()["sms_gateway_url"]),
        "SMS_GATEWAY_API_KEY": str(fake.settings()["sms_gateway_api_key"]),
        "SMS_RATE_SEGMENTS_PER_SECOND": "1000000",
        "CAMPAIGN_HOURS": "00:00-00:00",
        "NOTICE_HOURS": "00:00-00:00",
        "DISPATCH_BATCH_SIZE": "500",
        "DISPATCH_CONCURRENCY": "200",
        "LOG_LEVEL": "WARNING",
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_")}
    return environment | {f"ANSINH_{name}": value for name, value in values.items()}


async def watch_worker(environment: dict[str, str], seconds: float) -> Watched:
    """Run `ansinh worker` for `seconds`, then stop it (SIGTERM) and wait for it to finish."""
    command = [sys.executable, "-m", "cli.main", "worker", "--id", "bench-worker"]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)  # noqa: ASYNC220
    peak = 0
    with Timer() as timer:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and process.poll() is None:
            peak = max(peak, _status_kb(process.pid, "VmHWM"))
            await asyncio.sleep(SAMPLE_EVERY)
        peak = max(peak, _status_kb(process.pid, "VmHWM"))
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 60)
    if process.returncode not in (0, -signal.SIGTERM):
        raise RuntimeError(f"ansinh worker ended with {process.returncode}")
    return Watched(timer.seconds, peak / 1024)


async def _sent(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        query = select(func.count()).where(OutboxMessage.status == "sent")
        return int(await session.scalar(query) or 0)


async def _queue(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """A campaign to everyone, due now (every hour is a sending hour here)."""
    all_day = load_settings(
        database_url=settings.database_url, data_key=settings.data_key, campaign_hours="00:00-00:00"
    )
    async with sessions() as session, session.begin():
        added = await enqueue_campaign(
            session,
            campaign_id=1,
            person_ids=select(Person.id),
            key=KEY,
            params=PARAMS,
            settings=all_day,
        )
    await analyze(sessions)
    await checkpoint(sessions)
    return added


async def _one(kind: str, count: int, seconds: float, delay: float) -> list[Figure]:
    async with fresh_database(kind) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        await seed(sessions, count)
        with FakeServer("sms", delay) as fake:
            environment = worker_environment(settings, fake)
            idle = await watch_worker(environment, IDLE_SECONDS)
            queued = await _queue(sessions, settings)
            busy = await watch_worker(environment, seconds)
        sent = await _sent(sessions)
        await engine.dispose()
    latency = f"provider {delay * 1000:.0f} ms"
    return [
        Figure(
            "idle worker, empty outbox (baseline)",
            kind,
            0,
            idle.seconds,
            None,
            f"peak RSS {idle.peak_mb:.0f} MB",
        ),
        Figure(
            f"worker, {queued:,} queued",
            kind,
            sent,
            busy.seconds,
            None,
            f"peak RSS {busy.peak_mb:.0f} MB ({busy.peak_mb / idle.peak_mb:.2f}x idle, "
            f"goal ≤ {LIMIT_MB} MB); {latency}; count = messages sent",
        ),
    ]


async def run(kinds: list[str], count: int, seconds: float, delay: float = 0.0) -> list[Figure]:
    """Watch the worker's memory on each database with `count` campaign rows queued."""
    figures = []
    for kind in kinds:
        figures.extend(await _one(kind, count, seconds, delay))
    return figures
