"""The sandbox channel: every 'sent' message is a row in the local inbox; nothing leaves the host.

It has no provider, so it has no signature to check: inbound messages reach it through the
sandbox API or CLI (models.messaging.sandbox.record_inbound), or a JSON body {address, text,
event_id?} handed to parse_inbound.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import (
    DeliveryReport,
    InboundMessage,
    OutboundMessage,
    SendResult,
    SendStatus,
    WebhookRejected,
    WebhookRequest,
)
from bot.channels.common import load_json_object
from messages.render import Rendered
from models.db import transaction
from models.messaging.sandbox import record_outbound


def shown_text(rendered: Rendered) -> str:
    """The text as the person would see it: Telegram's buttons appear as [label] lines."""
    if rendered.channel != "telegram" or not rendered.choices:
        return rendered.text
    buttons = "\n".join(f"[{choice.label}]" for choice in rendered.choices)
    return f"{rendered.text}\n\n{buttons}"


class SandboxAdapter:
    """Keeps each message in the sandbox inbox, in its own short transaction."""

    name = "sandbox"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def send(self, message: OutboundMessage) -> SendResult:
        """Store the message; always SENT, free."""
        async with transaction(self._sessions) as session:
            row = await record_outbound(
                session,
                address=message.address,
                text=shown_text(message.rendered),
                outbox_id=message.outbox_id,
            )
        return SendResult(SendStatus.SENT, provider_message_id=row.provider_message_id)

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Nothing to verify: the sandbox runs only where no provider is configured."""

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """A JSON {address, text, event_id?} as one inbound message."""
        data = load_json_object(request.body)
        address, text = data.get("address"), data.get("text")
        if not isinstance(address, str) or ":" not in address or not isinstance(text, str):
            raise WebhookRejected(400, "sandbox message needs an address and a text")
        event_id = str(data.get("event_id") or uuid.uuid4().hex)
        return [InboundMessage("sandbox", event_id, address, text=text)]

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """The sandbox sends no delivery reports."""
        return []

    async def aclose(self) -> None:
        """Nothing to release: the sessionmaker belongs to the caller."""
