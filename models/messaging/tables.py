"""Outbound messages are rows before they are sends; inbound events are recorded once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMessage(Base):
    """One message to one person: rendered and sent by the dispatcher, never before commit."""

    __tablename__ = "outbox"
    __table_args__ = (
        # claiming: due rows of one priority, oldest first
        Index("ix_outbox_claim", "status", "priority", "next_attempt_at", "id"),
        # order per address: is an earlier message to this address still unfinished?
        Index("ix_outbox_address_status", "address", "status", "id"),
        Index("ix_outbox_expiry", "status", "expires_at"),
        Index("ix_outbox_person_class_sent", "person_id", "message_class", "sent_at"),
        Index("ix_outbox_address_id", "address", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
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
    provider_message_id: Mapped[str | None] = mapped_column(String(128), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    cost_units: Mapped[int] = mapped_column(default=0)
    fallback_of_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id"))
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


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
