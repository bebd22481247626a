"""Talking to ansinh without a provider: the sandbox API and `ansinh chat` share this path.

The address's scheme says which channel the tester plays: `tel:` is a basic phone (SMS), and
`telegram:` / `zalo:` the messengers. The message goes through the same intake as a webhook,
and the replies come back rendered exactly as the dispatcher renders them for that channel.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import InboundMessage
from bot.intake import take_in
from messages.render import Rendered
from models.db import transaction
from models.messaging import sandbox as inbox
from models.messaging.tables import OutboxMessage
from models.protection import DataProtector
from models.settings import Settings
from scheduler.dispatcher import render_outbox

# The channel each address scheme plays, and what a valid address of it looks like.
CHANNEL_OF_SCHEME = {"tel": "sms", "telegram": "telegram", "zalo": "zalo"}
ADDRESS_PATTERN = r"^(tel:\+[1-9]\d{7,14}|telegram:-?\d{1,20}|zalo:[A-Za-z0-9_.-]{1,64})$"
_ADDRESS = re.compile(ADDRESS_PATTERN)


class BadAddress(ValueError):
    """An address the sandbox cannot play."""


def channel_of(address: str) -> str:
    """'tel:+84…' → 'sms', 'telegram:1' → 'telegram', 'zalo:abc' → 'zalo'."""
    if not _ADDRESS.fullmatch(address):
        raise BadAddress("expected tel:+<E.164 number>, telegram:<chat id> or zalo:<user id>")
    return CHANNEL_OF_SCHEME[address.split(":", 1)[0]]


@dataclass(frozen=True, slots=True)
class Reply:
    """One message ansinh answers, rendered for the tester's channel."""

    outbox_id: int
    rendered: Rendered


@dataclass(frozen=True, slots=True)
class Turn:
    """One message from the tester and ansinh's answers to it."""

    event_id: str
    replies: list[Reply]


def _inbox_text(text: str | None, location: tuple[float, float] | None, phone: str | None) -> str:
    """What the tester sent, for the sandbox inbox (wordless marks for a location or a phone)."""
    parts = [text] if text else []
    if location is not None:
        parts.append(f"📍 {location[0]:.6f},{location[1]:.6f}")
    if phone:
        parts.append(f"📱 {phone}")
    return "\n".join(parts)


async def converse(
    sessions: async_sessionmaker[AsyncSession],
    *,
    address: str,
    text: str | None,
    settings: Settings,
    protector: DataProtector,
    location: tuple[float, float] | None = None,
    shared_phone: str | None = None,
    now: datetime | None = None,
) -> Turn:
    """Send `text` as `address` and return ansinh's replies, rendered for that channel."""
    inbound = InboundMessage(
        channel=channel_of(address),
        event_id=f"sandbox-{uuid.uuid4().hex}",
        address=address,
        text=text,
        shared_phone=shared_phone,
        location=location,
        received_at=now,
    )
    async with transaction(sessions) as session:
        await inbox.record_inbound(
            session, address=address, text=_inbox_text(text, location, shared_phone)
        )
        rows = await take_in(
            session, inbound=inbound, settings=settings, protector=protector, now=now
        )
    mine = [row for row in rows or [] if row.address == address]
    return Turn(inbound.event_id, [_reply(row, settings) for row in mine])


def _reply(row: OutboxMessage, settings: Settings) -> Reply:
    return Reply(row.id, render_outbox(row, settings))
