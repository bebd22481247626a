"""Webhook traffic for the load benchmark: people writing on Telegram, Zalo, Twilio SMS and the
SMS gateway, each request signed as its provider signs it, sent by many concurrent senders.

Every request goes to a loopback address; the run stops after `seconds` or `limit` requests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from tests.fakes.sms_gateway import signed
from tests.fakes.telegram import text_update
from tests.fakes.zalo import text_event

PROVIDERS = ("telegram", "zalo", "twilio", "sms-gateway")
TEXTS = ("/start", "Xin chào", "1", "2", "Tiền tháng này", "ATM gần nhất", "0912345678", "Có")
PUBLIC_URL = "http://127.0.0.1"  # what the servers believe their address is (Twilio signs it)
TELEGRAM_SECRET = "load-telegram-secret"
ZALO_SECRET = "load-zalo-secret"
TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "load-twilio-token"
GATEWAY_SECRET = "load-gateway-secret"
TIMEOUT_SECONDS = 30.0  # a sender gives up on a request after this long (an error)


@dataclass(frozen=True)
class Request:
    """One webhook request, ready to send."""

    provider: str
    path: str
    headers: dict[str, str]
    content: bytes


class Requests:
    """Fresh, correctly signed webhook requests from a fixed population of `chats` people."""

    def __init__(self, chats: int, seed: int = 2026) -> None:
        self.chats = chats
        self._rng = random.Random(seed)
        self._ids = itertools.count(1)
        self._twilio = RequestValidator(TWILIO_TOKEN)

    def next(self, provider: str) -> Request:
        """A new message from a random person on `provider`."""
        number, text = self._rng.randrange(self.chats), self._rng.choice(TEXTS)
        event = next(self._ids)
        build: dict[str, Callable[[int, int, str], Request]] = {
            "telegram": self._telegram,
            "zalo": self._zalo,
            "twilio": self._twilio_sms,
            "sms-gateway": self._gateway,
        }
        return build[provider](event, number, text)

    def _telegram(self, event: int, number: int, text: str) -> Request:
        body = json.dumps(text_update(event, 7 * 10**8 + number, text)).encode()
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, **_JSON}
        return Request("telegram", "/webhooks/telegram", headers, body)

    def _zalo(self, event: int, number: int, text: str) -> Request:
        body = json.dumps(text_event(f"z{number}", text, message_id=f"zm{event}")).encode()
        headers = {"X-Bot-Api-Secret-Token": ZALO_SECRET, **_JSON}
        return Request("zalo", "/webhooks/zalo", headers, body)

    def _twilio_sms(self, event: int, number: int, text: str) -> Request:
        path = "/webhooks/twilio/sms"
        form = {
            "MessageSid": f"SM{event:032x}",
            "AccountSid": TWILIO_SID,
            "From": f"+8491{number:07d}",
            "To": "+15005550006",
            "Body": text,
        }
        signature = self._twilio.compute_signature(PUBLIC_URL + path, form)
        headers = {"X-Twilio-Signature": signature, **_FORM}
        return Request("twilio", path, headers, urlencode(form).encode())

    def _gateway(self, event: int, number: int, text: str) -> Request:
        body = {"request_id": f"mo{event}", "phone": f"8492{number:07d}", "message": text}
        raw, headers = signed(GATEWAY_SECRET, body, int(time.time()))
        return Request("sms-gateway", "/webhooks/sms-gateway/mo", {**headers, **_JSON}, raw)


_JSON = {"content-type": "application/json"}
_FORM = {"content-type": "application/x-www-form-urlencoded"}


@dataclass
class Traffic:
    """What the senders saw: each request's provider, status (0: no answer) and latency."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    seconds: float = 0.0

    def note(self, provider: str, status: int, latency: float) -> None:
        self.latencies.setdefault(provider, []).append(latency)
        self.statuses[(provider, status)] += 1

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    def errors(self, provider: str | None = None) -> int:
        """Requests not answered 200 (all providers, or one)."""
        return sum(
            n
            for (name, status), n in self.statuses.items()
            if status != 200 and provider in (None, name)
        )

    def accepted(self, provider: str) -> int:
        return self.statuses[(provider, 200)]

    def error_kinds(self) -> str:
        """The errors by HTTP status ("no answer" for timeouts and refused connections)."""
        kinds: Counter[str] = Counter()
        for (_, status), n in self.statuses.items():
            if status != 200:
                kinds["no answer" if status == 0 else str(status)] += n
        return ", ".join(f"{kind}: {n}" for kind, n in sorted(kinds.items())) or "-"


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def drive(
    servers: Sequence[str], *, senders: int, seconds: float, limit: int, chats: int
) -> Traffic:
    """`senders` concurrent senders posting webhooks to `servers` in turn, for `seconds`."""
    traffic, requests = Traffic(), Requests(chats)
    turns = itertools.count()
    stop_at = time.monotonic() + seconds
    # aiohttp, not httpx: httpx's pool walks every connection on each request, which with 500
    # connections made the senders the busiest process on the machine
    connector = aiohttp.TCPConnector(limit=senders, keepalive_timeout=3)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)

    async def sender(client: aiohttp.ClientSession) -> None:
        while time.monotonic() < stop_at:
            turn = next(turns)
            if turn >= limit:
                return
            request = requests.next(PROVIDERS[turn % len(PROVIDERS)])
            server = servers[(turn // len(PROVIDERS)) % len(servers)]  # each provider, each server
            await _send(client, server, request, traffic)

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        await asyncio.gather(*(sender(client) for _ in range(senders)))
    traffic.seconds = time.monotonic() - started
    return traffic


async def _send(client: aiohttp.ClientSession, server: str, request: Request, traffic: Any) -> None:
    began = time.perf_counter()
    try:
        async with client.post(
            server + request.path, data=request.content, headers=request.headers
        ) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError):
        status = 0
    traffic.note(request.provider, status, time.perf_counter() - began)
