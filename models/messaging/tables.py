"""Outbound messages are rows before they are sends; inbound events are recorded once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String, Text, or_
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMessage(Base):
    """One message to one person: rendered and sent by the dispatcher, never before commit.

    No foreign keys: checking one per row doubled the time to queue a large campaign (each
    check locks the person's row), and every writer takes person ids from `people` itself.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int | None]
    address: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    message_class: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(default=1)
    key: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(String(500))
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    cost_units: Mapped[int] = mapped_column(default=0)
    fallback_of_id: Mapped[int | None] = mapped_column(BigId)  # the message it stands in for
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Statuses of a message that is not finished: the dispatcher looks only among these.
OPEN_STATUSES = ("pending", "sending")
_OUTBOX_OPEN = OutboxMessage.status.in_(OPEN_STATUSES)
# On PostgreSQL every status change writes a new row version into every index it belongs to,
# so the busy indexes hold only the rows that need them: finished messages leave the claim and
# per-address indexes, and a queued but never claimed message stays out of the per-person one.
Index(
    "ix_outbox_claim",  # claiming: due rows of one priority, oldest first
    OutboxMessage.status,
    OutboxMessage.priority,
    OutboxMessage.next_attempt_at,
    OutboxMessage.id,
    postgresql_where=_OUTBOX_OPEN,
)
Index(
    "ix_outbox_sending",  # stale claims (a crashed worker's): only the rows being sent
    OutboxMessage.claimed_at,
    postgresql_where=OutboxMessage.status == "sending",
    sqlite_where=OutboxMessage.status == "sending",
)
Index(
    "ix_outbox_address_status",  # order per address: is an earlier message still unfinished?
    OutboxMessage.address,
    OutboxMessage.status,
    OutboxMessage.id,
    postgresql_where=_OUTBOX_OPEN,
)
Index(
    "ix_outbox_expiry",
    OutboxMessage.status,
    OutboxMessage.expires_at,
    postgresql_where=OutboxMessage.expires_at.is_not(None),
    sqlite_where=OutboxMessage.expires_at.is_not(None),
)
Index(
    "ix_outbox_person_class_sent",  # one campaign message per person and day
    OutboxMessage.person_id,
    OutboxMessage.message_class,
    OutboxMessage.sent_at,
    postgresql_where=or_(OutboxMessage.claimed_at.is_not(None), OutboxMessage.sent_at.is_not(None)),
)
Index(
    "ix_outbox_provider_message_id",  # delivery reports
    OutboxMessage.provider_message_id,
    postgresql_where=OutboxMessage.provider_message_id.is_not(None),
    sqlite_where=OutboxMessage.provider_message_id.is_not(None),
)


class SandboxMessage(Base):
    """The sandbox channel's local inbox: what ansinh 'sent' and what it was 'sent'."""

    __tablename__ = "sandbox_messages"
    __table_args__ = (Index("ix_sandbox_messages_address_id", "address", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    address: Mapped[str] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    outbox_id: Mapped[int | None] = mapped_column(BigId)
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderToken(Base):
    """A provider's rotating OAuth tokens (ZNS), encrypted; `version` guards concurrent refresh."""

    __tablename__ = "provider_tokens"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundEvent(Base):
    """An inbound update or message, recorded once (masked) so a repeat is ignored."""

    __tablename__ = "inbound_events"
    __table_args__ = (Index("uq_inbound_events_channel_event", "channel", "event_id", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(100))
    text_masked: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
