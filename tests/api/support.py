"""The app under test, served in-process over real HTTP semantics (httpx + ASGI)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from api.app import create_app
from models.messaging.tables import InboundEvent, OutboxMessage, SandboxMessage
from models.settings import Settings
from scheduler.dispatcher import Dispatcher
from tests.conftest import Database, make_test_settings
from tests.fakes.sms_gateway import SEND_PATH, FakeSmsGateway, signed
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.zalo import FakeZaloBot
from tests.fakes.zns import FakeZns

PUBLIC_URL = "https://ansinh.example.vn"
TELEGRAM_SECRET = "tg-webhook-secret"
ZALO_SECRET = "zalo-webhook-secret"
GATEWAY_SECRET = "gateway-hmac-secret"
OA_SECRET = "oa-secret-key"
PHONE = "+84912345678"


@dataclass
class Running:
    """A started app, a client for it, and views of its database."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    async def dispatch(self) -> int:
        """Send what the outbox holds, batch after batch, as the scheduler's job would."""
        state = self.app.state
        dispatcher = Dispatcher(state.settings, state.sessions, state.adapters, worker_id="test")
        total = 0
        for _ in range(50):  # one message per address per batch keeps each person's order
            claimed = await dispatcher.run_once()
            if not claimed:
                break
            total += claimed
        return total

    async def outbox(self) -> list[OutboxMessage]:
        """Every outbox row, oldest first."""
        async with self.app.state.sessions() as session:
            rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows)

    async def inbound_events(self) -> int:
        """How many inbound events were recorded."""
        async with self.app.state.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(InboundEvent)) or 0)

    async def sandbox_rows(self) -> list[SandboxMessage]:
        """The sandbox inbox, oldest first."""
        async with self.app.state.sessions() as session:
            rows = await session.scalars(select(SandboxMessage).order_by(SandboxMessage.id))
            return list(rows)


@asynccontextmanager
async def running_app(db: Database, **overrides: Any) -> AsyncIterator[Running]:
    """The app on the test database, lifespan included; the scheduler stays off."""
    values: dict[str, Any] = {"run_scheduler": False, "public_url": PUBLIC_URL}
    values.update(overrides)
    settings = make_test_settings(db.url, **values)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            yield Running(app, client, settings)


# --- provider settings -------------------------------------------------------------------------
def telegram_settings(fake: FakeTelegram) -> dict[str, Any]:
    return {
        "sandbox": False,
        "telegram_token": fake.token,
        "telegram_api_url": f"{fake.url}/bot",
        "telegram_webhook_secret": TELEGRAM_SECRET,
        "telegram_rate_per_chat": 100.0,  # one chat gets several replies in a row
    }


def zalo_settings(fake: FakeZaloBot) -> dict[str, Any]:
    return {
        "sandbox": False,
        "zalo_bot_token": fake.token,
        "zalo_bot_api_url": fake.url,
        "zalo_bot_webhook_secret": ZALO_SECRET,
    }


def twilio_settings(fake: FakeTwilio) -> dict[str, Any]:
    return {
        "sandbox": False,
        "sms_provider": "twilio",
        "twilio_account_sid": fake.account_sid,
        "twilio_auth_token": fake.auth_token,
        "twilio_from": "ANSINH",
        "twilio_api_url": fake.url,
    }


def gateway_settings(fake: FakeSmsGateway) -> dict[str, Any]:
    return {
        "sandbox": False,
        "sms_provider": "http",
        "sms_gateway_url": f"{fake.url}{SEND_PATH}",
        "sms_gateway_api_key": fake.api_key,
        "sms_gateway_hmac_secret": GATEWAY_SECRET,
    }


def zns_settings(fake: FakeZns) -> dict[str, Any]:
    return {
        "sandbox": False,
        "zns_app_id": fake.app_id,
        "zns_secret_key": fake.secret_key,
        "zns_oa_secret_key": OA_SECRET,
        "zns_api_url": fake.url,
        "zns_oauth_url": fake.url,
    }


# --- signed requests ---------------------------------------------------------------------------
def twilio_signature(token: str, path: str, params: Mapping[str, str]) -> dict[str, str]:
    """The X-Twilio-Signature Twilio computes for our public URL + path and the form."""
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, dict(params))
    return {"X-Twilio-Signature": signature}


def gateway_signed(body: dict[str, Any], *, age_seconds: int = 0) -> tuple[bytes, dict[str, str]]:
    """A gateway webhook body and its headers, signed `age_seconds` ago."""
    raw, headers = signed(GATEWAY_SECRET, body, int(time.time()) - age_seconds)
    return raw, {**headers, "content-type": "application/json"}


def zns_signed(app_id: str, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A ZNS event signed as Zalo signs it: sha256(app_id + body + timestamp + OA secret)."""
    raw = json.dumps(body).encode()
    signed_bytes = app_id.encode() + raw + str(body["timestamp"]).encode() + OA_SECRET.encode()
    mac = hashlib.sha256(signed_bytes).hexdigest()
    return raw, {"X-ZEvent-Signature": f"mac={mac}", "content-type": "application/json"}


def hmac_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
