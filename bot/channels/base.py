"""The one small protocol every channel adapter speaks, and the values it exchanges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from messages.render import Rendered


class SendStatus(StrEnum):
    """How a send ended, which decides what the dispatcher does next."""

    SENT = "sent"  # accepted by the provider
    RETRYABLE = "retryable"  # timeout, 5xx, 429: try again later (honour retry_after)
    PERMANENT = "permanent"  # this message can never go out as it is: fail it
    UNREACHABLE = "unreachable"  # blocked, not on Zalo, invalid number, opted out: next channel


@dataclass(frozen=True, slots=True)
class SendResult:
    """The classified result of one send."""

    status: SendStatus
    provider_message_id: str | None = None
    retry_after: float | None = None  # seconds, when the provider said so
    reason: str | None = None  # short machine code: "blocked", "not_on_zalo", "http_503"...
    cost_units: int = 0  # SMS segments; 1 for a delivered ZNS; 0 for free channels


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message for one address."""

    outbox_id: int
    address: str  # "tel:+84912345678", "telegram:123456", "zalo:abc"
    rendered: Rendered


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A message a person sent us, whatever the channel."""

    channel: str
    event_id: str  # provider's id: Telegram update_id, Twilio MessageSid, Zalo event id
    address: str
    text: str | None = None
    shared_phone: str | None = None  # Telegram "share my phone number"
    location: tuple[float, float] | None = None  # (latitude, longitude)
    received_at: datetime | None = None
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A provider's word on a message it accepted earlier."""

    channel: str
    provider_message_id: str
    status: str  # "sent" | "delivered" | "failed" | "unreachable"
    reason: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """What a webhook received, independent of the web framework."""

    url: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    form: Mapping[str, str] = field(default_factory=dict)


class WebhookRejected(Exception):
    """A webhook that is forged, replayed or malformed; `status` is 400 or 401."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ChannelAdapter(Protocol):
    """Send, parse inbound, verify webhooks: all a channel needs to offer."""

    name: str  # "telegram" | "zalo" | "zns" | "sms" | "sandbox"

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one message and classify the outcome; never raises for provider errors."""
        ...

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Raise WebhookRejected unless the request truly comes from the provider."""
        ...

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """The people's messages in a verified webhook (raise WebhookRejected if malformed)."""
        ...

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """The delivery reports in a verified webhook."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
