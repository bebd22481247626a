"""A large population for the delivery benchmarks: people with contact addresses, seeded fast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.bulk import bulk_insert
from models.people.tables import Consent, ContactAddress, Person

CHUNK = 100_000
SEEDED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def _people(first: int, last: int) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "full_name": f"Hoàng Thị Người {i}",
            "search_name": f"hoang thi nguoi {i}",
            "birth_year": 1930 + i % 60,
            "locale": "en" if i % 20 == 0 else "vi",
            "created_at": SEEDED_AT,
            "updated_at": SEEDED_AT,
        }
        for i in range(first, last)
    ]


def phone(i: int) -> str:
    """The distinct mobile number of person `i`."""
    return f"tel:+849{i:08d}"


def _addresses(first: int, last: int, telegram_every: int, opted_out_every: int) -> list[Any]:
    rows: list[dict[str, Any]] = []
    for i in range(first, last):
        opted = opted_out_every and i % opted_out_every == 0
        rows.append(_address(i, phone(i), "tel", 1, SEEDED_AT if opted else None))
        if telegram_every and i % telegram_every == 0:
            rows.append(_address(i, f"telegram:{10**9 + i}", "telegram", 0, None))
    return rows


def _address(
    person_id: int, address: str, channel: str, priority: int, opted_out_at: datetime | None
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "channel": channel,
        "address": address,
        "priority": priority,
        "opted_out_at": opted_out_at,
        "reachability": "unknown",
        "created_at": SEEDED_AT,
    }


def _consents(first: int, last: int, withdrawn_every: int) -> list[dict[str, Any]]:
    """Everyone agreed to be sent messages; every n-th withdrew it since."""
    return [
        {
            "person_id": i,
            "purpose": "messaging",
            "notice_version": "2026-01",
            "channel": "sms",
            "given_at": SEEDED_AT,
            "withdrawn_at": SEEDED_AT if withdrawn_every and i % withdrawn_every == 0 else None,
        }
        for i in range(first, last)
    ]


def _ranges(count: int) -> Iterator[tuple[int, int]]:
    for start in range(1, count + 1, CHUNK):
        yield start, min(start + CHUNK, count + 1)


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    count: int,
    *,
    telegram_every: int = 0,
    opted_out_every: int = 0,
    withdrawn_every: int = 0,
) -> None:
    """People 1..count, each with a phone and messaging consent; every n-th also on Telegram
    (preferred), opted out of campaigns, or without consent any more."""
    async with sessions() as session, session.begin():
        for first, last in _ranges(count):
            await bulk_insert(session, Person, _people(first, last))
            rows = _addresses(first, last, telegram_every, opted_out_every)
            await bulk_insert(session, ContactAddress, rows)
            await bulk_insert(session, Consent, _consents(first, last, withdrawn_every))
        if session.get_bind().dialect.name == "postgresql":
            await _advance_sequences(session)
    await analyze(sessions)


async def _advance_sequences(session: AsyncSession) -> None:
    """Explicit ids do not move the serial sequence: move it past them."""
    for model in (Person, ContactAddress):
        sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
        highest = select(func.max(model.id)).scalar_subquery()
        await session.execute(select(func.setval(sequence, highest)))


async def analyze(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Fresh planner statistics after a bulk load."""
    async with sessions() as session:
        connection = await session.connection()
        if connection.dialect.name == "postgresql":
            await connection.commit()
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
        else:
            await connection.exec_driver_sql("ANALYZE")
            await connection.commit()


async def checkpoint(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Write out what earlier steps left dirty, so a timed step does not pay for it.

    PostgreSQL only: SQLite checkpoints its WAL file by itself as it grows.
    """
    async with sessions() as session:
        connection = await session.connection()
        if connection.dialect.name == "postgresql":
            await connection.exec_driver_sql("CHECKPOINT")
        await connection.commit()


async def backend_pid(session: AsyncSession) -> int | None:
    """The PostgreSQL server process serving this session's transaction (None on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return int(await session.scalar(select(func.pg_backend_pid())) or 0)


def process_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + system) process `pid` has used, from /proc; None if unreadable."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
