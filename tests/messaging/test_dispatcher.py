"""The dispatcher end to end: sandbox inbox, and the real adapters against fake providers."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot.channels.registry import build_adapters, close_adapters
from models.db import transaction
from models.messaging.service import claim_replies, enqueue
from models.messaging.tables import SandboxMessage
from models.settings import Settings
from scheduler.dispatcher import Dispatcher, GroupCommit
from tests.conftest import Database
from tests.fakes.sms_gateway import SEND_PATH, FakeSmsGateway
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZaloBot
from tests.messaging.helpers import NOON_VN, NoonClock, add_person, contact, outbox, settings_for

PAID = {"amount": 500_000, "period": "2026-03", "account": "0123456789", "date": "2026-03-05"}


async def _notice(db: Database, settings: Settings, *addresses: str, **kw: Any) -> int:
    async with transaction(db.sessions) as session:
        person = await add_person(session, *addresses)
        row = await enqueue(
            session, person_id=person.id, key="notice.payment_credited", params=PAID,
            message_class="notice", settings=settings, now=NOON_VN, **kw,
        )  # fmt: skip
    assert row is not None
    return row.id


async def _dispatch(db: Database, settings: Settings, rounds: int = 1) -> list[int]:
    adapters = build_adapters(settings, db.sessions)
    dispatcher = Dispatcher(settings, db.sessions, adapters, worker_id="t1", clock=NoonClock())
    try:
        return [await dispatcher.run_once() for _ in range(rounds)]
    finally:
        await close_adapters(adapters)


def _providers(
    db: Database, telegram: FakeTelegram, zalo: FakeZaloBot, gateway: FakeSmsGateway, **kw: Any
) -> Settings:
    return settings_for(
        db,
        sandbox=False,
        telegram_token=telegram.token,
        telegram_api_url=telegram.url + "/bot",
        zalo_bot_token=zalo.token,
        zalo_bot_api_url=zalo.url,
        sms_provider="http",
        sms_gateway_url=gateway.url + SEND_PATH,
        sms_gateway_api_key=gateway.api_key,
        **kw,
    )


async def test_sandbox_mode_sends_everything_to_the_inbox(db: Database) -> None:
    settings = settings_for(db, sandbox=True)
    for i in range(12):
        await _notice(db, settings, f"telegram:{i}" if i % 2 else f"tel:+8491234{i:04d}")
    assert await _dispatch(db, settings, rounds=2) == [12, 0]
    async with db.sessions() as session:
        rows = await outbox(session)
        inbox = await session.scalar(select(func.count()).select_from(SandboxMessage))
    assert {row.status for row in rows} == {"sent"}
    assert all(row.provider_message_id for row in rows)
    assert inbox == 12


async def test_blocked_chats_fall_back_to_sms_through_the_real_adapters(
    db: Database,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZaloBot,
    fake_sms_gateway: FakeSmsGateway,
) -> None:
    settings = _providers(db, fake_telegram, fake_zalo, fake_sms_gateway)
    fake_telegram.block("telegram:501")
    fake_zalo.block("zalo:zz")
    first = await _notice(db, settings, "telegram:501", "tel:+84912340001")
    second = await _notice(db, settings, "zalo:zz", "tel:+84912340002")
    fine = await _notice(db, settings, "telegram:502", "tel:+84912340003")
    assert await _dispatch(db, settings, rounds=3) == [3, 2, 0]
    async with db.sessions() as session:
        rows = {row.id: row for row in await outbox(session)}
        blocked = await contact(session, "telegram:501")
    assert (rows[first].status, rows[second].status, rows[fine].status) == (
        "failed", "failed", "sent",
    )  # fmt: skip
    fallbacks = [row for row in rows.values() if row.fallback_of_id is not None]
    assert {(r.fallback_of_id, r.channel, r.status) for r in fallbacks} == {
        (first, "sms", "sent"),
        (second, "sms", "sent"),
    }
    assert blocked.reachability == "unreachable"
    phones = sorted(str(r.body.get("phone")) for r in fake_sms_gateway.sent(SEND_PATH))
    assert phones == ["84912340001", "84912340002"]
    assert len(fake_telegram.messages_sent()) == 2 and len(fake_zalo.sent("/sendMessage")) == 1


async def test_provider_errors_are_retried_later(
    db: Database,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZaloBot,
    fake_sms_gateway: FakeSmsGateway,
) -> None:
    settings = _providers(db, fake_telegram, fake_zalo, fake_sms_gateway)
    fake_telegram.fail_next(1, status=502)
    fake_telegram.throttle_next(1, retry_after=3)
    one = await _notice(db, settings, "telegram:601")
    two = await _notice(db, settings, "telegram:602")
    assert await _dispatch(db, settings) == [2]
    async with db.sessions() as session:
        rows = {row.id: row for row in await outbox(session)}
    assert {rows[one].status, rows[two].status} == {"pending"}
    assert {rows[one].attempts, rows[two].attempts} == {1}
    waits = sorted((rows[i].next_attempt_at - NOON_VN).total_seconds() for i in (one, two))
    assert waits[1] >= 3 and waits[0] <= 30  # retry_after honoured; backoff ≤ base


async def test_concurrent_dispatchers_never_send_one_message_twice(
    db: Database, fake_telegram: FakeTelegram, fake_zalo: FakeZaloBot,
    fake_sms_gateway: FakeSmsGateway,
) -> None:  # fmt: skip
    settings = _providers(
        db, fake_telegram, fake_zalo, fake_sms_gateway, dispatch_batch_size=20,
        telegram_rate_per_second=10_000,
    )  # fmt: skip
    for i in range(120):
        await _notice(db, settings, f"telegram:{7000 + i}")
    adapters = build_adapters(settings, db.sessions)
    workers = [
        Dispatcher(settings, db.sessions, adapters, worker_id=f"w{i}", clock=NoonClock())
        for i in range(3)
    ]

    async def drain(dispatcher: Dispatcher) -> None:
        while await dispatcher.run_once():
            pass

    try:
        await asyncio.gather(*(drain(w) for w in workers))
    finally:
        await close_adapters(adapters)
    chats = [str(m["chat_id"]) for m in fake_telegram.messages_sent()]
    assert len(chats) == 120 and len(set(chats)) == 120


async def test_run_forever_sends_what_arrives_and_stops_cleanly(db: Database) -> None:
    settings = settings_for(db, sandbox=True, dispatch_interval_seconds=0.02, dispatch_batch_size=4)
    adapters = build_adapters(settings, db.sessions)
    dispatcher = Dispatcher(settings, db.sessions, adapters, worker_id="t1", clock=NoonClock())
    stop = asyncio.Event()
    running = asyncio.ensure_future(dispatcher.run_forever(stop))
    try:
        for i in range(10):
            await _notice(db, settings, f"telegram:{i}")
        for _ in range(500):
            async with db.sessions() as session:
                if {row.status for row in await outbox(session)} == {"sent"}:
                    break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)
        await close_adapters(adapters)
    async with db.sessions() as session:
        assert [row.status for row in await outbox(session)] == ["sent"] * 10


async def test_a_channel_without_adapter_moves_on_without_marking_the_address(
    db: Database, fake_sms_gateway: FakeSmsGateway
) -> None:
    settings = settings_for(
        db, sandbox=False, sms_provider="http", sms_gateway_url=fake_sms_gateway.url + SEND_PATH,
        sms_gateway_api_key=fake_sms_gateway.api_key,
    )  # fmt: skip
    first = await _notice(db, settings, "telegram:9", "tel:+84912340009")
    assert await _dispatch(db, settings, rounds=3) == [1, 1, 0]
    async with db.sessions() as session:
        rows = await outbox(session)
        chat = await contact(session, "telegram:9")
    assert [(r.channel, r.status, r.fallback_of_id) for r in rows] == [
        ("telegram", "failed", None),
        ("sms", "sent", first),
    ]
    assert chat.reachability == "unknown"
    assert len(fake_sms_gateway.sent(SEND_PATH)) == 1


class _SlowRecords(Dispatcher):
    """A dispatcher whose first write of results waits until the test lets it go."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.release = asyncio.Event()
        self.writes = 0

    async def _write_results(self, outcomes: Any) -> None:
        self.writes += 1
        if self.writes == 1:
            await self.release.wait()
        await super()._write_results(outcomes)


