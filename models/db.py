"""Engines and sessions: SQLite tuned for concurrent use, PostgreSQL for production."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models.settings import Settings
from models.sqlite_driver import one_trip_dbapi

_busy_timeout_ms: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _tune_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE so writers never lose updates."""
    _busy_timeout_ms[engine.sync_engine] = busy_timeout_ms

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of big imports stay hot
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at the start: two read-modify-write
        # transactions queue behind each other instead of one failing or losing.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    """An async engine for the configured database."""
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if settings.database_url.startswith("sqlite+aiosqlite:"):
            kwargs.setdefault("module", one_trip_dbapi())
        engine = create_async_engine(
            settings.database_url,
            echo=settings.database_echo,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
            **kwargs,
        )
        _tune_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # the connection used last is taken first: the busy ones stay within the ping window
    # below, and the ones left over idle past it (and past server-side idle timeouts)
    kwargs.setdefault("pool_use_lifo", True)
    engine = create_async_engine(settings.database_url, echo=settings.database_echo, **kwargs)
    _ping_when_idle(engine)
    return engine


# A PostgreSQL connection used less than this long ago is not pinged when taken from the pool
# (HikariCP's "alive bypass window" is half a second). Under load that is nearly every
# checkout, and asyncpg's ping is three round trips (BEGIN, an empty query, ROLLBACK). A
# connection idle for longer is pinged, so after a server restart only statements of that
# moment fail (the pool then starts afresh), as they would with a ping on every checkout.
PING_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping on checkout only the connections idle for `PING_IDLE_SECONDS` or more."""

    @event.listens_for(engine.sync_engine, "connect")
    @event.listens_for(engine.sync_engine, "checkin")
    def _used(_dbapi_connection: Any, record: Any) -> None:
        record.info["used_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        used_at = record.info.get("used_at")
        if used_at is not None and time.monotonic() - used_at < PING_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:  # the pool replaces it and tries again
            raise DisconnectionError(f"connection lost while idle: {error!r}") from error


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


# SQLite has one writer at a time, and every transaction here takes the write lock at BEGIN.
# Within a process, transactions wait for it in line on an asyncio lock: woken the moment the
# previous one ends, in order, instead of SQLite's busy handler sleeping and retrying (up to
# 100 ms a nap), which made the slowest answers under load wait seconds.
_writers: weakref.WeakKeyDictionary[Any, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def _in_line(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite":
        yield
        return
    loop = asyncio.get_running_loop()
    owner, lock = _writers.get(engine.sync_engine, (None, None))
    if owner is not loop or lock is None:  # a lock serves the loop it was made in
        lock = asyncio.Lock()
        _writers[engine.sync_engine] = (loop, lock)
    patience = _busy_timeout_ms.get(engine.sync_engine, 0) / 1000
    try:
        async with asyncio.timeout(patience or None):
            await lock.acquire()
    except TimeoutError:
        # what SQLite itself says when its busy timeout runs out
        raise OperationalError(
            "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
        ) from None
    try:
        yield
    finally:
        lock.release()


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error.

    On SQLite the transactions of one process take the write lock in turn (`_in_line`).
    """
    async with _in_line(sessions), sessions() as session, session.begin():
        yield session


@asynccontextmanager
async def single_statements(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncConnection]:
    """A connection for work whose statements are each whole by themselves.

    On PostgreSQL each statement commits on its own (AUTOCOMMIT): no BEGIN and COMMIT round
    trips. On SQLite, a transaction that waits in line like `transaction`'s.
    """
    engine: AsyncEngine = sessions.kw["bind"]
    if engine.dialect.name == "sqlite":
        async with _in_line(sessions), engine.begin() as connection:
            yield connection
        return
    async with engine.connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")
