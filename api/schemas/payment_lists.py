"""Monthly payment lists: what officers send and read, and what the payer uploads back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Text

PERIOD = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"], description="The month, YYYY-MM.")
ListStatus = Literal[
    "draft", "submitted", "approved", "exported", "results_imported", "reconciled", "closed"
]


class GenerateIn(BaseModel):
    """Which commune and month to (re)build a draft list for."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"period": "2026-11", "commune_id": 7}]}
    )

    period: str = PERIOD
    commune_id: Id


class GenerateAllIn(BaseModel):
    """The month to (re)build every draft list within the caller's communes for."""

    period: str = PERIOD


class GeneratedOut(BaseModel):
    """The lists built, and the communes whose list was already submitted (left alone)."""

    list_ids: list[int]
    locked_commune_ids: list[int]


class Bucket(BaseModel):
    """A count of lines and their amount (VND)."""

    count: int = Field(examples=[312])
    amount: int = Field(examples=[168_480_000])


class TotalsOut(BaseModel):
    """Control totals: all lines, by method, the change list, and the results so far."""

    count: int
    amount: int
    by_method: dict[str, Bucket]
    changes: dict[str, int] = Field(
        examples=[{"new": 4, "adjusted": 7, "unchanged": 301, "removed": 3}]
    )
    results: dict[str, Bucket]


class PaymentListOut(BaseModel):
    """A list, its step, who did what, its totals, and how near the 15th is."""

    id: int
    period: str = Field(examples=["2026-11"])
    commune_id: int
    status: str = Field(
        description="draft, submitted, approved, exported, results_imported, reconciled or closed.",
        examples=["submitted"],
    )
    created_by: str
    generated_at: datetime
    submitted_by: str | None
    approved_by: str | None
    exported_by: str | None
    reconciled_by: str | None
    closed_by: str | None
    returned_reason: str | None
    cash_date: date | None
    cash_place: str | None
    without_amount: int = Field(description="Active beneficiaries left off: no amount recorded.")
    due: date = Field(examples=["2026-11-15"])
    days_left: int = Field(examples=[4])
    warning: bool = Field(description="From the 10th, while the payer does not have the list yet.")
    totals: TotalsOut | None = None


class PaymentLineOut(BaseModel):
    """One payment, with the account masked."""

    id: int
    beneficiary_id: int
    category: str
    amount: int
    method: str
    bank_code: str | None
    account: str | None = Field(examples=["****6789"])
    holder_name: str | None
    change: str = Field(description="new, adjusted or unchanged.", examples=["adjusted"])
    changed_fields: str | None = Field(examples=["amount,method"])
    previous_amount: int | None
    previous_method: str | None
    result: str = Field(description="pending, paid or failed.", examples=["paid"])
    failure_reason: str | None
    paid_on: date | None


class RemovalOut(BaseModel):
    """Paid last month, not on this list: deceased, suspended, exited, moved, no_amount, removed."""

    beneficiary_id: int
    reason: str = Field(examples=["deceased"])
    previous_amount: int
    previous_method: str


class ReturnIn(BaseModel):
    """Why a submitted list goes back to its maker."""

    reason: Text = Field(min_length=3, max_length=500, examples=["Sai mức trợ cấp dòng 12"])


class CashPayout(BaseModel):
    """When and where cash is paid; cash payees are told."""

    cash_date: date | None = Field(default=None, examples=["2026-11-10"])
    cash_place: Text | None = Field(
        default=None, max_length=300, examples=["Hội trường UBND xã Hoàng Văn Thụ"]
    )


class ExportIn(CashPayout):
    """The payer's file format (and optionally the cash payout, if not given at approval)."""

    format: Literal["csv", "xlsx"] = "csv"


class ResultProblemOut(BaseModel):
    """A row of the results file that was not applied, and why."""

    line: int
    field: str
    code: str
    message: str


class ListProgressOut(BaseModel):
    """A list the file touched: lines still waiting for a result."""

    list_id: int
    pending: int
    pending_line_ids: list[int]


class ResultReportOut(BaseModel):
    """What the results file did; importing it again changes nothing."""

    import_id: int
    rows: int
    applied: int
    unchanged: int
    rejected: int
    problems: list[ResultProblemOut]
    lists: list[ListProgressOut]
