"""Requests the dialog creates for officers: review items, registrations, questions, data rights."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ReviewItem(Base):
    """Something an officer must check: a registration, a method change, a proxy's paper...

    kind: registration | method_change | proxy | account_opening | cash_home.
    `payload` is masked (no clear ID or account number).
    """

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_status_kind", "status", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    registration_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_requests.id")
    )
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("payment_method_choices.id"))
    representation_id: Mapped[int | None] = mapped_column(ForeignKey("representations.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistrationRequest(Base):
    """What a person not found in the registry told the bot, for the commune officer."""

    __tablename__ = "registration_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date | None]
    birth_year: Mapped[int | None]
    cccd_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    cccd_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    cccd_masked: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    village: Mapped[str | None] = mapped_column(String(200))
    category_guess: Mapped[str | None] = mapped_column(String(8))
    proxy_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    proxy_kind: Mapped[str | None] = mapped_column(String(16))
    proxy_relationship: Mapped[str | None] = mapped_column(String(100))
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(Base):
    """A question for the commune officer; its text is kept as given and never logged."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_status_commune", "status", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None]
    answer_due_by: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataRequest(Base):
    """A data-protection request (access, correction, deletion, objection, restriction)."""

    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_status_due", "status", "due_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    details: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledge_by: Mapped[date]
    due_by: Mapped[date]
    acknowledged_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(Text)
