"""A provider down for an hour, then back, on simulated time: retries back off (capped), nothing
is lost, a notice whose expiry passes is never sent late, and after recovery everything goes."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest

from bot.channels.zalo import ZaloBotAdapter
from models.db import transaction
from models.messaging.service import enqueue
from scheduler.dispatcher import Dispatcher
from tests.conftest import Database
from tests.fakes.base import Failure
from tests.fakes.fixtures import Switchboard
from tests.fakes.zalo import FakeZaloBot
from tests.faults.support import Recording, Send, attached, dispatch_until_done
from tests.messaging.helpers import NOON_VN, SimulatedClock, add_person, outbox, settings_for

OUTAGE = 3600.0  # seconds of simulated time
STEP = 5.0  # the test's dispatcher looks for due messages at most this often
CAMPAIGN, SHORT, LONG = 20, 5, 5
SHORT_LIFE, LONG_LIFE = timedelta(minutes=30), timedelta(hours=4)
PAID = {"amount": 540_000, "period": "2026-03", "account": "******6789", "date": "2026-03-03"}


class DownZalo(FakeZaloBot):
    """The fake Zalo Bot API, answering 503 until the test's clock reaches `until`."""

    def __init__(self, clock: SimulatedClock, until: float) -> None:
        super().__init__()
        self.clock, self.until = clock, until

    def take_failure(self) -> Failure | None:
        if self.clock.monotonic() < self.until:
            return Failure(503, "Service Unavailable")
        return super().take_failure()


async def _queue(db: Database) -> dict[str, set[int]]:
    """Campaign messages, notices expiring during the outage and after it; ids by kind."""
    settings = settings_for(db)
    ids: dict[str, set[int]] = defaultdict(set)
    kinds: list[tuple[str, timedelta | None]] = [("campaign", None)] * CAMPAIGN
    kinds += [("short", SHORT_LIFE)] * SHORT + [("long", LONG_LIFE)] * LONG
    async with transaction(db.sessions) as session:
        for i, (kind, life) in enumerate(kinds):
            person = await add_person(session, f"zalo:{i}")
            notice = life is not None
            row = await enqueue(
                session, person_id=person.id,
                key="notice.payment_credited" if notice else "campaign.text",
                params=PAID if notice else {"text": "Từ tháng 7, trợ cấp qua tài khoản."},
                message_class="notice" if notice else "campaign",
                expires_at=NOON_VN + life if life else None, settings=settings, now=NOON_VN,
            )  # fmt: skip
            assert row is not None
            ids[kind].add(row.id)
    return ids


def _attempts(sends: list[Send]) -> dict[int, list[float]]:
    times: dict[int, list[float]] = defaultdict(list)
    for send in sends:
        times[send.outbox_id].append(send.at)
    return times


@pytest.mark.slow
async def test_an_hour_long_outage_loses_nothing_and_sends_no_stale_notice(
    db: Database, zalo_board: Switchboard
) -> None:
    clock = SimulatedClock(NOON_VN)
    ids = await _queue(db)
    with attached(zalo_board, DownZalo(clock, until=OUTAGE)) as fake:
        settings = settings_for(
            db, sandbox=False, zalo_bot_token=fake.token, zalo_bot_api_url=fake.url
        )  # retries as configured by default: base 30 s, capped at an hour
        zalo = Recording(ZaloBotAdapter(settings), clock)
        dispatcher = Dispatcher(settings, db.sessions, {"zalo": zalo}, worker_id="w", clock=clock)
        try:
            await clock.run(dispatch_until_done(db, dispatcher, clock, end=4 * OUTAGE, step=STEP))
        finally:
            await zalo.aclose()
    async with db.sessions() as session:
        status = {row.id: row.status for row in await outbox(session)}
    # nothing lost, nothing left open: the outage only delayed what could still go
    assert {status[i] for i in ids["campaign"] | ids["long"]} == {"sent"}
    assert {status[i] for i in ids["short"]} == {"expired"}
    delivered = [s.outbox_id for s in zalo.sends if s.status == "sent"]
    assert sorted(delivered) == sorted(ids["campaign"] | ids["long"])  # each exactly once
    assert all(s.at >= OUTAGE for s in zalo.sends if s.status == "sent")
    # a notice is never sent once its expiry has passed
    late = SHORT_LIFE.total_seconds()
    assert not [s for s in zalo.sends if s.outbox_id in ids["short"] and s.at >= late]
    _assert_backoff(_attempts(zalo.sends), settings.retry_base_seconds, settings.retry_max_seconds)


def _assert_backoff(attempts: dict[int, list[float]], base: float, cap: float) -> None:
    """Each wait is the capped exponential delay, jittered between half and all of it."""
    for times in attempts.values():
        for n, (before, after) in enumerate(pairwise(times), start=1):
            delay = min(cap, base * 2 ** (n - 1))
            assert delay / 2 - 1 <= after - before <= delay + 2 * STEP, (n, after - before)
