"""Claiming: order per address, leases, expiry, windows, one campaign a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.db import transaction
from models.messaging.service import (
    SendOutcome,
    claim_due,
    enqueue,
    expire_stale,
    record_results,
)
from models.messaging.tables import OutboxMessage
from models.settings import Settings
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, outbox, settings_for


async def _queue(
    db: Database, settings: Settings, person_id: int, cls: str, key: str, **kw: Any
) -> OutboxMessage:
    params = {"text": "Xin chào"} if key == "campaign.text" else {}
    async with transaction(db.sessions) as session:
        row = await enqueue(
            session, person_id=person_id, key=key, params=params, message_class=cls,
            settings=settings, now=kw.pop("now", NOON_VN), **kw,
        )  # fmt: skip
    assert row is not None
    return row


async def _claim(
    db: Database, settings: Settings, now: datetime = NOON_VN, worker: str = "w1"
) -> list[OutboxMessage]:
    async with transaction(db.sessions) as session:
        return await claim_due(session, worker_id=worker, limit=50, now=now, settings=settings)


async def _sent(db: Database, settings: Settings, *messages: OutboxMessage) -> None:
    async with transaction(db.sessions) as session:
        await record_results(
            session,
            outcomes=[SendOutcome(m, "sent", provider_message_id=f"p{m.id}") for m in messages],
            worker_id="w1", now=NOON_VN, settings=settings,
        )  # fmt: skip


async def test_claim_marks_sending_once(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
    queued = await _queue(db, settings, person.id, "notice", "notice.safety_reminder")
    claimed = await _claim(db, settings)
    assert [m.id for m in claimed] == [queued.id]
    assert (claimed[0].status, claimed[0].claimed_by, claimed[0].attempts) == ("sending", "w1", 1)
    assert await _claim(db, settings, worker="w2") == []


async def test_messages_to_one_address_go_one_at_a_time_in_order(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        other = await add_person(session, "telegram:2")
    first = await _queue(db, settings, person.id, "notice", "notice.safety_reminder")
    second = await _queue(db, settings, person.id, "notice", "notice.registration_approved")
    campaign = await _queue(db, settings, person.id, "campaign", "campaign.text")
    elsewhere = await _queue(db, settings, other.id, "notice", "notice.safety_reminder")
    assert {m.id for m in await _claim(db, settings)} == {first.id, elsewhere.id}
    assert await _claim(db, settings) == []  # the first is still sending
    await _sent(db, settings, first)
    assert [m.id for m in await _claim(db, settings)] == [second.id]
    await _sent(db, settings, second)
    assert [m.id for m in await _claim(db, settings)] == [campaign.id]


async def test_a_reply_is_not_held_back_by_a_waiting_campaign(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
    tomorrow = NOON_VN + timedelta(days=1)
    await _queue(db, settings, person.id, "campaign", "campaign.text", not_before=tomorrow)
    reply = await _queue(db, settings, person.id, "reply", "reply.unknown", address="telegram:1")
    assert [m.id for m in await _claim(db, settings)] == [reply.id]


async def test_stale_claim_is_taken_back_after_the_lease(db: Database) -> None:
    settings = settings_for(db, dispatch_lease_seconds=120)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
    queued = await _queue(db, settings, person.id, "notice", "notice.safety_reminder")
    await _claim(db, settings, worker="crashed")
    assert await _claim(db, settings, NOON_VN + timedelta(seconds=60), worker="w2") == []
    again = await _claim(db, settings, NOON_VN + timedelta(seconds=121), worker="w2")
    assert [(m.id, m.claimed_by, m.attempts) for m in again] == [(queued.id, "w2", 2)]


async def test_expired_messages_are_never_sent_late(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        other = await add_person(session, "telegram:2")
    soon = NOON_VN + timedelta(minutes=5)
    stale = await _queue(
        db, settings, person.id, "notice", "notice.safety_reminder", expires_at=soon
    )
    later = NOON_VN + timedelta(days=1)
    waiting = await _queue(
        db, settings, other.id, "notice", "notice.safety_reminder", expires_at=soon,
        not_before=later,
    )  # fmt: skip
    assert await _claim(db, settings, soon + timedelta(seconds=1)) == []
    async with transaction(db.sessions) as session:
        assert await expire_stale(session, now=soon + timedelta(seconds=1)) == 1
        rows = {row.id: row.status for row in await outbox(session)}
    assert rows == {stale.id: "expired", waiting.id: "expired"}


async def test_outside_the_window_a_due_campaign_is_put_off_to_the_morning(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
    campaign = await _queue(db, settings, person.id, "campaign", "campaign.text")
    evening = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)  # 20:30 in Vietnam
    assert await _claim(db, settings, evening) == []
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert row.id == campaign.id and row.status == "pending"
    assert row.next_attempt_at == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)


async def test_one_campaign_per_person_per_vietnamese_day(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
    first = await _queue(db, settings, person.id, "campaign", "campaign.text", campaign_id=1)
    second = await _queue(db, settings, person.id, "campaign", "campaign.text", campaign_id=2)
    (claimed,) = await _claim(db, settings)
    assert claimed.id == first.id
    await _sent(db, settings, claimed)
    assert await _claim(db, settings, NOON_VN + timedelta(hours=1)) == []
    async with db.sessions() as session:
        deferred = (await outbox(session))[1]
    assert deferred.id == second.id
    assert deferred.next_attempt_at == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # 08:00 tomorrow
    tomorrow = await _claim(db, settings, datetime(2026, 3, 4, 1, 0, tzinfo=UTC))
    assert [m.id for m in tomorrow] == [second.id]


async def test_locale_is_the_persons_at_send_time(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1", locale="vi")
    await _queue(db, settings, person.id, "notice", "notice.safety_reminder")
    async with transaction(db.sessions) as session:
        fresh = await session.get(type(person), person.id)
        assert fresh is not None
        fresh.locale = "en"
    (claimed,) = await _claim(db, settings)
    assert claimed.locale == "en"


async def test_a_conversation_reply_keeps_the_conversations_language(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1", locale="vi")
    await _queue(db, settings, person.id, "reply", "dialog.menu", locale="en")
    (claimed,) = await _claim(db, settings)
    assert claimed.locale == "en"  # the person wrote in English there, whatever the record says
