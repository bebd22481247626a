"""Conversation state per (channel, address) and phone verification codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Conversation(Base):
    """Where one address is in the dialog; officers can see where people get stuck.

    `data` never holds a clear ID or account number: only encrypted blobs or masked values.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "address"),
        Index("ix_conversations_flow_step", "flow", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    acting_for_beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id"), index=True
    )
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failures: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sensitive_until: Mapped[datetime | None] = mapped_column(index=True)
    expires_at: Mapped[datetime | None]


class VerificationCode(Base):
    """A code sent by SMS to prove a phone number; only its keyed hash is kept."""

    __tablename__ = "verification_codes"
    __table_args__ = (
        Index("ix_verification_codes_phone_created", "phone", "created_at"),
        Index("ix_verification_codes_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdentificationFailure(Base):
    """A look-up that found the CCCD but not the details typed with it (birth date, name).

    Counted per person over a day across every address, so the birth date of a known CCCD
    cannot be found by trying dates one conversation after another.
    """

    __tablename__ = "identification_failures"
    __table_args__ = (Index("ix_identification_failures_person_at", "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
