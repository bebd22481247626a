"""The ZNS adapter against the fake ZNS and Zalo OAuth, with tokens kept in the real database."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import DeliveryReport, SendStatus, WebhookRejected
from bot.channels.zns import ZnsAdapter
from models.db import make_engine, make_sessionmaker, transaction
from models.messaging.tables import ProviderToken
from models.messaging.tokens import claim_refresh, read_tokens, seed_tokens
from models.protection import DataProtector
from models.settings import Settings
from tests.channels.support import PHONE, outbound, settings, webhook
from tests.conftest import Database
from tests.fakes.zns import QUOTA_EXCEEDED, FakeZns

OA_SECRET = "oa-secret-key"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 22:00 in Vietnam


def zns_settings(db: Database, fake: FakeZns, refresh_token: str | None) -> Settings:
    return settings(
        db.url,
        zns_api_url=fake.url,
        zns_oauth_url=fake.url,
        zns_app_id=fake.app_id,
        zns_secret_key=fake.secret_key,
        zns_refresh_token=refresh_token,
        zns_oa_secret_key=OA_SECRET,
    )


def make(db: Database, fake: FakeZns, refresh_token: str | None, **kw: Any) -> ZnsAdapter:
    config = zns_settings(db, fake, refresh_token)
    return ZnsAdapter(config, db.sessions, DataProtector.from_settings(config), **kw)


def template(outbox_id: int = 7) -> Any:
    data = {"name": "Nguyễn Thị Lan", "amount": "500.000"}
    return outbound(f"tel:{PHONE}", outbox_id=outbox_id, template_id="301234", template_data=data)


@pytest.fixture
async def zns(db: Database, fake_zns: FakeZns) -> AsyncIterator[ZnsAdapter]:
    adapter = make(db, fake_zns, fake_zns.issue_refresh_token(), clock=lambda: NOW)
    yield adapter
    await adapter.aclose()


async def test_first_send_refreshes_and_stores_the_new_pair_encrypted(
    zns: ZnsAdapter, fake_zns: FakeZns, db: Database
) -> None:
    result = await zns.send(template())
    assert (result.status, result.provider_message_id, result.cost_units) == (
        SendStatus.SENT,
        "zns3",
        1,
    )
    [sent] = fake_zns.sent("/message/template")
    assert sent.headers["access_token"] == "at-2"
    assert sent.body == {
        "phone": "84912345678",
        "template_id": "301234",
        "template_data": {"name": "Nguyễn Thị Lan", "amount": "500.000"},
        "tracking_id": "7",
    }
    async with transaction(db.sessions) as session:
        row = await session.scalar(select(ProviderToken))
        tokens = await read_tokens(
            session, name="zns", cipher=DataProtector.from_settings(db.settings)
        )
    assert row is not None and row.refresh_token_enc is not None
    assert b"rt-2" not in row.refresh_token_enc  # encrypted at rest
    assert tokens is not None
    assert (tokens.access_token, tokens.refresh_token, tokens.version) == ("at-2", "rt-2", 2)
    assert tokens.expires_at == NOW + timedelta(seconds=90000)


async def test_later_sends_reuse_the_token(zns: ZnsAdapter, fake_zns: FakeZns) -> None:
    for outbox_id in range(3):
        assert (await zns.send(template(outbox_id))).status is SendStatus.SENT
    assert fake_zns.refreshes == 1


async def test_another_process_reads_the_stored_token(
    zns: ZnsAdapter, fake_zns: FakeZns, db: Database
) -> None:
    await zns.send(template())
    other = make(db, fake_zns, "rt-1", clock=lambda: NOW)  # the configured first token is spent
    assert (await other.send(template())).status is SendStatus.SENT
    await other.aclose()
    assert fake_zns.refreshes == 1 and fake_zns.reused == []


async def test_refused_token_is_refreshed_once(zns: ZnsAdapter, fake_zns: FakeZns) -> None:
    await zns.send(template())
    fake_zns.invalidate_access_tokens()
    result = await zns.send(template())
    assert result.status is SendStatus.SENT
    assert fake_zns.refreshes == 2
    assert len(fake_zns.sent("/message/template")) == 3


async def test_two_processes_refreshing_at_once_spend_the_token_once(
    db: Database, fake_zns: FakeZns
) -> None:
    first = fake_zns.issue_refresh_token()
    fake_zns.refresh_delay = 0.3  # widen the window in which both could spend it
    engine = make_engine(db.settings)
    config = zns_settings(db, fake_zns, first)
    cipher = DataProtector.from_settings(config)
    a = ZnsAdapter(config, db.sessions, cipher)
    b = ZnsAdapter(config, make_sessionmaker(engine), cipher)
    try:
        results = await asyncio.gather(*(x.send(template(i)) for i in range(4) for x in (a, b)))
    finally:
        await a.aclose()
        await b.aclose()
        await engine.dispose()
    assert {r.status for r in results} == {SendStatus.SENT}
    assert fake_zns.refreshes == 1
    assert fake_zns.reused == []


async def test_a_dead_holders_claim_is_taken_over_after_the_lease(
    db: Database, fake_zns: FakeZns
) -> None:
    config = zns_settings(db, fake_zns, fake_zns.issue_refresh_token())
    cipher = DataProtector.from_settings(config)
    async with transaction(db.sessions) as session:
        tokens = await seed_tokens(
            session, name="zns", refresh_token="rt-1", cipher=cipher, now=datetime.now(UTC)
        )
        assert await claim_refresh(
            session, tokens=tokens, now=datetime.now(UTC), lease=timedelta(seconds=1)
        )
    adapter = ZnsAdapter(config, db.sessions, cipher, lease_seconds=0.2)
    result = await adapter.send(template())
    await adapter.aclose()
    assert result.status is SendStatus.SENT
    assert fake_zns.refreshes == 1


async def test_refused_refresh_token_is_retryable_and_not_retried_at_once(
    db: Database, fake_zns: FakeZns
) -> None:
    adapter = make(db, fake_zns, "rt-never-issued")
    first, second = await adapter.send(template()), await adapter.send(template())
    await adapter.aclose()
    for result in (first, second):
        assert (result.status, result.reason) == (SendStatus.RETRYABLE, "token_unavailable")
    assert len(fake_zns.sent("/v4/oa/access_token")) == 1
    async with transaction(db.sessions) as session:
        stored = await read_tokens(
            session, name="zns", cipher=DataProtector.from_settings(db.settings)
        )
    assert stored is not None and not stored.refreshing  # the claim was given up


async def test_phone_without_zalo_is_unreachable(zns: ZnsAdapter, fake_zns: FakeZns) -> None:
    fake_zns.block(f"tel:{PHONE}")
    result = await zns.send(template())
    assert (result.status, result.reason) == (SendStatus.UNREACHABLE, "not_on_zalo")


async def test_quota_exceeded_retries_after_midnight_in_vietnam(
    zns: ZnsAdapter, fake_zns: FakeZns
) -> None:
    fake_zns.fail_next(1, status=200, code=QUOTA_EXCEEDED, description="Quota exceeded")
    result = await zns.send(template())
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "quota_exceeded")
    assert result.retry_after == 2 * 3600 + 5 * 60  # 22:00 → 00:05


async def test_throttled_and_failing_sends_are_retryable(
    zns: ZnsAdapter, fake_zns: FakeZns
) -> None:
    await zns.send(template())
    fake_zns.throttle_next(1, retry_after=9)
    fake_zns.fail_next(1, status=503)
    throttled, failed = await zns.send(template()), await zns.send(template())
    assert (throttled.status, throttled.retry_after) == (SendStatus.RETRYABLE, 9.0)
    assert (failed.status, failed.reason) == (SendStatus.RETRYABLE, "http_503")


async def test_slow_answer_is_a_retryable_timeout(db: Database, fake_zns: FakeZns) -> None:
    adapter = make(db, fake_zns, fake_zns.issue_refresh_token(), timeout=0.2)
    fake_zns.delay = 1.0  # the template endpoint only; the token refresh is quick
    result = await adapter.send(template())
    await adapter.aclose()
    assert (result.status, result.reason) == (SendStatus.RETRYABLE, "timeout")


async def test_other_errors_and_missing_templates_are_permanent(
    zns: ZnsAdapter, fake_zns: FakeZns
) -> None:
    fake_zns.fail_next(1, status=200, code=-109, description="Template id is invalid")
    assert (await zns.send(template())).reason == "zns_-109"
    bare = await zns.send(outbound(f"tel:{PHONE}"))
    assert (bare.status, bare.reason) == (SendStatus.PERMANENT, "no_template")


# --- delivery events ------------------------------------------------------------------------
def _event(timestamp: datetime, msg_id: str = "zns3") -> tuple[bytes, str]:
    stamp = str(int(timestamp.timestamp() * 1000))
    body = json.dumps(
        {
            "app_id": "app-1",
            "oa_id": "oa-1",
            "event_name": "user_received_message",
            "message": {"msg_id": msg_id, "delivery_time": stamp},
            "timestamp": stamp,
        }
    ).encode()
    mac = hashlib.sha256(b"app-1" + body + stamp.encode() + OA_SECRET.encode()).hexdigest()
    return body, f"mac={mac}"


def test_genuine_delivery_event(zns: ZnsAdapter) -> None:
    body, signature = _event(NOW - timedelta(minutes=1))
    request = webhook(body, {"X-ZEvent-Signature": signature})
    zns.verify_webhook(request)
    assert zns.parse_delivery_reports(request) == [
        DeliveryReport("zns", "zns3", "delivered", at=NOW - timedelta(minutes=1))
    ]
    assert zns.parse_inbound(request) == []


def test_forged_or_replayed_events_are_rejected(zns: ZnsAdapter) -> None:
    body, signature = _event(NOW)
    stale_body, stale_signature = _event(NOW - timedelta(minutes=6))
    cases = [
        (body, "mac=" + "0" * 64),
        (body.replace(b"zns3", b"zns4"), signature),
        (body, signature.removeprefix("mac=")),
        (stale_body, stale_signature),
    ]
    for raw, header in cases:
        with pytest.raises(WebhookRejected) as caught:
            zns.verify_webhook(webhook(raw, {"X-ZEvent-Signature": header}))
        assert caught.value.status == 401


def test_malformed_event_is_a_bad_request(zns: ZnsAdapter) -> None:
    with pytest.raises(WebhookRejected) as caught:
        zns.verify_webhook(webhook(b"not json", {"X-ZEvent-Signature": "mac=00"}))
    assert caught.value.status == 400
