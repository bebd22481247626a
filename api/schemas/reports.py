"""Monthly reports, report submissions, officers' reminder addresses and reminders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.fields import Id, Text

PERIOD = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])


class FiguresOut(BaseModel):
    """One commune's month (or the total, without commune)."""

    commune_id: int | None
    commune_code: str | None
    commune: str | None
    btxh: int
    ncc: int
    beneficiaries: int
    choosing_non_cash: int
    share_choosing_non_cash: float = Field(examples=[0.62])
    list_status: str | None
    lines: int
    amount: int
    paid: int
    paid_amount: int
    failed: int
    failed_amount: int
    paid_non_cash: int
    share_paid_non_cash: float = Field(examples=[0.58])
    accounts_opened: int
    atms: int
    has_atm: bool
    campaign_people_reached: int
    campaign_messages_sent: int
    report_submitted: bool


class ReportOut(BaseModel):
    """A month: each commune within reach, their total, and ATM coverage."""

    period: str = Field(examples=["2026-11"])
    communes: list[FiguresOut]
    total: FiguresOut
    communes_with_atm: int
    communes_total: int


class SubmitIn(BaseModel):
    """The commune and month whose report is submitted."""

    commune_id: Id
    period: str = PERIOD


class SubmissionOut(BaseModel):
    """A submitted report."""

    id: int
    commune_id: int
    period: str
    submitted_by: str
    submitted_at: datetime


class ContactIn(BaseModel):
    """Where the calling officer wants reminders for a commune."""

    address: Text = Field(max_length=100, examples=["tel:+84912345678", "telegram:123456789"])
    commune_id: Id | None = Field(default=None, description="None: the province.")
    locale: Literal["vi", "en"] = "vi"


class ContactOut(ContactIn):
    """An officer's reminder address."""

    id: int
    officer: str
    active: bool


class ReminderOut(BaseModel):
    """A reminder recorded (and sent to the commune's officers who gave an address)."""

    id: int
    commune_id: int
    period: str
    kind: str = Field(examples=["payment_list"], description="payment_list or report.")
    due: date
    queued: int = Field(description="Officers told; 0 when none gave an address.")
    created_at: datetime
