"""Campaigns, account-opening sessions and the people invited to them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Campaign(Base):
    """An awareness campaign written by an officer, sent to an audience chosen by area."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    sms_text_vi: Mapped[str | None] = mapped_column(Text)
    sms_text_en: Mapped[str | None] = mapped_column(Text)
    commune_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(8))
    method: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    starts_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    launched_by: Mapped[str | None] = mapped_column(String(100))
    launched_at: Mapped[datetime | None]
    audience_count: Mapped[int | None]
    resend_rounds: Mapped[int] = mapped_column(default=0)
    queued_count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AccountOpeningSession(Base):
    """Bank staff opening accounts at a commune office on one day."""

    __tablename__ = "account_opening_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    bank_code: Mapped[str | None] = mapped_column(String(32))
    bank_name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time]
    end_time: Mapped[time]
    place: Mapped[str] = mapped_column(String(300))
    documents: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SessionAttendee(Base):
    """A beneficiary invited to a session: invitation, reminder, attendance, account."""

    __tablename__ = "session_attendees"
    __table_args__ = (UniqueConstraint("session_id", "beneficiary_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("account_opening_sessions.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("payment_method_choices.id"))
    review_item_id: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16))
    invited_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    attended: Mapped[bool | None]
    account_opened: Mapped[bool] = mapped_column(default=False)
    opened_choice_id: Mapped[int | None] = mapped_column(ForeignKey("payment_method_choices.id"))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
