"""Queueing: idempotency, routing by policy, suppression, priorities, windows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from models.db import transaction
from models.messaging.service import enqueue
from models.messaging.tables import OutboxMessage
from models.people.consents import give_consent, withdraw_consent
from models.people.tables import ContactAddress
from models.vocab import ConsentPurpose
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, outbox, settings_for

PAID = {"amount": 500_000, "period": "2026-03", "account": "0123456789", "date": "2026-03-05"}


async def _count(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_same_idempotency_key_twice_gives_one_row(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:100")
    rows = []
    for _ in range(2):
        async with transaction(db.sessions) as session:
            rows.append(
                await enqueue(
                    session,
                    person_id=person.id,
                    key="notice.payment_credited",
                    params=PAID,
                    message_class="notice",
                    idempotency_key="paid:2026-03:1",
                    settings=settings,
                    now=NOON_VN,
                )
            )
    assert rows[0] is not None and rows[1] is not None
    assert rows[0].id == rows[1].id
    assert await _count(db) == 1


async def test_same_idempotency_key_concurrently_gives_one_row(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:100")

    async def one() -> int:
        async with transaction(db.sessions) as session:
            row = await enqueue(
                session, person_id=person.id, key="notice.payment_credited", params=PAID,
                message_class="notice", idempotency_key="paid:2026-03:1", settings=settings,
                now=NOON_VN,
            )  # fmt: skip
            assert row is not None
            await asyncio.sleep(0.01)  # hold the transaction open while the others try
            return row.id

    ids = await asyncio.gather(*(one() for _ in range(8)))
    assert len(set(ids)) == 1
    assert await _count(db) == 1


async def test_notice_goes_to_a_chat_before_sms(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "tel:+84912345678", "zalo:abc", "telegram:7")
        notice = await enqueue(
            session, person_id=person.id, key="notice.payment_credited", params=PAID,
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert notice is not None
    # SMS is the fallback: a chat address comes first even when the phone is preferred
    assert (notice.channel, notice.address) == ("zalo", "zalo:abc")
    assert notice.priority == 1 and notice.locale == "vi" and notice.status == "pending"


async def test_zns_is_used_for_a_phone_when_the_key_has_a_template(db: Database) -> None:
    settings = settings_for(db, zns_templates={"notice.payment_credited": "2001"})
    async with transaction(db.sessions) as session:
        person = await add_person(session, "tel:+84912345678")
        notice = await enqueue(
            session, person_id=person.id, key="notice.payment_credited", params=PAID,
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
        other = await enqueue(
            session, person_id=person.id, key="notice.safety_reminder", params={},
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert notice is not None and other is not None
    assert notice.channel == "zns" and other.channel == "sms"


async def test_reply_goes_to_the_address_the_person_wrote_from(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:7", "tel:+84912345678", locale="en")
        reply = await enqueue(
            session, person_id=person.id, key="reply.unknown", params={},
            message_class="reply", address="tel:+84912345678", settings=settings, now=NOON_VN,
        )  # fmt: skip
        stranger = await enqueue(
            session, person_id=None, key="reply.unknown", params={},
            message_class="reply", address="zalo:xyz", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert reply is not None and stranger is not None
    assert (reply.channel, reply.address, reply.priority, reply.locale) == (
        "sms", "tel:+84912345678", 0, "en",
    )  # fmt: skip
    assert (stranger.channel, stranger.locale) == ("zalo", "vi")


async def test_campaign_to_opted_out_address_falls_to_the_next_or_is_suppressed(
    db: Database,
) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        both = await add_person(session, "telegram:1", "tel:+84912345678")
        only = await add_person(session, "telegram:2")
        await session.execute(
            update(ContactAddress)
            .where(ContactAddress.address.startswith("telegram:"))
            .values(opted_out_at=NOON_VN)
        )
        moved = await enqueue(
            session, person_id=both.id, key="campaign.text", params={"text": "Xin chào"},
            message_class="campaign", settings=settings, now=NOON_VN,
        )  # fmt: skip
        stopped = await enqueue(
            session, person_id=only.id, key="campaign.text", params={"text": "Xin chào"},
            message_class="campaign", settings=settings, now=NOON_VN,
        )  # fmt: skip
        notice = await enqueue(
            session, person_id=only.id, key="notice.safety_reminder", params={},
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert moved is not None and stopped is not None and notice is not None
    assert (moved.channel, moved.status, moved.priority) == ("sms", "pending", 2)
    assert (stopped.status, stopped.failure_reason) == ("suppressed", "opted_out")
    # an opt-out stops campaigns only: the notice still goes to that address
    assert (notice.address, notice.status) == ("telegram:2", "pending")


async def test_withdrawn_messaging_consent_suppresses_all_but_replies(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        await give_consent(
            session, person_id=person.id, purpose=ConsentPurpose.MESSAGING,
            notice_version="v1", channel="telegram", now=NOON_VN - timedelta(days=9),
        )  # fmt: skip
        await withdraw_consent(
            session, person_id=person.id, purpose=ConsentPurpose.MESSAGING, now=NOON_VN
        )
        notice = await enqueue(
            session, person_id=person.id, key="notice.safety_reminder", params={},
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
        reply = await enqueue(
            session, person_id=person.id, key="reply.unknown", params={},
            message_class="reply", address="telegram:1", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert notice is not None and reply is not None
    assert (notice.status, notice.failure_reason) == ("suppressed", "consent_withdrawn")
    assert reply.status == "pending"


async def test_person_without_address_gets_nothing(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session)
        row = await enqueue(
            session, person_id=person.id, key="notice.safety_reminder", params={},
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert row is None
    assert await _count(db) == 0


async def test_quiet_hours_move_notices_and_campaigns_but_not_replies(db: Database) -> None:
    settings = settings_for(db)  # campaigns 08:00-20:00, notices 07:00-21:00 (Vietnam)
    night = datetime(2026, 3, 3, 15, 30, tzinfo=UTC)  # 22:30 in Vietnam
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        for key, cls in [
            ("campaign.text", "campaign"),
            ("notice.safety_reminder", "notice"),
            ("reply.unknown", "reply"),
            ("notice.verification_code", "notice"),
        ]:
            await enqueue(
                session, person_id=person.id, key=key, params={"text": "x", "code": "123456",
                "minutes": 10}, message_class=cls, settings=settings, now=night,
            )  # fmt: skip
        rows = await outbox(session)
    due = [row.next_attempt_at for row in rows]
    assert due[0] == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # 08:00 next morning
    assert due[1] == datetime(2026, 3, 4, 0, 0, tzinfo=UTC)  # 07:00 next morning
    assert due[2] == night and due[3] == night


async def test_not_before_is_kept(db: Database) -> None:
    settings = settings_for(db)
    later = NOON_VN + timedelta(hours=2)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "telegram:1")
        row = await enqueue(
            session, person_id=person.id, key="notice.safety_reminder", params={},
            message_class="notice", not_before=later, settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert row is not None and row.next_attempt_at == later
