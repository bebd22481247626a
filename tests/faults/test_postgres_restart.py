"""PostgreSQL restarted in the middle of a dispatch run, as its clients see it: every connection
dropped at once, several times. The worker reconnects by itself and loses nothing.

The shared test server cannot be restarted under other test runs, so the test terminates the
server processes (pg_terminate_backend) of every connection the worker and the test itself hold:
from the client's side, exactly what a restart does.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import column, func, select, table
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, Database
from tests.fakes.zalo import FakeZaloBot
from tests.faults.support import (
    SEND_PATH,
    assert_caught_up,
    local_ports,
    queue_campaign,
    stop_worker,
    tally,
    wait_caught_up,
    wait_for_sends,
    worker_env,
    workers,
)

pytestmark = pytest.mark.skipif(not PG_URL, reason="a PostgreSQL fault")

MESSAGES = 3_000
RESTARTS = 5
CONCURRENCY = 20
RATE = 150  # sends a second: the campaign outlasts every restart
ACTIVITY = table("pg_stat_activity", column("pid"), column("datname"), column("client_port"))


async def _drop_connections(db: Database, *pids: int) -> int:
    """Terminate the server side of every connection processes `pids` hold; how many."""
    port = make_url(db.url).port or 5432
    ports = set().union(*(local_ports(pid, port) for pid in pids))
    async with db.engine.connect() as connection:
        query = select(func.pg_terminate_backend(ACTIVITY.c.pid)).where(
            ACTIVITY.c.datname == func.current_database(),
            ACTIVITY.c.client_port.in_(sorted(ports)),
            ACTIVITY.c.pid != func.pg_backend_pid(),
        )
        return sum(1 for ok in await connection.scalars(query) if ok)


@pytest.mark.slow
async def test_dropped_connections_are_replaced_and_dispatch_catches_up(
    db: Database, fake_zalo: FakeZaloBot
) -> None:
    await queue_campaign(db, MESSAGES)
    env = worker_env(db, fake_zalo)
    env.update(
        ANSINH_ZALO_BOT_RATE_PER_SECOND=str(RATE), ANSINH_DISPATCH_CONCURRENCY=str(CONCURRENCY)
    )
    deadline = time.monotonic() + 120  # a guard only
    async with workers(env) as start:
        worker = await start()
        for _ in range(RESTARTS):
            await wait_for_sends(fake_zalo, len(fake_zalo.sent(SEND_PATH)) + 150, deadline)
            assert await _drop_connections(db, worker.pid, os.getpid()) > 0
        await wait_for_sends(fake_zalo, len(fake_zalo.sent(SEND_PATH)) + 150, deadline)
        assert len(fake_zalo.sent(SEND_PATH)) < MESSAGES  # every restart struck mid-campaign
        await wait_caught_up(db, seconds=60)
        assert worker.returncode is None  # the same process recovered: nobody restarted it
        await stop_worker(worker)
    assert_caught_up(
        await tally(db, fake_zalo), messages=MESSAGES, faults=RESTARTS, in_flight=CONCURRENCY
    )
