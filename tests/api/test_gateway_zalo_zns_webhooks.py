"""The SMS gateway (HMAC, replays), Zalo Bot (secret header) and ZNS delivery events."""

from __future__ import annotations

import time
from typing import Any

from models.messaging.tables import OutboxMessage
from tests.api.support import (
    PHONE,
    ZALO_SECRET,
    Running,
    gateway_settings,
    gateway_signed,
    running_app,
    zalo_settings,
    zns_settings,
    zns_signed,
)
from tests.conftest import Database
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.zalo import FakeZaloBot, text_event
from tests.fakes.zns import FakeZns

MO = "/webhooks/sms-gateway/mo"
DLR = "/webhooks/sms-gateway/dlr"


def mo(event_id: str = "mo-1", text: str = "Xin chao") -> dict[str, Any]:
    return {"id": event_id, "phone": "84912345678", "message": text, "timestamp": 1_760_000_000}


async def _signed_post(app: Running, path: str, body: dict[str, Any], age: int = 0) -> int:
    raw, headers = gateway_signed(body, age_seconds=age)
    return (await app.client.post(path, content=raw, headers=headers)).status_code


async def test_signed_mo_is_answered_through_the_gateway(
    db: Database, fake_sms_gateway: FakeSmsGateway
) -> None:
    async with running_app(db, **gateway_settings(fake_sms_gateway)) as app:
        assert await _signed_post(app, MO, mo()) == 200
        assert await _signed_post(app, MO, mo()) == 200  # the gateway's retry: ignored
        assert await app.inbound_events() == 1
        await app.dispatch()
    sent = fake_sms_gateway.sent("/api/sms/send")
    assert sent and {r.body["phone"] for r in sent} == {PHONE.removeprefix("+")}


async def test_stale_forged_or_malformed_mo_is_refused(
    db: Database, fake_sms_gateway: FakeSmsGateway
) -> None:
    async with running_app(db, **gateway_settings(fake_sms_gateway)) as app:
        assert await _signed_post(app, MO, mo(), age=3600) == 401  # a replay
        raw, headers = gateway_signed(mo())
        forged = await app.client.post(MO, content=raw.replace(b"Xin", b"Xim"), headers=headers)
        assert forged.status_code == 401
        unsigned = await app.client.post(MO, json=mo())
        assert unsigned.status_code == 401
        assert await _signed_post(app, MO, {"phone": "not a phone"}) == 400
        assert await app.inbound_events() == 0


async def test_delivery_reports_in_any_order(
    db: Database, fake_sms_gateway: FakeSmsGateway
) -> None:
    async with running_app(db, **gateway_settings(fake_sms_gateway)) as app:
        await _signed_post(app, MO, mo())
        unknown = {"request_id": "999999", "status": "delivered"}
        assert await _signed_post(app, DLR, unknown) == 503  # not sent yet: retry later
        await app.dispatch()
        request_id = (await app.outbox())[0].provider_message_id
        for status in ("delivered", "sent", "failed"):
            report = {"request_id": request_id, "status": status, "error": None}
            assert await _signed_post(app, DLR, report) == 200
        row = (await app.outbox())[0]
    assert row.status == "delivered"


async def test_zalo_event_with_the_secret_is_answered_on_zalo(
    db: Database, fake_zalo: FakeZaloBot
) -> None:
    headers = {"X-Bot-Api-Secret-Token": ZALO_SECRET}
    async with running_app(db, **zalo_settings(fake_zalo)) as app:
        event = text_event("zu-42", "Xin chào 👋", message_id="zm-1")
        forged = await app.client.post("/webhooks/zalo", json=event, headers={})
        assert forged.status_code == 401
        assert await app.inbound_events() == 0
        response = await app.client.post("/webhooks/zalo", json=event, headers=headers)
        assert response.status_code == 200
        again = await app.client.post("/webhooks/zalo", json=event, headers=headers)
        assert again.status_code == 200
        assert await app.inbound_events() == 1
        await app.dispatch()
    sent = fake_zalo.sent("/sendMessage")
    assert sent and sent[0].body["chat_id"] == "zu-42" and sent[0].body["text"]


async def _zns_row(app: Running, msg_id: str) -> int:
    async with app.app.state.sessions() as session, session.begin():
        row = OutboxMessage(
            address="tel:" + PHONE,
            channel="zns",
            message_class="notice",
            key="reply.unknown",
            params={},
            status="sent",
            provider_message_id=msg_id,
        )
        session.add(row)
        await session.flush()
        return row.id


def zns_event(msg_id: str) -> dict[str, Any]:
    now_ms = str(int(time.time() * 1000))
    return {
        "app_id": "app-1",
        "event_name": "user_received_message",
        "timestamp": now_ms,
        "message": {"msg_id": msg_id, "delivery_time": now_ms},
    }


async def test_zns_delivery_event(db: Database, fake_zns: FakeZns) -> None:
    async with running_app(db, **zns_settings(fake_zns)) as app:
        await _zns_row(app, "zns-77")
        raw, headers = zns_signed(fake_zns.app_id, zns_event("zns-77"))
        forged = await app.client.post(
            "/webhooks/zns", content=raw, headers={**headers, "X-ZEvent-Signature": "mac=00"}
        )
        assert forged.status_code == 401
        assert (await app.outbox())[0].status == "sent"
        response = await app.client.post("/webhooks/zns", content=raw, headers=headers)
        assert response.status_code == 200
        assert (await app.outbox())[0].status == "delivered"
        raw, headers = zns_signed(fake_zns.app_id, zns_event("zns-unknown"))
        later = await app.client.post("/webhooks/zns", content=raw, headers=headers)
        assert later.status_code == 503


async def test_unconfigured_report_webhooks_answer_404(db: Database) -> None:
    async with running_app(db) as app:
        for path in ("/webhooks/zns", DLR, MO, "/webhooks/twilio/status", "/webhooks/zalo"):
            response = await app.client.post(path, json={})
            assert response.status_code == 404, path
