"""Bulk campaign queueing: one row per person on the best campaign route, in one statement."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import transaction
from models.messaging.routing import NO_ZALO, UNREACHABLE
from models.messaging.service import enqueue_campaign
from models.people.consents import give_consent, withdraw_consent
from models.people.tables import ContactAddress, Person
from models.vocab import ConsentPurpose
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, outbox, settings_for

PHONE = "tel:+8491234567{}"


async def _mark(session: AsyncSession, address: str, **values: object) -> None:
    await session.execute(
        update(ContactAddress).where(ContactAddress.address == address).values(**values)
    )


async def test_each_person_gets_one_row_on_the_best_route(db: Database) -> None:
    settings = settings_for(db, zns_templates={"campaign.text": "4001"})
    async with transaction(db.sessions) as session:
        people = [
            await add_person(session, "telegram:1", PHONE.format(0), locale="en"),
            await add_person(session, PHONE.format(1)),
            await add_person(session, PHONE.format(2)),
            await add_person(session, "telegram:3", PHONE.format(3)),
            await add_person(session, "zalo:4"),
            await add_person(session, "telegram:5"),
            await add_person(session, "telegram:6"),
            await add_person(session),
        ]
        await _mark(session, PHONE.format(2), reachability=NO_ZALO)
        await _mark(session, "telegram:3", opted_out_at=NOON_VN)
        await _mark(session, "zalo:4", opted_out_at=NOON_VN)
        await _mark(session, "telegram:5", reachability=UNREACHABLE)
        await give_consent(
            session, person_id=people[6].id, purpose=ConsentPurpose.MESSAGING,
            notice_version="v1", channel="telegram",
        )  # fmt: skip
        await withdraw_consent(session, person_id=people[6].id, purpose=ConsentPurpose.MESSAGING)
    async with transaction(db.sessions) as session:
        added = await enqueue_campaign(
            session, campaign_id=9, person_ids=[p.id for p in people], key="campaign.text",
            params={"text": "Xin chào"}, settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert added == 7
    async with db.sessions() as session:
        rows = {row.person_id: row for row in await outbox(session)}
    got = {
        i: (rows[p.id].channel, rows[p.id].address, rows[p.id].status, rows[p.id].failure_reason)
        for i, p in enumerate(people)
        if p.id in rows
    }
    assert got == {
        0: ("telegram", "telegram:1", "pending", None),
        1: ("zns", PHONE.format(1), "pending", None),
        2: ("sms", PHONE.format(2), "pending", None),
        3: ("zns", PHONE.format(3), "pending", None),
        4: ("zalo", "zalo:4", "suppressed", "opted_out"),
        5: ("telegram", "telegram:5", "suppressed", "unreachable"),
        6: ("telegram", "telegram:6", "suppressed", "consent_withdrawn"),
    }
    first = rows[people[0].id]
    assert (first.locale, first.priority, first.message_class, first.campaign_id) == (
        "en", 2, "campaign", 9,
    )  # fmt: skip
    assert first.params == {"text": "Xin chào"} and first.next_attempt_at == NOON_VN
    assert first.idempotency_key == f"campaign:9:{people[0].id}"


async def test_queueing_again_adds_nothing_and_a_select_works(db: Database) -> None:
    settings = settings_for(db)
    night = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # 21:00 in Vietnam
    async with transaction(db.sessions) as session:
        for i in range(30):
            await add_person(session, f"telegram:{i}")
    everyone = select(Person.id)
    counts = []
    for _ in range(2):
        async with transaction(db.sessions) as session:
            counts.append(
                await enqueue_campaign(
                    session,
                    campaign_id=1,
                    person_ids=everyone,
                    key="campaign.text",
                    params={"text": "x"},
                    settings=settings,
                    now=night,
                )
            )
    assert counts == [30, 0]
    async with db.sessions() as session:
        rows = await outbox(session)
    # outside the campaign window: due when it opens next morning
    assert {row.next_attempt_at for row in rows} == {datetime(2026, 3, 4, 1, 0, tzinfo=UTC)}
