"""A provider answering storms of 429 with retry_after, on simulated time: no message is lost or
failed because of them, nothing new is sent while the provider asked to wait, and the rate never
exceeds what the provider allows."""

from __future__ import annotations

from collections import Counter

from bot.channels.telegram import TelegramAdapter
from models.db import transaction
from models.messaging.service import enqueue
from scheduler.dispatcher import Dispatcher
from tests.conftest import Database
from tests.fakes.fixtures import Switchboard
from tests.fakes.telegram import FakeTelegram
from tests.faults.support import Recording, Send, attached, dispatch_until_done
from tests.messaging.helpers import NOON_VN, SimulatedClock, add_person, outbox, settings_for

MESSAGES = 60
RATE = 4.0  # sends a second the provider allows, and ansinh's limit for the channel
RETRY_AFTER = 5.0
STORMS = ((3.0, 40.0), (50.0, 52.0))  # simulated seconds in which every send is refused
PAID = {"amount": 540_000, "period": "2026-03", "account": "******6789", "date": "2026-03-03"}


class StormyTelegram(FakeTelegram):
    """The fake Bot API, answering 429 with retry_after to every send during a storm."""

    def __init__(self, clock: SimulatedClock) -> None:
        super().__init__()
        self.clock = clock

    def take_throttle(self) -> float | None:
        now = self.clock.monotonic()
        if any(start <= now < end for start, end in STORMS):
            return RETRY_AFTER
        return super().take_throttle()


async def _queue(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        for i in range(MESSAGES):
            person = await add_person(session, f"telegram:{1000 + i}")
            await enqueue(
                session, person_id=person.id, key="notice.payment_credited", params=PAID,
                message_class="notice", settings=settings, now=NOON_VN,
            )  # fmt: skip


async def test_429_storms_delay_but_never_fail_and_the_rate_holds(
    db: Database, telegram_board: Switchboard
) -> None:
    clock = SimulatedClock(NOON_VN)
    await _queue(db)
    with attached(telegram_board, StormyTelegram(clock)) as fake:
        settings = settings_for(
            db, sandbox=False, telegram_token=fake.token, telegram_api_url=fake.url + "/bot",
            telegram_rate_per_second=RATE, dispatch_concurrency=10,
        )  # fmt: skip
        telegram = Recording(TelegramAdapter(settings), clock)
        dispatcher = Dispatcher(
            settings, db.sessions, {"telegram": telegram}, worker_id="w", clock=clock
        )
        try:
            await clock.run(dispatch_until_done(db, dispatcher, clock, end=3600, step=1.0))
        finally:
            await telegram.aclose()
    async with db.sessions() as session:
        rows = await outbox(session)
    assert Counter(row.status for row in rows) == {"sent": MESSAGES}  # none lost, none failed
    sent = Counter(s.outbox_id for s in telegram.sends if s.status == "sent")
    assert set(sent.values()) == {1} and len(sent) == MESSAGES  # each went exactly once
    assert sum(1 for s in telegram.sends if s.status == "retryable") >= 10  # storms did hit
    _assert_waited(telegram.sends)
    _assert_rate(telegram.sends)


def _assert_waited(sends: list[Send]) -> None:
    """No send leaves while the provider's last retry_after still runs."""
    refusals = [s for s in sends if s.retry_after]
    for send in sends:
        waits = [r for r in refusals if r.answered < send.at < r.answered + (r.retry_after or 0)]
        assert not waits, (send, waits[0])


def _assert_rate(sends: list[Send]) -> None:
    """At most RATE × T sends (plus one) leave in any window of T seconds."""
    times = sorted(s.at for s in sends)
    for window in (1.0, 10.0):
        for i, start in enumerate(times):
            inside = sum(1 for t in times[i:] if t < start + window)
            assert inside <= RATE * window + 1, (start, window, inside)
