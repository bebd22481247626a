"""The one-trip SQLite driver (models.sqlite_driver) answers as aiosqlite's own adapter does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import make_engine
from models.settings import load_settings
from models.sqlite_driver import OneTripConnection
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the SQLite driver")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}"
    made = make_engine(load_settings(database_url=url))
    async with made.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield made
    await made.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls that went to aiosqlite's thread, by name."""
    seen: list[str] = []
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: object, *args: object) -> object:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await queue(self, fn, *args)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_rows_counts_and_ids_come_back(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert inserted.lastrowid == 1
        assert inserted.rowcount == 1
        await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        returned = await conn.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id, v"))
        assert returned.all() == [(4, "d")]
        rows = await conn.execute(text("SELECT id, v FROM t ORDER BY id"))
        assert list(rows.keys()) == ["id", "v"]
        assert rows.all() == [(1, "a"), (2, "b!"), (3, "c!"), (4, "d")]


async def test_a_statement_is_one_trip_and_an_idle_reset_none(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as conn:
        trips.clear()
        await conn.execute(text("SELECT 1"))
        await conn.commit()  # BEGIN IMMEDIATE + SELECT, then COMMIT
        assert trips == ["_run", "_run", "commit"]
        trips.clear()
    assert trips == []  # back to the pool: nothing was open, nothing to roll back


async def test_errors_are_the_drivers_and_the_transaction_is_rolled_back(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
            await conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
    with pytest.raises(OperationalError, match="no such table"):
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM missing"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)
