"""Every provider webhook: forged, replayed and oversized requests are refused and change nothing.

One table row per endpoint says how the provider signs a genuine request and how an attacker
would forge one. Providers without a timestamp (Telegram, Zalo, Twilio) are protected from
replays by the event id: a repeated request is acknowledged but takes no effect.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from models.messaging.tables import OutboxMessage
from tests.api.support import (
    GATEWAY_SECRET,
    OA_SECRET,
    PHONE,
    TELEGRAM_SECRET,
    ZALO_SECRET,
    Running,
    gateway_settings,
    running_app,
    telegram_settings,
    twilio_settings,
    twilio_signature,
    zalo_settings,
    zns_settings,
    zns_signed,
)
from tests.conftest import Database
from tests.fakes.sms_gateway import signed
from tests.fakes.telegram import text_update
from tests.fakes.zalo import text_event
from tests.security.support import snapshot

Sent = tuple[bytes, dict[str, str]]
JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
MESSAGE_ID = "SM" + "c" * 32  # the provider's id of a message we sent
HOUR = 3600


def _json(body: dict[str, Any], **headers: str) -> Sent:
    return json.dumps(body).encode(), {**JSON, **headers}


def _tampered(sent: Sent) -> Sent:
    """The same headers (signature included) over a body changed by one character."""
    body, headers = sent
    return body.replace(b"9", b"8", 1) if b"9" in body else body + b" ", headers


def _unsigned(sent: Sent, *names: str) -> Sent:
    body, headers = sent
    return body, {k: v for k, v in headers.items() if k.lower() not in names}


# --- how each provider signs ------------------------------------------------------------------
def _telegram(fake: Any, secret: str = TELEGRAM_SECRET) -> Sent:
    return _json(text_update(501, 700100, "Số của tôi 0912345678"),
                 **{"X-Telegram-Bot-Api-Secret-Token": secret})  # fmt: skip


def _zalo(fake: Any, secret: str = ZALO_SECRET) -> Sent:
    return _json(text_event("zu-99", "Xin chào 0912345678", message_id="zm-99"),
                 **{"X-Bot-Api-Secret-Token": secret})  # fmt: skip


def _twilio(path: str, form: dict[str, str]) -> Callable[..., Sent]:
    def make(fake: Any, token: str | None = None, signed_path: str = path) -> Sent:
        signature = twilio_signature(token or fake.auth_token, signed_path, form)
        return urlencode(form).encode(), {**FORM, **signature}

    return make


TWILIO_SMS = {"MessageSid": "SM" + "d" * 32, "From": PHONE, "To": "+15005550006",
              "Body": "Xin chao 0912345678", "NumMedia": "0"}  # fmt: skip
TWILIO_STATUS = {"MessageSid": MESSAGE_ID, "MessageStatus": "delivered", "AccountSid": "AC9"}


def _gateway(body: Callable[[], dict[str, Any]]) -> Callable[..., Sent]:
    def make(fake: Any, secret: str = GATEWAY_SECRET, age: int = 0) -> Sent:
        raw, headers = signed(secret, body(), int(time.time()) - age)
        return raw, {**headers, **JSON}

    return make


def _mo() -> dict[str, Any]:
    return {"id": "mo-99", "phone": "84912345678", "message": "Xin chao", "timestamp": 1}


def _dlr() -> dict[str, Any]:
    return {"request_id": MESSAGE_ID, "status": "delivered"}


def _zns(fake: Any, secret: str = OA_SECRET, age: int = 0) -> Sent:
    stamp = str(int((time.time() - age) * 1000))
    body = {"app_id": fake.app_id, "event_name": "user_received_message", "timestamp": stamp,
            "message": {"msg_id": MESSAGE_ID, "delivery_time": stamp}}  # fmt: skip
    if secret == OA_SECRET:
        return zns_signed(fake.app_id, body)
    raw, headers = zns_signed(fake.app_id, body)
    return raw, {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}


@dataclass(frozen=True)
class Hook:
    """One webhook endpoint and how to speak to it, genuinely or not."""

    name: str
    path: str
    fake: str  # the fixture of the provider's fake
    settings: Callable[[Any], dict[str, Any]]
    genuine: Callable[..., Sent]
    forgeries: Callable[[Any], list[Sent]]
    stale: Callable[[Any], list[Sent]] | None = None  # genuine but old (timestamped providers)
    report_channel: str | None = None  # a delivery-report webhook, for a message on this channel


def _gateway_forgeries(make: Callable[..., Sent]) -> Callable[[Any], list[Sent]]:
    def forgeries(fake: Any) -> list[Sent]:
        good = make(fake)
        moved = (good[0], {**good[1], "x-timestamp": str(int(time.time()) + 1)})
        return [make(fake, secret="not-the-gateway-secret"), _tampered(good),
                _unsigned(good, "x-signature"), _unsigned(good, "x-timestamp"), moved]  # fmt: skip

    return forgeries


def _twilio_forgeries(make: Callable[..., Sent], other_path: str) -> Callable[[Any], list[Sent]]:
    def forgeries(fake: Any) -> list[Sent]:
        good = make(fake)
        return [make(fake, token="not-the-auth-token"), _tampered(good),
                _unsigned(good, "x-twilio-signature"), make(fake, signed_path=other_path)]  # fmt: skip

    return forgeries


HOOKS = [
    Hook("telegram", "/webhooks/telegram", "fake_telegram", telegram_settings, _telegram,
         lambda f: [_telegram(f, "wrong-secret"), _unsigned(_telegram(f), "x-telegram-bot-api-secret-token"),
                    _telegram(f, TELEGRAM_SECRET.upper())]),
    Hook("zalo", "/webhooks/zalo", "fake_zalo", zalo_settings, _zalo,
         lambda f: [_zalo(f, "wrong-secret"), _unsigned(_zalo(f), "x-bot-api-secret-token"),
                    _zalo(f, ZALO_SECRET + " ")]),
    Hook("twilio-sms", "/webhooks/twilio/sms", "fake_twilio", twilio_settings,
         _twilio("/webhooks/twilio/sms", TWILIO_SMS),
         _twilio_forgeries(_twilio("/webhooks/twilio/sms", TWILIO_SMS), "/webhooks/twilio/status")),
    Hook("twilio-status", "/webhooks/twilio/status", "fake_twilio", twilio_settings,
         _twilio("/webhooks/twilio/status", TWILIO_STATUS),
         _twilio_forgeries(_twilio("/webhooks/twilio/status", TWILIO_STATUS), "/webhooks/twilio/sms"),
         report_channel="sms"),
    Hook("sms-gateway-mo", "/webhooks/sms-gateway/mo", "fake_sms_gateway", gateway_settings,
         _gateway(_mo), _gateway_forgeries(_gateway(_mo)),
         stale=lambda f: [_gateway(_mo)(f, age=HOUR), _gateway(_mo)(f, age=-HOUR)]),
    Hook("sms-gateway-dlr", "/webhooks/sms-gateway/dlr", "fake_sms_gateway", gateway_settings,
         _gateway(_dlr), _gateway_forgeries(_gateway(_dlr)),
         stale=lambda f: [_gateway(_dlr)(f, age=HOUR), _gateway(_dlr)(f, age=-HOUR)],
         report_channel="sms"),
    Hook("zns", "/webhooks/zns", "fake_zns", zns_settings, _zns,
         lambda f: [_zns(f, secret="wrong"), _tampered(_zns(f)), _unsigned(_zns(f), "x-zevent-signature")],
         stale=lambda f: [_zns(f, age=HOUR), _zns(f, age=-HOUR)], report_channel="zns"),
]  # fmt: skip


async def _sent_message(app: Running, channel: str) -> None:
    """A message we sent, which a (forged) delivery report would move forward."""
    async with app.app.state.sessions() as session, session.begin():
        session.add(OutboxMessage(address="tel:" + PHONE, channel=channel, message_class="notice",
                                  key="reply.unknown", params={}, status="sent",
                                  provider_message_id=MESSAGE_ID))  # fmt: skip


async def _post(app: Running, hook: Hook, sent: Sent) -> int:
    body, headers = sent
    response = await app.client.post(hook.path, content=body, headers=headers)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["x-content-type-options"] == "nosniff"
    return response.status_code


@pytest.fixture(params=HOOKS, ids=[hook.name for hook in HOOKS])
def hook(request: pytest.FixtureRequest) -> Hook:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def fake(hook: Hook, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(hook.fake)


async def _started(db: Database, hook: Hook, fake: Any) -> Any:
    return running_app(db, **hook.settings(fake))


async def test_forged_webhooks_are_refused_and_change_nothing(
    db: Database, hook: Hook, fake: Any
) -> None:
    async with await _started(db, hook, fake) as app:
        if hook.report_channel:
            await _sent_message(app, hook.report_channel)
        before = await snapshot(app.app.state.sessions)
        statuses = [await _post(app, hook, forged) for forged in hook.forgeries(fake)]
        after = await snapshot(app.app.state.sessions)
        genuine = await _post(app, hook, hook.genuine(fake))
        changed = await snapshot(app.app.state.sessions)
    assert statuses and set(statuses) == {401}, statuses
    assert after == before
    assert genuine == 200 and changed != before  # the genuine one does take effect


async def test_replayed_webhooks_change_nothing(db: Database, hook: Hook, fake: Any) -> None:
    async with await _started(db, hook, fake) as app:
        if hook.report_channel:
            await _sent_message(app, hook.report_channel)
        before = await snapshot(app.app.state.sessions)
        stale = [await _post(app, hook, old) for old in (hook.stale(fake) if hook.stale else [])]
        unchanged = await snapshot(app.app.state.sessions)
        first = await _post(app, hook, hook.genuine(fake))
        once = await snapshot(app.app.state.sessions)
        again = await _post(app, hook, hook.genuine(fake))  # the same event id, or report
        twice = await snapshot(app.app.state.sessions)
    assert set(stale) <= {401} and unchanged == before
    assert first == again == 200  # providers retry: a repeat is acknowledged...
    assert once != before and twice == once  # ...but takes no second effect


async def test_oversized_webhooks_are_refused(db: Database, hook: Hook, fake: Any) -> None:
    async with await _started(db, hook, fake) as app:
        _, headers = hook.genuine(fake)
        before = await snapshot(app.app.state.sessions)
        declared = await _post(app, hook, (b"{" + b" " * 70_000 + b"}", headers))
        streamed = await app.client.post(
            hook.path, content=_chunks(70_000), headers={**headers, "content-type": "text/plain"}
        )
        after = await snapshot(app.app.state.sessions)
    assert declared == streamed.status_code == 413
    assert after == before


async def _chunks(size: int, step: int = 8192) -> Any:
    """A body without Content-Length (chunked), so only the streaming check can stop it."""
    for _ in range(0, size, step):
        yield b"x" * step