async def test_replies_handed_over_go_out_in_order_without_waiting_for_the_writes(
    db: Database, fake_telegram: FakeTelegram, fake_zalo: FakeZaloBot,
    fake_sms_gateway: FakeSmsGateway,
) -> None:  # fmt: skip
    settings = _providers(db, fake_telegram, fake_zalo, fake_sms_gateway)
    async with transaction(db.sessions) as session:
        rows = [
            await enqueue(
                session,
                person_id=None,
                key=key,
                params={},
                message_class="reply",
                address="telegram:601",
                settings=settings,
                now=NOON_VN,
            )
            for key in ("dialog.atm.ask", "dialog.menu")
        ]
        claimed = await claim_replies(
            session, [row for row in rows if row is not None], worker_id="t1", now=NOON_VN
        )
    assert len(claimed) == 2
    adapters = build_adapters(settings, db.sessions)
    dispatcher = _SlowRecords(settings, db.sessions, adapters, worker_id="t1", clock=NoonClock())
    try:
        dispatcher.hand_over(claimed)
        for _ in range(200):  # the second goes out while the first's result waits
            if len(fake_telegram.messages_sent()) == 2:
                break
            await asyncio.sleep(0.01)
        sent = fake_telegram.messages_sent()
        assert [body["text"] for body in sent] == [
            dispatcher._render(message).text for message in claimed
        ]
        async with db.sessions() as session:
            assert {row.status for row in await outbox(session)} == {"sending"}
        dispatcher.release.set()
        await asyncio.gather(*dispatcher._handed)
    finally:
        await close_adapters(adapters)
    async with db.sessions() as session:
        assert [row.status for row in await outbox(session)] == ["sent", "sent"]


async def test_results_arriving_together_share_one_write_when_it_waits_for_them() -> None:
    async def run(**waiting: Any) -> list[list[int]]:
        writes: list[list[int]] = []

        async def write(items: list[int]) -> None:
            writes.append(items)
            await asyncio.sleep(0)

        results = GroupCommit(write, **waiting)
        await asyncio.gather(*(results.submit(item) for item in (1, 2, 3)))
        return writes

    assert await run() == [[1], [2, 3]]  # the first is written at once, the rest meanwhile
    assert await run(linger=0.001, full=8) == [[1, 2, 3]]


async def test_a_result_write_cancelled_while_waiting_for_company_still_writes() -> None:
    writes: list[list[int]] = []

    async def write(items: list[int]) -> None:
        writes.append(items)

    results = GroupCommit(write, linger=60.0, full=8)
    waiting = asyncio.ensure_future(results.submit(1))
    await asyncio.sleep(0)  # it waits for others to join its write
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert writes == [[1]]
