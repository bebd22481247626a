"""What the benchmarks share: databases to run on, timing, and a results table."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from models.db import make_engine, make_sessionmaker
from models.migrate import upgrade
from models.settings import Settings, load_settings

console = Console()
# A database of its own, so a benchmark never disturbs a test run on the `test` database.
PG_URL = os.environ.get(
    "ANSINH_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/ansinh_bench"
)
BENCH_KEY = "bench-data-key-0123456789abcdef0123456789"
ROOT = Path(__file__).resolve().parents[1]
ALL_DAY = {"CAMPAIGN_HOURS": "00:00-00:00", "NOTICE_HOURS": "00:00-00:00"}


def ansinh_env(values: Mapping[str, str]) -> dict[str, str]:
    """The environment of an ansinh process a benchmark starts: this process's, without its own
    `ANSINH_` settings, plus `values` as `ANSINH_` settings; every hour a sending hour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_")}
    env.update({f"ANSINH_{name}": value for name, value in {**ALL_DAY, **values}.items()})
    env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass
class Figure:
    """One measured line: what, on which database, how many per second, against what."""

    name: str
    database: str
    count: int
    seconds: float
    baseline_seconds: float | None = None
    note: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else float("inf")

    @property
    def ratio(self) -> str:
        if not self.baseline_seconds:
            return ""
        return f"{self.seconds / self.baseline_seconds:.2f}x"


def show(title: str, figures: list[Figure]) -> None:
    """Print the figures as a table, and as Markdown rows for docs/benchmarks.md."""
    table = Table(title=title)
    for column in (
        "benchmark",
        "database",
        "count",
        "seconds",
        "per second",
        "vs baseline",
        "note",
    ):
        table.add_column(column)
    for f in figures:
        table.add_row(
            f.name,
            f.database,
            f"{f.count:,}",
            f"{f.seconds:.2f}",
            f"{f.rate:,.0f}",
            f.ratio,
            f.note,
        )
    console.print(table)
    console.print("| benchmark | database | count | seconds | per second | vs baseline | note |")
    console.print("| --- | --- | --- | --- | --- | --- | --- |")
    for f in figures:
        console.print(
            f"| {f.name} | {f.database} | {f.count:,} | {f.seconds:.2f} | "
            f"{f.rate:,.0f} | {f.ratio} | {f.note} |"
        )


class Timer:
    """Wall-clock seconds of a block."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.start


async def _ensure_pg_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    engine = make_engine(
        load_settings(database_url=f"{server}/postgres"), isolation_level="AUTOCOMMIT"
    )
    async with engine.connect() as conn:
        exists = await conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def reset_pg(url: str) -> None:
    await _ensure_pg_database(url)
    engine = make_engine(load_settings(database_url=url))
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[Settings]:
    """A migrated, empty database: 'sqlite' (a temporary file) or 'postgresql'."""
    if kind == "postgresql":
        await reset_pg(PG_URL)
        await asyncio.to_thread(upgrade, PG_URL)
        yield load_settings(database_url=PG_URL, data_key=BENCH_KEY)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        yield load_settings(database_url=url, data_key=BENCH_KEY)


def databases(selected: str | None) -> list[str]:
    """The databases to run on: both unless one is named."""
    return [selected] if selected else ["sqlite", "postgresql"]


__all__ = [
    "Figure",
    "Timer",
    "console",
    "databases",
    "fresh_database",
    "make_engine",
    "make_sessionmaker",
    "show",
]
