"""Waking the dispatcher when a reply is queued, so a person is answered at once, not at the
next dispatch interval.

In the process that queued the reply, `Dispatcher.wake()` is called directly. Across
processes, on PostgreSQL, the transaction that queues replies also sends `NOTIFY ansinh_outbox`
(delivered when it commits, never if it rolls back), and every dispatcher listens on a
connection of its own. A lost notification costs only latency: the dispatcher still claims at
every `dispatch_interval_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

log = logging.getLogger(__name__)

CHANNEL = "ansinh_outbox"
RECONNECT_SECONDS = 5.0


async def announce_queued(session: AsyncSession) -> None:
    """Tell every listening dispatcher, once this transaction commits, that replies wait."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SELECT pg_notify('{CHANNEL}', '')"))


class OutboxListener:
    """LISTEN on PostgreSQL and call `wake` for each notification, reconnecting when the
    connection is lost; does nothing on other databases."""

    def __init__(self, engine: AsyncEngine, wake: Callable[[], None]) -> None:
        self._engine = engine
        self._wake = wake

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop` is set."""
        if self._engine.dialect.name != "postgresql":
            return
        while not stop.is_set():
            try:
                await self._listen(stop)
            except Exception:
                log.warning("listening for queued replies failed; trying again", exc_info=True)
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RECONNECT_SECONDS)

    async def _listen(self, stop: asyncio.Event) -> None:
        lost = asyncio.Event()

        def notified(*_: Any) -> None:
            self._wake()

        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            driver.add_termination_listener(lambda _: lost.set())
            await driver.add_listener(CHANNEL, notified)
            self._wake()  # whatever was queued while nobody listened
            try:
                await _first(stop, lost)
            finally:
                if not lost.is_set():
                    with contextlib.suppress(Exception):
                        await driver.remove_listener(CHANNEL, notified)
                else:
                    await connection.invalidate()


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
