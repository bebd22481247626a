"""Monthly payment lists: one per commune and period, its frozen lines, removals and results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class PaymentList(Base):
    """A commune's list for one month (period 'YYYY-MM'), moved through its workflow."""

    __tablename__ = "payment_lists"
    __table_args__ = (UniqueConstraint("period", "commune_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    without_amount: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None]
    returned_reason: Mapped[str | None] = mapped_column(String(500))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    exported_by: Mapped[str | None] = mapped_column(String(100))
    exported_at: Mapped[datetime | None]
    results_at: Mapped[datetime | None]
    reconciled_by: Mapped[str | None] = mapped_column(String(100))
    reconciled_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None]
    cash_date: Mapped[date | None]
    cash_place: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PaymentLine(Base):
    """One payment: the payee, amount and method frozen when the list was generated.

    A snapshot written by the 100,000 (INSERT … SELECT from the registry) and never re-pointed:
    its references carry no foreign keys, whose per-row checks would cost more than the insert.
    """

    __tablename__ = "payment_lines"
    # The one index also serves every read by list; each more would slow the bulk insert.
    __table_args__ = (UniqueConstraint("list_id", "beneficiary_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int]
    beneficiary_id: Mapped[int]
    person_id: Mapped[int]
    category: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int]
    method: Mapped[str] = mapped_column(String(32))
    provider_code: Mapped[str | None] = mapped_column(String(32))
    account_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    account_hash: Mapped[str | None] = mapped_column(String(64))
    account_masked: Mapped[str | None] = mapped_column(String(32))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    choice_id: Mapped[int | None]
    change: Mapped[str] = mapped_column(String(16))
    changed_fields: Mapped[str | None] = mapped_column(String(64))
    previous_amount: Mapped[int | None]
    previous_method: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(16), default="pending")
    failure_reason: Mapped[str | None] = mapped_column(String(32))
    paid_on: Mapped[date | None]
    result_import_id: Mapped[int | None]
    result_at: Mapped[datetime | None]


class PaymentRemoval(Base):
    """A beneficiary paid last month who is not on this month's list, and why."""

    __tablename__ = "payment_removals"
    __table_args__ = (UniqueConstraint("list_id", "beneficiary_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("payment_lists.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(String(16))
    previous_amount: Mapped[int]
    previous_method: Mapped[str] = mapped_column(String(32))


class PaymentResultImport(Base):
    """One results file returned by the payer: what it held and what it changed."""

    __tablename__ = "payment_result_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_by: Mapped[str] = mapped_column(String(100))
    rows: Mapped[int] = mapped_column(default=0)
    applied: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
