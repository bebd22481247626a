"""Rate limits on simulated time: no 60-second window ever carries more than the limit."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import random

from models.settings import load_settings
from scheduler.ratelimit import NS, ChannelLimits, RateLimiter
from tests.messaging.helpers import SimulatedClock


def _max_in_window(times: list[int], costs: list[int], window_ns: int) -> int:
    """The largest total cost inside any half-open window [t, t + window) starting at a send."""
    order = sorted(range(len(times)), key=times.__getitem__)
    times = [times[i] for i in order]
    prefix = [0]
    for i in order:
        prefix.append(prefix[-1] + costs[i])
    best = 0
    for start, t in enumerate(times):
        end = bisect.bisect_left(times, t + window_ns)
        best = max(best, prefix[end] - prefix[start])
    return best


async def _run_senders(
    clock: SimulatedClock, limits: ChannelLimits, sends: list[tuple[str, str, int]], workers: int
) -> list[tuple[int, str, str, int]]:
    """Send `sends` through `workers` concurrent senders; when each one went."""
    queue = list(reversed(sends))
    went: list[tuple[int, str, str, int]] = []

    async def worker() -> None:
        while queue:
            channel, address, cost = queue.pop()
            await limits.acquire(channel, address, cost)
            went.append((clock.ns, channel, address, cost))
            await clock.sleep(0.001)  # the send itself

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(workers)))

    await clock.run(main())
    return went


async def test_telegram_overall_and_per_chat_limits_hold_in_every_minute() -> None:
    clock = SimulatedClock()
    settings = load_settings(telegram_rate_per_second=25, telegram_rate_per_chat=1)
    limits = ChannelLimits(settings, clock)
    rng = random.Random(3)
    sends = [("telegram", f"telegram:{rng.randrange(40)}", 1) for _ in range(4000)]
    went = await _run_senders(clock, limits, sends, workers=50)
    times = [t for t, *_ in went]
    assert len(went) == 4000
    assert _max_in_window(times, [1] * len(times), 60 * NS) <= 25 * 60
    assert _max_in_window(times, [1] * len(times), 1 * NS) <= 25
    for chat in {a for _, _, a, _ in went}:
        mine = sorted(t for t, _, a, _ in went if a == chat)
        assert all(b - a >= NS for a, b in itertools.pairwise(mine))
    # and the limit is used, not wasted: 4000 sends at 25/s need 160 s at least
    assert max(times) <= 170 * NS


async def test_sms_counts_segments() -> None:
    clock = SimulatedClock()
    limits = ChannelLimits(load_settings(sms_rate_segments_per_second=20), clock)
    rng = random.Random(5)
    sends = [("sms", f"tel:+8491234{i:04d}", rng.choice([1, 1, 2, 3])) for i in range(3000)]
    went = await _run_senders(clock, limits, sends, workers=30)
    times = [t for t, *_ in went]
    costs = [c for *_, c in went]
    # at most one send's extra segments beyond rate × window
    assert _max_in_window(times, costs, 60 * NS) <= 20 * 60 + 2


async def test_pause_holds_the_channel() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter(10, clock)

    async def main() -> list[int]:
        await limiter.acquire()
        limiter.pause(5)
        await limiter.acquire()
        return [clock.ns]

    (after,) = await clock.run(main())
    assert after >= 5 * NS


def test_a_lone_send_does_not_wait() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter(1, clock)
    assert limiter.reserve() == 0
    clock.ns += 5 * NS
    assert limiter.reserve() == 0
    assert limiter.reserve() == 1.0
