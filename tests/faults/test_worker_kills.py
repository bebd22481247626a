"""The worker killed (SIGKILL) twenty times during a campaign: every message goes out, and only
messages in flight at a kill may go out twice."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from tests.conftest import Database
from tests.fakes.zalo import FakeZaloBot
from tests.faults.support import (
    SEND_PATH,
    assert_caught_up,
    kill,
    queue_campaign,
    stop_worker,
    tally,
    wait_caught_up,
    wait_for_sends,
    worker_env,
    workers,
)

MESSAGES = 5_000
KILLS = 20
CONCURRENCY = 20  # the worker's dispatch_concurrency: the most it ever has in flight
# Each send takes this long at the provider, so the campaign lasts past the twentieth kill
# however fast the machine and the dispatcher are (at most 100 messages a second).
PROVIDER_SECONDS = 0.2


@pytest.mark.slow
async def test_twenty_kills_lose_nothing_and_repeat_only_what_was_in_flight(
    db: Database, fake_zalo: FakeZaloBot
) -> None:
    await queue_campaign(db, MESSAGES)
    fake_zalo.delay = PROVIDER_SECONDS
    env = worker_env(db, fake_zalo)
    # a longer lease than the crash test's: two workers overlap here, and a claim must not
    # be taken from a worker that is alive, only slow
    env.update(ANSINH_DISPATCH_LEASE_SECONDS="4", ANSINH_DISPATCH_CONCURRENCY=str(CONCURRENCY))
    rng = random.Random(20)
    deadline = time.monotonic() + 180  # a guard only: the loop takes under a minute when idle
    async with workers(env) as start:
        victim = await start()
        for _ in range(KILLS):
            # the next worker starts while the victim still sends: one is always warming up
            survivor = await start()
            await wait_for_sends(fake_zalo, len(fake_zalo.sent(SEND_PATH)) + 15, deadline)
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            await kill(victim)
            victim = survivor
        sent_during_kills = len(fake_zalo.sent(SEND_PATH))
        await wait_caught_up(db, seconds=120)
        await stop_worker(victim)
    assert sent_during_kills < MESSAGES  # every kill struck in the middle of the campaign
    assert_caught_up(
        await tally(db, fake_zalo), messages=MESSAGES, faults=KILLS, in_flight=CONCURRENCY
    )
