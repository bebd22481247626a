"""Bulk campaign queueing when some rows exist already, and consent given back after withdrawal."""

from __future__ import annotations

from models.db import transaction
from models.messaging.service import enqueue, enqueue_campaign
from models.people.consents import give_consent, withdraw_consent
from models.vocab import ConsentPurpose
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, outbox, settings_for


async def test_a_key_taken_outside_the_campaign_is_skipped_and_the_others_queued(
    db: Database,
) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        people = [await add_person(session, f"telegram:{i}") for i in range(5)]
        # the campaign has no row yet, but one of its keys is taken
        await enqueue(
            session, person_id=people[2].id, key="campaign.text", params={"text": "trước"},
            message_class="campaign", idempotency_key=f"campaign:4:{people[2].id}",
            settings=settings, now=NOON_VN,
        )  # fmt: skip
    async with transaction(db.sessions) as session:
        added = await enqueue_campaign(
            session, campaign_id=4, person_ids=[p.id for p in people], key="campaign.text",
            params={"text": "sau"}, settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert added == 4
    async with db.sessions() as session:
        rows = await outbox(session)
    assert len(rows) == 5
    assert sorted((r.person_id, r.params["text"]) for r in rows) == sorted(
        (p.id, "trước" if i == 2 else "sau") for i, p in enumerate(people)
    )


async def test_consent_given_again_after_withdrawal_counts(db: Database) -> None:
    settings = settings_for(db)
    purpose = ConsentPurpose.MESSAGING
    async with transaction(db.sessions) as session:
        back, gone = await add_person(session, "telegram:1"), await add_person(session, "zalo:2")
        for person in (back, gone):
            await give_consent(
                session, person_id=person.id, purpose=purpose, notice_version="v1",
                channel="telegram",
            )  # fmt: skip
            await withdraw_consent(session, person_id=person.id, purpose=purpose)
        await give_consent(
            session, person_id=back.id, purpose=purpose, notice_version="v2", channel="telegram"
        )
    async with transaction(db.sessions) as session:
        added = await enqueue_campaign(
            session, campaign_id=1, person_ids=[back.id, gone.id], key="campaign.text",
            params={"text": "x"}, settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert added == 2
    async with db.sessions() as session:
        rows = {r.person_id: (r.status, r.failure_reason) for r in await outbox(session)}
    assert rows == {back.id: ("pending", None), gone.id: ("suppressed", "consent_withdrawn")}
