"""The sandbox channel's inbox and the registry that picks each channel's adapter."""

from __future__ import annotations

import json

import pytest

from bot.channels.base import SendStatus, WebhookRejected
from bot.channels.http_sms import HttpSmsAdapter
from bot.channels.registry import build_adapters, close_adapters
from bot.channels.sandbox import SandboxAdapter
from bot.channels.telegram import TelegramAdapter
from bot.channels.twilio_sms import TwilioSmsAdapter
from bot.channels.zalo import ZaloBotAdapter
from bot.channels.zns import ZnsAdapter
from models.db import transaction
from models.messaging.sandbox import inbox, record_inbound
from models.settings import ConfigurationError
from tests.channels.support import PHONE, choices, outbound, settings, webhook
from tests.conftest import Database


async def test_sandbox_keeps_each_message(db: Database) -> None:
    adapter = SandboxAdapter(db.sessions)
    first = await adapter.send(outbound(f"tel:{PHONE}", "Tien da ve", outbox_id=5))
    second = await adapter.send(outbound("telegram:42", "Chọn", choices=choices("Có", "Không")))
    assert first.status is SendStatus.SENT and first.cost_units == 0
    async with transaction(db.sessions) as session:
        [row] = await inbox(session, address=f"tel:{PHONE}")
        [shown] = await inbox(session, address="telegram:42")
    assert (row.direction, row.text, row.outbox_id) == ("out", "Tien da ve", 5)
    assert first.provider_message_id == f"sandbox-{row.id}" == row.provider_message_id
    assert second.provider_message_id == f"sandbox-{shown.id}"
    assert shown.text == "Chọn\n\n[Có]\n[Không]"


async def test_inbox_pages_a_conversation(db: Database) -> None:
    adapter = SandboxAdapter(db.sessions)
    await adapter.send(outbound("zalo:u1", "Chào"))
    async with transaction(db.sessions) as session:
        reply = await record_inbound(session, address="zalo:u1", text="1")
        await record_inbound(session, address="zalo:other", text="x")
    await adapter.send(outbound("zalo:u1", "Cảm ơn"))
    async with transaction(db.sessions) as session:
        everything = await inbox(session, address="zalo:u1")
        after = await inbox(session, address="zalo:u1", after_id=reply.id)
        first = await inbox(session, address="zalo:u1", limit=1)
    assert [(m.direction, m.text) for m in everything] == [
        ("out", "Chào"),
        ("in", "1"),
        ("out", "Cảm ơn"),
    ]
    assert [m.text for m in after] == ["Cảm ơn"]
    assert [m.text for m in first] == ["Chào"]


def test_sandbox_parses_a_json_message(db: Database) -> None:
    adapter = SandboxAdapter(db.sessions)
    body = json.dumps({"address": "telegram:42", "text": "Có", "event_id": "e1"}).encode()
    [message] = adapter.parse_inbound(webhook(body))
    assert (message.event_id, message.address, message.text) == ("e1", "telegram:42", "Có")
    with pytest.raises(WebhookRejected):
        adapter.parse_inbound(webhook(b'{"text": "no address"}'))


async def test_sandbox_mode_maps_every_channel_to_the_sandbox(db: Database) -> None:
    adapters = build_adapters(settings(db.url, sandbox=True, telegram_token="1:x"), db.sessions)
    assert set(adapters) == {"telegram", "zalo", "zns", "sms", "sandbox"}
    assert {type(a) for a in adapters.values()} == {SandboxAdapter}
    assert len({id(a) for a in adapters.values()}) == 1
    await close_adapters(adapters)


async def test_only_configured_providers_are_built(db: Database) -> None:
    adapters = build_adapters(settings(db.url, telegram_token="1:x"), db.sessions)
    assert set(adapters) == {"telegram", "sms", "sandbox"}  # sms_provider defaults to sandbox
    assert isinstance(adapters["telegram"], TelegramAdapter)
    assert adapters["sms"] is adapters["sandbox"]
    await close_adapters(adapters)


async def test_every_provider_configured(db: Database) -> None:
    full = settings(
        db.url,
        telegram_token="1:x",
        zalo_bot_token="z",
        zns_app_id="app",
        zns_secret_key="k",
        zns_refresh_token="rt",
        sms_provider="twilio",
        twilio_account_sid="AC1",
        twilio_auth_token="t",
        twilio_from="ANSINH",
    )
    adapters = build_adapters(full, db.sessions)
    kinds = {name: type(adapter) for name, adapter in adapters.items()}
    assert kinds == {
        "telegram": TelegramAdapter,
        "zalo": ZaloBotAdapter,
        "zns": ZnsAdapter,
        "sms": TwilioSmsAdapter,
        "sandbox": SandboxAdapter,
    }
    await close_adapters(adapters)
    gateway = settings(
        db.url,
        sms_provider="http",
        sms_gateway_url="http://127.0.0.1:9/send",
        sms_gateway_api_key="k",
    )
    adapters = build_adapters(gateway, db.sessions)
    assert isinstance(adapters["sms"], HttpSmsAdapter)
    await close_adapters(adapters)


def test_a_chosen_provider_without_its_settings_stops_start_up(db: Database) -> None:
    with pytest.raises(ConfigurationError, match="ANSINH_TWILIO"):
        build_adapters(settings(db.url, sms_provider="twilio"), db.sessions)
