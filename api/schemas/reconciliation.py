"""Bodies of the reconciliation lists."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.officers import AreaRef
from models.payments.reconciliation import Flag, PaymentKind


class ReconciliationLine(BaseModel):
    """One beneficiary: how they are paid and what to check (identifiers masked)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "beneficiary_id": 12,
                    "full_name": "Hoàng Văn Sáng",
                    "commune": {"id": 3, "code": "05977", "name": "Phường Đông Kinh"},
                    "category": "BTXH",
                    "monthly_amount": 540000,
                    "kind": "cash",
                    "method": "cash_point",
                    "method_status": "active",
                    "cccd": "020******234",
                    "account": None,
                    "cash_reason": None,
                    "flags": ["cash_without_reason"],
                }
            ]
        }
    )

    beneficiary_id: int
    full_name: str
    commune: AreaRef | None
    category: str
    monthly_amount: int | None
    kind: PaymentKind
    method: str | None
    method_status: str | None
    cccd: str | None
    account: str | None
    cash_reason: str | None
    flags: list[Flag]


class ReconciliationOut(BaseModel):
    """A page of the list, with counts over the whole list."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [],
                    "total": 120,
                    "limit": 50,
                    "offset": 0,
                    "kinds": {"account": 70, "cash": 45, "none": 5},
                    "flags": {"no_method": 5, "cash_without_reason": 2},
                }
            ]
        }
    )

    items: list[ReconciliationLine]
    total: int
    limit: int
    offset: int
    kinds: dict[str, int] = Field(description="Lines by payment kind (the whole list).")
    flags: dict[str, int] = Field(description="Lines by flag (the whole list).")
