"""The clock the dispatcher and rate limits read, so tests can run on simulated time."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Protocol

from models.base import utcnow


class Clock(Protocol):
    """Wall time for the database, monotonic time and sleeping for rate limits."""

    def utcnow(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The real clock."""

    def utcnow(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return utcnow()

    def monotonic(self) -> float:
        """time.monotonic()."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """asyncio.sleep()."""
        await asyncio.sleep(seconds)
