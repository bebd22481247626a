"""GET /metrics: delivery, queue, webhook and error metrics, read back from a real scrape."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.base import utcnow
from models.messaging.tables import OutboxMessage
from tests.api.support import (
    PHONE,
    TELEGRAM_SECRET,
    Running,
    gateway_settings,
    gateway_signed,
    running_app,
    telegram_settings,
)
from tests.conftest import Database
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.telegram import FakeTelegram, text_update
from tests.observability.support import value

METRICS_TOKEN = "metrics-token-for-the-scraper"


async def scrape(app: Running, **headers: str) -> str:
    """One scrape of GET /metrics, which must succeed."""
    response = await app.client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    return response.text


async def test_metrics_are_prometheus_text_and_not_in_the_schema(db: Database) -> None:
    async with running_app(db) as app:
        response = await app.client.get("/metrics")
        spec = (await app.client.get("/openapi.json")).json()
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE ansinh_outbox_messages gauge" in response.text
    assert "/metrics" not in spec["paths"]


async def _outbox(app: Running, *rows: tuple[str, timedelta]) -> None:
    now = utcnow()
    async with app.app.state.sessions() as session, session.begin():
        for number, (status, due_in) in enumerate(rows):
            session.add(
                OutboxMessage(
                    address=f"tel:+8491200{number:04d}",
                    channel="sms",
                    message_class="notice",
                    key="reply.unknown",
                    params={},
                    status=status,
                    next_attempt_at=now + due_in,
                )
            )


async def test_queue_depth_is_measured_at_scrape_time(db: Database) -> None:
    hour = timedelta(hours=1)
    async with running_app(db) as app:
        empty = await scrape(app)
        await _outbox(
            app, ("pending", -hour), ("pending", -hour / 2), ("pending", hour),
            ("sending", -hour), ("sent", -hour), ("failed", -hour),
        )  # fmt: skip
        text = await scrape(app)
    assert value(empty, "ansinh_outbox_messages", status="pending") == 0
    assert value(text, "ansinh_outbox_messages", status="pending") == 3
    assert value(text, "ansinh_outbox_messages", status="sending") == 1
    assert value(text, "ansinh_outbox_due_messages") == 2
    assert value(text, "ansinh_outbox_oldest_due_seconds") >= 3600


async def test_dispatch_counts_messages_by_channel_and_status_and_times_sends(
    db: Database,
) -> None:
    async with running_app(db) as app:
        before = await scrape(app)
        turn = await app.client.post(
            "/api/v1/sandbox/inbound", json={"address": f"tel:{PHONE}", "text": "Xin chào"}
        )
        assert turn.status_code == 200
        sent = await app.dispatch()
        after = await scrape(app)
    assert sent >= 1
    counted = "ansinh_messages_total"
    delta = value(after, counted, channel="sms", status="sent") - value(
        before, counted, channel="sms", status="sent"
    )
    timed = value(after, "ansinh_send_seconds_count", channel="sms") - value(
        before, "ansinh_send_seconds_count", channel="sms"
    )
    assert delta == sent
    assert timed == sent


async def test_webhooks_are_timed_and_rejections_counted_by_reason(
    db: Database, fake_telegram: FakeTelegram, fake_sms_gateway: FakeSmsGateway
) -> None:
    overrides = {**telegram_settings(fake_telegram), **gateway_settings(fake_sms_gateway)}
    mo = {"id": "mo-1", "phone": "84912345678", "message": "hi", "timestamp": 1}
    async with running_app(db, **overrides) as app:
        before = await scrape(app)
        client = app.client
        good = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        assert (
            await client.post("/webhooks/telegram", json=text_update(1, 7, "hi"))
        ).status_code == 401
        ok = await client.post("/webhooks/telegram", json=text_update(1, 7, "hi"), headers=good)
        assert ok.status_code == 200
        raw, headers = gateway_signed(mo, age_seconds=3600)
        assert (
            await client.post("/webhooks/sms-gateway/mo", content=raw, headers=headers)
        ).status_code == 401
        raw, headers = gateway_signed({"phone": "?"})
        assert (
            await client.post("/webhooks/sms-gateway/mo", content=raw, headers=headers)
        ).status_code == 400
        assert (await client.post("/webhooks/zns", json={})).status_code == 404
        big = await client.post("/webhooks/zalo", content=b"x" * 70_000)
        assert big.status_code == 413
        after = await scrape(app)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    rejected = "ansinh_webhook_rejections_total"
    assert grew(rejected, provider="telegram", reason="signature") == 1
    assert grew(rejected, provider="sms-gateway", reason="replay") == 1
    assert grew(rejected, provider="sms-gateway", reason="malformed") == 1
    assert grew(rejected, provider="zns", reason="not_configured") == 1
    assert grew(rejected, provider="zalo", reason="too_large") == 1
    assert grew("ansinh_webhook_seconds_count", provider="telegram") == 2
    assert grew("ansinh_http_responses_total", status="413") == 1


async def test_metrics_token_is_required_once_set(db: Database) -> None:
    async with running_app(db, metrics_token=METRICS_TOKEN) as app:
        missing = await app.client.get("/metrics")
        wrong = await app.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        basic = await app.client.get("/metrics", headers={"Authorization": METRICS_TOKEN})
        text = await scrape(app, Authorization=f"Bearer {METRICS_TOKEN}")
    assert missing.status_code == wrong.status_code == basic.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert METRICS_TOKEN not in missing.text
    assert "ansinh_outbox_messages" in text


async def test_an_unhandled_error_is_a_counted_500_problem_with_the_security_headers(
    db: Database,
) -> None:
    async with running_app(db) as app:

        async def broken() -> None:
            raise RuntimeError("a bug")

        app.app.add_api_route("/api/v1/broken", broken)
        before = await scrape(app)
        transport = httpx.ASGITransport(app=app.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/api/v1/broken")
        after = await scrape(app)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 500 and "a bug" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    unhandled = "ansinh_unhandled_exceptions_total"
    assert value(after, unhandled, where="http") - value(before, unhandled, where="http") == 1
    errors = "ansinh_http_server_errors_total"
    assert value(after, errors) - value(before, errors) == 1
