"""Submitted monthly reports, officers' notification addresses and the reminders sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ReportSubmission(Base):
    """A commune's monthly report as submitted: the figures at that moment."""

    __tablename__ = "report_submissions"
    __table_args__ = (UniqueConstraint("commune_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficerContact(Base):
    """Where an officer wants reminders ('tel:+84…', 'telegram:…'); no commune = province."""

    __tablename__ = "officer_contacts"
    __table_args__ = (UniqueConstraint("officer", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer: Mapped[str] = mapped_column(String(100), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    address: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficerReminder(Base):
    """A reminder that a commune's list or report for a period is not yet submitted."""

    __tablename__ = "officer_reminders"
    __table_args__ = (UniqueConstraint("commune_id", "period", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    due: Mapped[date]
    queued: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
