"""Rate limits per channel and per chat, on an injectable clock.

Each limiter spaces sends evenly (a leaky bucket with no burst): a send of cost c may go
c / rate seconds after the previous one. Over any window of T seconds a limiter lets at most
rate × T units through (plus the cost of one send, when costs exceed 1). Time is kept in
integer nanoseconds so that long runs do not drift.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field

from models.settings import Settings
from scheduler.timing import Clock, SystemClock

NS = 1_000_000_000
_PRUNE_AT = 10_000  # per-chat limiters kept before idle ones are dropped


def _ns(seconds: float) -> int:
    return round(seconds * NS)


class RateLimiter:
    """Lets `rate` units a second through, evenly spaced, first come first served."""

    def __init__(self, rate: float, clock: Clock) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._clock = clock
        self._free_at: int | None = None  # when the last reserved send goes (ns)
        self._pauses = 0  # slots booked before a pause are booked again after it
        self._paused_until = 0

    def _interval(self, cost: float) -> int:
        return math.ceil(cost * NS / self.rate)

    def reserve(self, cost: float = 1) -> float:
        """Book the next slot for a send of `cost`; the seconds to wait for it."""
        now = _ns(self._clock.monotonic())
        go = now if self._free_at is None else max(now, self._free_at + self._interval(cost))
        self._free_at = go
        return (go - now) / NS

    async def acquire(self, cost: float = 1) -> None:
        """Wait until a send of `cost` may go (a pause while waiting holds it too)."""
        while True:
            pauses = self._pauses
            delay = self.reserve(cost)
            if delay > 0:
                await self._clock.sleep(delay)
            if pauses == self._pauses:
                return

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (the provider said retry_after).

        Sends already waiting for a slot book a new one after the pause, spaced as usual.
        """
        self._paused_until = max(self._paused_until, _ns(self._clock.monotonic() + seconds))
        self._free_at = self._paused_until - self._interval(1)  # the next send goes at the end
        self._pauses += 1

    def mark_sent(self) -> None:
        """Count the next interval from now: a send went later than its slot."""
        now = _ns(self._clock.monotonic())
        self._free_at = now if self._free_at is None else max(self._free_at, now)

    def idle(self) -> bool:
        """Whether a send now would not wait."""
        if self._free_at is None:
            return True
        return self._free_at + self._interval(1) <= _ns(self._clock.monotonic())


@dataclass
class _Chat:
    limiter: RateLimiter
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ChannelLimits:
    """The limits of every channel: overall per channel, per chat where the provider has one."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        rates = {
            "telegram": settings.telegram_rate_per_second,
            "zalo": settings.zalo_bot_rate_per_second,
            "zns": settings.zns_rate_per_second,
            "sms": settings.sms_rate_segments_per_second,  # counted in segments
        }
        self._overall = {name: RateLimiter(rate, self._clock) for name, rate in rates.items()}
        self._chat_rates = {"telegram": settings.telegram_rate_per_chat}
        self._chats: dict[tuple[str, str], _Chat] = {}

    def _chat(self, channel: str, address: str) -> _Chat | None:
        rate = self._chat_rates.get(channel)
        if rate is None:
            return None
        chat = self._chats.get((channel, address))
        if chat is None:
            if len(self._chats) >= _PRUNE_AT:
                self._prune()
            chat = self._chats[(channel, address)] = _Chat(RateLimiter(rate, self._clock))
        return chat

    def _prune(self) -> None:
        for key, chat in list(self._chats.items()):
            if not chat.lock.locked() and chat.limiter.idle():
                del self._chats[key]

    async def acquire(self, channel: str, address: str, cost: float = 1) -> None:
        """Wait until a send of `cost` units on `channel` to `address` may go."""
        overall = self._overall.get(channel)
        chat = self._chat(channel, address)
        if chat is None:
            if overall is not None:
                await overall.acquire(cost)
            return
        # one send per chat at a time, spaced from the moment the previous one really went
        async with chat.lock:
            await chat.limiter.acquire(1)
            if overall is not None:
                await overall.acquire(cost)
            chat.limiter.mark_sent()

    def pause(self, channel: str, seconds: float) -> None:
        """Hold a whole channel for `seconds`."""
        overall = self._overall.get(channel)
        if overall is not None:
            overall.pause(seconds)
