"""One person on one channel, driven through the real HTTP stack and the fake providers.

Each driver sends what the person types the way the provider would post it, runs the
dispatcher, and returns the texts the provider was asked to deliver to that person.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from messages.text import fold
from tests.api.support import (
    PHONE,
    TELEGRAM_SECRET,
    ZALO_SECRET,
    Running,
    gateway_signed,
    twilio_signature,
)
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.telegram import FakeTelegram, text_update
from tests.fakes.twilio import FakeTwilio
from tests.fakes.zalo import FakeZaloBot, text_event

_TAG = re.compile(r"<[^>]+>")


class Person(Protocol):
    """Someone writing to ansinh."""

    async def say(self, text: str) -> list[str]:
        """Send `text`; the texts delivered back (after the dispatcher ran)."""
        ...


def plain(text: str) -> str:
    """Delivered text for comparison: no tags, no diacritics, lower case."""
    return fold(_TAG.sub("", text))


@dataclass
class TelegramPerson:
    app: Running
    fake: FakeTelegram
    chat_id: int = 700100200
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    seen: int = 0
    keyboards: list[list[str]] = field(default_factory=list)

    async def say(self, text: str) -> list[str]:
        update = text_update(next(self.ids), self.chat_id, text)
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        response = await self.app.client.post("/webhooks/telegram", json=update, headers=headers)
        assert response.status_code == 200, response.text
        await self.app.dispatch()
        sent = self.fake.messages_sent()[self.seen :]
        self.seen += len(sent)
        assert all(str(m["chat_id"]) == str(self.chat_id) for m in sent)
        self.keyboards = [labels(m.get("reply_markup")) for m in sent]
        return [str(m["text"]) for m in sent]

    def first_button(self) -> str:
        """The label of the first button of the last message that had buttons."""
        return next(k for k in reversed(self.keyboards) if k)[0]


def labels(markup: Any) -> list[str]:
    """The button labels of a reply keyboard."""
    if not isinstance(markup, dict):
        return []
    return [button["text"] for row in markup.get("keyboard", []) for button in row]


@dataclass
class ZaloPerson:
    app: Running
    fake: FakeZaloBot
    user: str = "zu-900"
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    seen: int = 0

    async def say(self, text: str) -> list[str]:
        event = text_event(self.user, text, message_id=f"zm-{next(self.ids)}")
        headers = {"X-Bot-Api-Secret-Token": ZALO_SECRET}
        response = await self.app.client.post("/webhooks/zalo", json=event, headers=headers)
        assert response.status_code == 200, response.text
        await self.app.dispatch()
        sent = self.fake.sent("/sendMessage")[self.seen :]
        self.seen += len(sent)
        assert all(r.body["chat_id"] == self.user for r in sent)
        return [str(r.body["text"]) for r in sent]


@dataclass
class TwilioPerson:
    app: Running
    fake: FakeTwilio
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    seen: int = 0

    async def say(self, text: str) -> list[str]:
        sid = f"SM{next(self.ids):032x}"
        form = {"MessageSid": sid, "From": PHONE, "To": "+15005550006", "Body": text}
        headers = twilio_signature(self.fake.auth_token, "/webhooks/twilio/sms", form)
        response = await self.app.client.post("/webhooks/twilio/sms", data=form, headers=headers)
        assert response.status_code == 200, response.text
        await self.app.dispatch()
        sent = self.fake.sent("/Messages.json")[self.seen :]
        self.seen += len(sent)
        assert all(r.body["To"] == PHONE for r in sent)
        return [str(r.body["Body"]) for r in sent]


@dataclass
class GatewayPerson:
    app: Running
    fake: FakeSmsGateway
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    seen: int = 0

    async def say(self, text: str) -> list[str]:
        body = {"id": f"mo-{next(self.ids)}", "phone": PHONE.removeprefix("+"), "message": text}
        raw, headers = gateway_signed(body)
        response = await self.app.client.post(
            "/webhooks/sms-gateway/mo", content=raw, headers=headers
        )
        assert response.status_code == 200, response.text
        await self.app.dispatch()
        sent = self.fake.sent("/api/sms/send")[self.seen :]
        self.seen += len(sent)
        assert all(r.body["phone"] == PHONE.removeprefix("+") for r in sent)
        return [str(r.body["message"]) for r in sent]


@dataclass
class SandboxPerson:
    app: Running
    address: str = f"tel:{PHONE}"

    async def say(self, text: str) -> list[str]:
        body = {"address": self.address, "text": text}
        response = await self.app.client.post("/api/v1/sandbox/inbound", json=body)
        assert response.status_code == 200, response.text
        return [reply["text"] for reply in response.json()["replies"]]
