"""The fixed jobs: each one is idempotent and runs only in the leading process."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from models.conversations.service import forget_stale_data
from models.db import transaction
from models.messaging.service import expire_stale, release_stale_claims
from models.people.representations import expire_representations
from models.settings import Settings
from scheduler.admin_jobs import run_admin_jobs
from scheduler.timing import Clock, SystemClock

log = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock the leading process holds ("ansinh" in ASCII).
LEADER_LOCK_KEY = 0x616E73696E68


class Leadership:
    """Who runs the jobs: on PostgreSQL the holder of an advisory lock, on SQLite this process.

    The lock lives on a dedicated connection, so it is released the moment the process dies;
    the processes standing by try again on every `try_lead`.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self.leading = engine.dialect.name == "sqlite"

    async def try_lead(self) -> bool:
        """Take (or confirm) the lead; whether this process leads now."""
        if self._engine.dialect.name == "sqlite":
            return True
        try:
            if self.leading and self._connection is not None:
                await self._connection.exec_driver_sql("SELECT 1")
            else:
                self.leading = await self._try_lock()
        except Exception:
            log.warning("lost the scheduler lead (database connection failed)", exc_info=True)
            await self._drop_connection()
        return self.leading

    async def _try_lock(self) -> bool:
        if self._connection is None:
            connection = await self._engine.connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        got = await self._connection.scalar(select(func.pg_try_advisory_lock(LEADER_LOCK_KEY)))
        if got:
            log.info("this process now leads the scheduler")
        return bool(got)

    async def _drop_connection(self) -> None:
        self.leading = False
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception:
                log.debug("closing the leadership connection failed", exc_info=True)

    async def release(self) -> None:
        """Give up the lead: the connection is closed, not pooled, so the lock goes with it."""
        connection, self._connection = self._connection, None
        self.leading = self._engine.dialect.name == "sqlite"
        if connection is not None:
            await connection.invalidate()
            await connection.close()


@dataclass
class Jobs:
    """The job functions APScheduler calls; each does nothing unless this process leads."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    leadership: Leadership
    clock: Clock | None = None

    def _now(self) -> datetime:
        return (self.clock or SystemClock()).utcnow()

    async def lead(self) -> None:
        """Take or keep the lead."""
        await self.leadership.try_lead()

    async def expire(self) -> None:
        """Expire what outlived its time: messages, idle conversations' data, representations."""
        if not self.leadership.leading:
            return
        now = self._now()
        async with transaction(self.sessions) as session:
            count = await expire_stale(session, now=now)
            forgotten = await forget_stale_data(session, now=now)
            ended = await expire_representations(session, today=local_date(now, self.settings))
        if count or forgotten or ended:
            log.info(
                "expired %d outbox messages, %d idle conversations' data, %d representations",
                count,
                forgotten,
                ended,
            )

    async def reclaim(self) -> None:
        """Take back messages a crashed worker claimed and never finished."""
        if not self.leadership.leading:
            return
        async with transaction(self.sessions) as session:
            count = await release_stale_claims(
                session,
                now=self._now(),
                lease_seconds=self.settings.dispatch_lease_seconds,
                max_attempts=self.settings.retry_max_attempts,
            )
        if count:
            log.warning("took back %d outbox messages from stale claims", count)

    async def admin(self) -> None:
        """Launch due campaigns; remind session attendees and late communes (all idempotent)."""
        if self.leadership.leading:
            await run_admin_jobs(self.sessions, self.settings, self._now())


def local_date(moment: datetime, settings: Settings) -> date:
    """The calendar day in the programme's time zone (Asia/Ho_Chi_Minh)."""
    return moment.astimezone(ZoneInfo(settings.timezone)).date()
