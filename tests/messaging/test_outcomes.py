"""Recording results: retries with capped backoff, failures, fallback, delivery reports."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest

from models.db import transaction
from models.messaging.routing import NO_ZALO, UNREACHABLE
from models.messaging.service import (
    SendOutcome,
    apply_delivery_report,
    backoff_seconds,
    claim_due,
    enqueue,
    record_results,
)
from models.messaging.tables import OutboxMessage
from models.settings import Settings
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, contact, outbox, settings_for


async def _claimed(
    db: Database, settings: Settings, *addresses: str, key: str = "notice.safety_reminder",
    **kw: object,
) -> OutboxMessage:  # fmt: skip
    async with transaction(db.sessions) as session:
        person = await add_person(session, *addresses)
        await enqueue(
            session, person_id=person.id, key=key, params={}, message_class="notice",
            settings=settings, now=NOON_VN, **kw,  # type: ignore[arg-type]
        )  # fmt: skip
    async with transaction(db.sessions) as session:
        (message,) = await claim_due(
            session, worker_id="w1", limit=10, now=NOON_VN, settings=settings
        )
    return message


async def _record(db: Database, settings: Settings, *outcomes: SendOutcome) -> None:
    async with transaction(db.sessions) as session:
        await record_results(
            session, outcomes=outcomes, worker_id="w1", now=NOON_VN, settings=settings,
            rng=random.Random(1),
        )  # fmt: skip


def test_backoff_grows_is_capped_jittered_and_honours_retry_after() -> None:
    rng = random.Random(7)
    for attempts in range(1, 20):
        delay = backoff_seconds(attempts, base=30, cap=3600, rng=rng)
        full = min(3600, 30 * 2 ** (attempts - 1))
        assert full / 2 <= delay <= full
    assert backoff_seconds(12, base=30, cap=3600, rng=rng) <= 3600
    assert backoff_seconds(1, base=30, cap=3600, retry_after=500, rng=rng) == 500


async def test_retryable_waits_then_fails_after_max_attempts(db: Database) -> None:
    settings = settings_for(db, retry_max_attempts=2, retry_base_seconds=30)
    message = await _claimed(db, settings, "telegram:1")
    await _record(db, settings, SendOutcome(message, "retryable", reason="http_503"))
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert (row.status, row.attempts, row.last_error, row.claimed_by) == (
        "pending", 1, "http_503", None,
    )  # fmt: skip
    assert NOON_VN + timedelta(seconds=15) <= row.next_attempt_at <= NOON_VN + timedelta(seconds=30)
    async with transaction(db.sessions) as session:
        (again,) = await claim_due(
            session, worker_id="w1", limit=10, now=row.next_attempt_at, settings=settings
        )
    await _record(db, settings, SendOutcome(again, "retryable", reason="timeout"))
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert (row.status, row.attempts, row.failure_reason) == ("failed", 2, "retries_exhausted")


async def test_retry_after_is_honoured_beyond_the_cap(db: Database) -> None:
    settings = settings_for(db, retry_max_seconds=60)
    message = await _claimed(db, settings, "telegram:1")
    await _record(db, settings, SendOutcome(message, "retryable", retry_after=600, reason="429"))
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert row.next_attempt_at == NOON_VN + timedelta(seconds=600)


async def test_a_retry_that_would_come_after_expiry_expires(db: Database) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, "telegram:1", expires_at=NOON_VN + timedelta(seconds=5))
    await _record(db, settings, SendOutcome(message, "retryable", reason="timeout"))
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert row.status == "expired"


async def test_permanent_fails_with_the_reason(db: Database) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, "telegram:1")
    await _record(db, settings, SendOutcome(message, "permanent", reason="bad_request"))
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert (row.status, row.failure_reason) == ("failed", "bad_request")


@pytest.mark.parametrize("chat", ["zalo:abc", "telegram:77"])
async def test_unreachable_chat_falls_back_to_sms(db: Database, chat: str) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, chat, "tel:+84912345678", idempotency_key="n:1")
    await _record(db, settings, SendOutcome(message, "unreachable", reason="blocked"))
    async with db.sessions() as session:
        first, fallback = await outbox(session)
        chat_contact = await contact(session, chat)
    assert (first.status, first.failure_reason) == ("failed", "unreachable:blocked")
    assert chat_contact.reachability == UNREACHABLE
    assert (fallback.channel, fallback.address, fallback.status) == (
        "sms", "tel:+84912345678", "pending",
    )  # fmt: skip
    assert fallback.fallback_of_id == first.id and fallback.idempotency_key == "n:1>sms"
    # recording the same result again changes nothing and queues nothing
    await _record(db, settings, SendOutcome(message, "unreachable", reason="blocked"))
    async with db.sessions() as session:
        assert len(await outbox(session)) == 2


async def test_zns_not_on_zalo_falls_back_to_sms_on_the_same_phone(db: Database) -> None:
    settings = settings_for(db, zns_templates={"notice.safety_reminder": "3001"})
    message = await _claimed(db, settings, "tel:+84912345678")
    assert message.channel == "zns"
    await _record(db, settings, SendOutcome(message, "unreachable", reason="not_on_zalo"))
    async with db.sessions() as session:
        _, fallback = await outbox(session)
        phone = await contact(session, "tel:+84912345678")
    assert (fallback.channel, fallback.address) == ("sms", "tel:+84912345678")
    assert phone.reachability == NO_ZALO  # SMS still reaches it


async def test_no_route_left_means_no_fallback(db: Database) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, "telegram:1")
    await _record(db, settings, SendOutcome(message, "unreachable", reason="blocked"))
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert row.status == "failed"


async def test_sent_records_provider_id_and_cost(db: Database) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, "tel:+84912345678")
    await _record(
        db, settings, SendOutcome(message, "sent", provider_message_id="SM1", cost_units=2)
    )
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert (row.status, row.provider_message_id, row.cost_units, row.sent_at) == (
        "sent", "SM1", 2, NOON_VN,
    )  # fmt: skip


@pytest.mark.parametrize("order", list(itertools.permutations(["sent", "delivered", "sent"])))
async def test_delivery_reports_move_forward_only_in_any_order(
    db: Database, order: tuple[str, ...]
) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, "tel:+84912345678")
    await _record(db, settings, SendOutcome(message, "sent", provider_message_id="SM9"))
    for status in order:
        async with transaction(db.sessions) as session:
            await apply_delivery_report(
                session, channel="sms", provider_message_id="SM9", status=status,
                at=NOON_VN + timedelta(seconds=5), settings=settings,
            )  # fmt: skip
    async with db.sessions() as session:
        (row,) = await outbox(session)
    assert row.status == "delivered" and row.delivered_at == NOON_VN + timedelta(seconds=5)


async def test_failure_report_counts_only_before_delivery(db: Database) -> None:
    settings = settings_for(db)
    message = await _claimed(db, settings, "tel:+84912345678")
    await _record(db, settings, SendOutcome(message, "sent", provider_message_id="SM5"))

    async def report(status: str) -> OutboxMessage | None:
        async with transaction(db.sessions) as session:
            return await apply_delivery_report(
                session, channel="sms", provider_message_id="SM5", status=status,
                reason="30003", settings=settings,
            )  # fmt: skip

    failed = await report("failed")
    assert failed is not None and failed.status == "failed"
    assert failed.failure_reason == "provider:30003"
    await report("sent")  # a late "sent" changes nothing
    async with db.sessions() as session:
        assert (await outbox(session))[0].status == "failed"
    unknown = await report("queued")  # a status ansinh does not know changes nothing
    assert unknown is not None and unknown.status == "failed"
    async with transaction(db.sessions) as session:
        missing = await apply_delivery_report(
            session, channel="sms", provider_message_id="nope", status="delivered"
        )
    assert missing is None


async def test_unreachable_report_falls_back(db: Database) -> None:
    settings = settings_for(db, zns_templates={"notice.safety_reminder": "3001"})
    message = await _claimed(db, settings, "tel:+84912345678")
    await _record(db, settings, SendOutcome(message, "sent", provider_message_id="Z1"))
    async with transaction(db.sessions) as session:
        await apply_delivery_report(
            session, channel="zns", provider_message_id="Z1", status="unreachable",
            reason="not_on_zalo", settings=settings,
        )  # fmt: skip
    async with db.sessions() as session:
        first, fallback = await outbox(session)
    assert first.status == "failed" and fallback.channel == "sms"
