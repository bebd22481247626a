"""Helpers for the messaging tests: people with addresses, settings, a simulated clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress, Person
from models.settings import Settings
from tests.conftest import Database, make_test_settings

# 10:00 in Hà Nội on a Tuesday: inside every default sending window
NOON_VN = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)


def settings_for(db: Database, **overrides: Any) -> Settings:
    """Test settings on the test database, with overrides."""
    return make_test_settings(db.url, **overrides)


async def add_person(
    session: AsyncSession, *addresses: str, locale: str = "vi", name: str = "Nông Văn Lâm"
) -> Person:
    """A person with contact addresses, the first one preferred."""
    person = Person(full_name=name, search_name=name.lower(), locale=locale)
    session.add(person)
    await session.flush()
    for priority, address in enumerate(addresses):
        session.add(
            ContactAddress(
                person_id=person.id,
                channel=address.split(":", 1)[0],
                address=address,
                priority=priority,
            )
        )
    await session.flush()
    return person


async def outbox(session: AsyncSession) -> list[OutboxMessage]:
    """Every outbox row, oldest first, freshly read."""
    rows = await session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id).execution_options(populate_existing=True)
    )
    return list(rows)


async def contact(session: AsyncSession, address: str) -> ContactAddress:
    """The (first) contact address row for `address`, freshly read."""
    query = (
        select(ContactAddress)
        .where(ContactAddress.address == address)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(query)).first()  # type: ignore[return-value]


class SimulatedClock:
    """Virtual time: sleepers wake in order of their deadlines, and no real time passes.

    `run(coro)` drives the loop: whenever every task is waiting on the clock, time jumps to
    the earliest deadline.
    """

    def __init__(self, start: datetime = NOON_VN) -> None:
        self.ns = 0
        self._start = start
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def utcnow(self) -> datetime:
        return self._start + timedelta(microseconds=self.ns // 1000)

    def monotonic(self) -> float:
        return self.ns / 1e9

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.ns + round(seconds * 1e9), next(self._order), future))
        await future

    async def run(self, main: Any) -> Any:
        """Run coroutine `main` to the end on virtual time."""
        task = asyncio.ensure_future(main)
        while not task.done():
            for _ in range(20):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if self._sleepers and not task.done():
                wake, _, future = heapq.heappop(self._sleepers)
                self.ns = max(self.ns, wake)
                future.set_result(None)
        return task.result()


class NoonClock:
    """Real monotonic time and sleeping, but the wall clock stays at 10:00 in Vietnam."""

    def __init__(self, now: datetime = NOON_VN) -> None:
        self.now = now

    def utcnow(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
