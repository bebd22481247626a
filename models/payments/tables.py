"""Payment-method choices: an append-only history per beneficiary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class PaymentMethodChoice(Base):
    """How a beneficiary chose to be paid; a new choice is a new row, never an edit."""

    __tablename__ = "payment_method_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    provider_code: Mapped[str | None] = mapped_column(String(32))
    account_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    account_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    account_masked: Mapped[str | None] = mapped_column(String(32))
    holder: Mapped[str] = mapped_column(String(16), default="beneficiary")
    holder_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    holder_name_matches: Mapped[bool | None]
    status: Mapped[str] = mapped_column(String(24), default="requested")
    source: Mapped[str] = mapped_column(String(16))
    # Shown, never searched: no index (it cost every insert its random letters).
    confirmation_code: Mapped[str] = mapped_column(String(16))
    cash_reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
