"""Queueing in bulk: `enqueue_many` leaves the outbox as `enqueue` one by one would."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from models.db import transaction
from models.messaging.service import PersonMessage, enqueue, enqueue_many
from models.messaging.tables import OutboxMessage
from models.people.consents import give_consent, withdraw_consent
from models.people.tables import ContactAddress
from models.vocab import ConsentPurpose
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, outbox, settings_for

NIGHT = datetime(2026, 3, 3, 15, 30, tzinfo=UTC)  # 22:30 in Vietnam: outside every window
KEYS = ["notice.payment_credited", "notice.safety_reminder", "campaign.text", "reply.unknown"]
PARAMS = {"amount": 500_000, "period": "2026-03", "account": "******6789", "text": "Xin chào"}
SAME = (
    "person_id", "address", "channel", "message_class", "priority", "key", "params", "locale",
    "status", "failure_reason", "next_attempt_at", "expires_at", "campaign_id", "attempts",
)  # fmt: skip


async def _people(db: Database) -> list[int]:
    """People in every routing situation, and the id of one who does not exist."""
    async with transaction(db.sessions) as session:
        people = [
            await add_person(session, "telegram:1", "tel:+84910000001"),  # chat before SMS
            await add_person(session, "tel:+84910000002", locale="en"),  # ZNS or SMS
            await add_person(session, "tel:+84910000003"),  # not on Zalo: SMS
            await add_person(session, "telegram:4", "tel:+84910000004"),  # Telegram opted out
            await add_person(session, "zalo:5"),  # unreachable
            await add_person(session, "telegram:6"),  # withdrew consent
            await add_person(session),  # no address at all
            await add_person(session, "tel:+84910000008", "zalo:8"),  # ZNS/SMS after Zalo
        ]
        ids = [person.id for person in people]
        contacts = ContactAddress.address
        await session.execute(
            update(ContactAddress)
            .where(contacts == "tel:+84910000003")
            .values(reachability="no_zalo")
        )
        await session.execute(
            update(ContactAddress).where(contacts == "telegram:4").values(opted_out_at=NOON_VN)
        )
        await session.execute(
            update(ContactAddress).where(contacts == "zalo:5").values(reachability="unreachable")
        )
        for person, withdrawn in ((ids[5], True), (ids[0], False)):
            await give_consent(
                session, person_id=person, purpose=ConsentPurpose.MESSAGING,
                notice_version="v1", channel="telegram", now=NOON_VN - timedelta(days=9),
            )  # fmt: skip
            if withdrawn:
                await withdraw_consent(
                    session, person_id=person, purpose=ConsentPurpose.MESSAGING, now=NOON_VN
                )
    return [*ids, max(ids) + 1000]


def _messages(people: list[int], tag: str, now: datetime) -> list[PersonMessage]:
    return [
        PersonMessage(
            person_id=person,
            key=key,
            params=PARAMS,
            idempotency_key=f"{tag}:{person}:{key}",
            expires_at=now + timedelta(days=3),
            not_before=now + timedelta(hours=1) if n % 3 == 0 else None,
            locale="en" if n % 5 == 0 else None,
        )
        for n, (person, key) in enumerate((p, k) for p in people for k in KEYS)
    ]


def _shape(row: OutboxMessage) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in SAME)


@pytest.mark.parametrize("message_class", ["notice", "campaign", "reply"])
@pytest.mark.parametrize("now", [NOON_VN, NIGHT], ids=["day", "night"])
async def test_enqueue_many_writes_what_enqueue_writes_one_by_one(
    db: Database, message_class: str, now: datetime
) -> None:
    settings = settings_for(db, zns_templates={"notice.payment_credited": "2001"})
    people = await _people(db)
    one_by_one = _messages(people, "single", now)
    async with transaction(db.sessions) as session:
        for m in one_by_one:
            await enqueue(
                session, person_id=m.person_id, key=m.key, params=m.params,
                message_class=message_class, idempotency_key=m.idempotency_key,
                expires_at=m.expires_at, not_before=m.not_before, locale=m.locale,
                settings=settings, now=now,
            )  # fmt: skip
    async with transaction(db.sessions) as session:
        added = await enqueue_many(
            session, _messages(people, "bulk", now), message_class=message_class,
            settings=settings, now=now,
        )  # fmt: skip
    async with db.sessions() as session:
        rows = await outbox(session)
    single = [_shape(r) for r in rows if (r.idempotency_key or "").startswith("single:")]
    bulk = [_shape(r) for r in rows if (r.idempotency_key or "").startswith("bulk:")]
    assert added == len(bulk) == len(single) == 7 * len(KEYS)  # nobody without an address
    assert bulk == single
    statuses = {(r.status, r.failure_reason) for r in rows}
    assert ("pending", None) in statuses and ("suppressed", "unreachable") in statuses
    if message_class != "reply":
        assert ("suppressed", "consent_withdrawn") in statuses
    assert {r.channel for r in rows} >= {"telegram", "sms"}


async def test_enqueue_many_keeps_each_idempotency_key_once(db: Database) -> None:
    settings = settings_for(db)
    people = (await _people(db))[:2]
    batch = _messages(people, "paid", NOON_VN)
    async with transaction(db.sessions) as session:
        first = await enqueue(
            session, person_id=batch[0].person_id, key=batch[0].key, params=batch[0].params,
            message_class="notice", idempotency_key=batch[0].idempotency_key,
            settings=settings, now=NOON_VN,
        )  # fmt: skip
    async with transaction(db.sessions) as session:  # the batch twice over, one key queued
        added = await enqueue_many(
            session, batch + batch, message_class="notice", settings=settings, now=NOON_VN
        )
    async with transaction(db.sessions) as session:  # and again: nothing new
        again = await enqueue_many(
            session, batch, message_class="notice", settings=settings, now=NOON_VN
        )
    async with db.sessions() as session:
        rows = await outbox(session)
    assert first is not None and rows[0].id == first.id
    assert (added, again) == (len(batch) - 1, 0)
    assert len(rows) == len(batch) == len({r.idempotency_key for r in rows})


async def test_concurrent_bulk_enqueues_store_each_key_once(db: Database) -> None:
    settings = settings_for(db)
    people = await _people(db)
    batch = _messages(people, "paid", NOON_VN)

    async def one() -> int:
        async with transaction(db.sessions) as session:
            added = await enqueue_many(
                session, batch, message_class="notice", settings=settings, now=NOON_VN
            )
            await asyncio.sleep(0.01)  # hold the transaction open while the others try
            return added

    added = await asyncio.gather(*(one() for _ in range(4)))
    async with db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert sum(added) == count == 7 * len(KEYS)


async def test_enqueue_many_refuses_an_unknown_class(db: Database) -> None:
    async with transaction(db.sessions) as session:
        with pytest.raises(ValueError, match="unknown message class"):
            await enqueue_many(session, [], message_class="gossip", settings=settings_for(db))
