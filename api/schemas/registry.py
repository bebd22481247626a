"""Bodies of the beneficiary registry: lists, records (masked or full), changes, imports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Count, Id, Text
from api.schemas.officers import AreaRef
from models.vocab import BeneficiaryStatus, Category, Verification

MethodFilter = Literal[
    "bank_account", "mobile_money", "social_security_account", "cash_point", "cash_home", "none"
]

REASON = Field(
    min_length=5,
    max_length=500,
    description="Why: kept in the audit log.",
    examples=["Đối chiếu hồ sơ chi trả tháng 11"],
)

_ITEM_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "full_name": "Hoàng Văn Sáng",
    "birth_year": 1941,
    "gender": "male",
    "category": "BTXH",
    "sub_category": None,
    "commune": {"id": 3, "code": "05977", "name": "Phường Đông Kinh"},
    "village": "Thôn Nà Lầu",
    "status": "active",
    "verification_status": "unverified",
    "cccd": "020******234",
    "phone": "091****678",
    "method": "cash_point",
    "method_status": "requested",
    "monthly_amount": 540000,
    "area_needs_confirmation": False,
}


class BeneficiaryItem(BaseModel):
    """A beneficiary in a list: identifiers masked."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    id: int
    full_name: str
    birth_year: int | None
    gender: str | None
    category: str
    sub_category: str | None
    commune: AreaRef | None
    village: str | None
    status: str
    verification_status: str
    cccd: str | None = Field(description="Masked: 020******234.")
    phone: str | None = Field(description="Masked: 091****678.")
    method: str | None = Field(description="The current choice, None when none was made.")
    method_status: str | None
    monthly_amount: int | None
    area_needs_confirmation: bool


class ContactOut(BaseModel):
    """A way to reach the person (masked)."""

    address: str = Field(examples=["tel:091****678"])
    channel: str
    priority: int
    opted_out: bool
    reachability: str


class ChoiceOut(BaseModel):
    """The current payment-method choice; the account number is masked unless a reason is given."""

    method: str
    provider_code: str | None
    account: str | None
    holder_name: str | None
    holder_name_matches: bool | None
    status: str
    confirmation_code: str
    cash_reason: str | None
    created_at: datetime


class RepresentationOut(BaseModel):
    """Someone acting for the beneficiary."""

    id: int
    kind: str
    proxy_name: str
    relationship_to: str | None
    status: str
    valid_until: date | None


class ConsentOut(BaseModel):
    """A consent and its evidence."""

    purpose: str
    notice_version: str
    channel: str
    given_at: datetime
    withdrawn_at: datetime | None


class BeneficiaryDetail(BeneficiaryItem):
    """One beneficiary's whole record; `full` tells whether ID and account numbers are shown."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_ITEM_EXAMPLE,
                    "full": False,
                    "birth_date": "1941-03-12",
                    "cmnd": None,
                    "registry_code": "BTXH-0012",
                    "special_circumstances": None,
                    "cash_at_home_allowed": False,
                    "locale": "vi",
                    "contacts": [],
                    "choice": None,
                    "representations": [],
                    "consents": [],
                    "created_at": "2026-11-01T02:00:00Z",
                    "updated_at": "2026-11-01T02:00:00Z",
                }
            ]
        }
    )

    full: bool
    birth_date: date | None
    cmnd: str | None
    registry_code: str | None
    special_circumstances: str | None
    cash_at_home_allowed: bool
    locale: str
    contacts: list[ContactOut]
    choice: ChoiceOut | None
    representations: list[RepresentationOut]
    consents: list[ConsentOut]
    created_at: datetime
    updated_at: datetime


class BeneficiaryIn(BaseModel):
    """A beneficiary typed by an officer; CCCD and phone are checked like every other input."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Hoàng Văn Sáng",
                    "birth_date": "1941-03-12",
                    "gender": "male",
                    "cccd": "020041001234",
                    "phone": "0912 345 678",
                    "category": "BTXH",
                    "commune_id": 3,
                    "village": "Thôn Nà Lầu",
                    "monthly_amount": 540000,
                }
            ]
        },
    )

    full_name: Text = Field(min_length=1, max_length=200)
    birth_date: date | None = None
    birth_year: int | None = Field(default=None, ge=1880, le=2100)
    gender: str | None = Field(default=None, pattern="^(male|female)$")
    cccd: Text | None = Field(default=None, max_length=32)
    cmnd: Text | None = Field(default=None, max_length=32)
    phone: Text | None = Field(default=None, max_length=32)
    category: Category
    sub_category: Text | None = Field(default=None, max_length=100)
    commune_id: Id
    village: Text | None = Field(default=None, max_length=200)
    monthly_amount: Count | None = Field(default=None, ge=0)
    registry_code: Text | None = Field(default=None, max_length=64)
    special_circumstances: Text | None = Field(default=None, max_length=2000)
    cash_at_home_allowed: bool = False
    locale: str = Field(default="vi", pattern="^(vi|en)$")


class BeneficiaryPatch(BaseModel):
    """Corrections to a beneficiary; omitted fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"village": "Thôn Khuổi Phầy", "phone": "0861234567"}]},
    )

    full_name: Text | None = Field(default=None, min_length=1, max_length=200)
    birth_date: date | None = None
    birth_year: int | None = Field(default=None, ge=1880, le=2100)
    gender: str | None = Field(default=None, pattern="^(male|female)$")
    cccd: Text | None = Field(default=None, max_length=32)
    cmnd: Text | None = Field(default=None, max_length=32)
    phone: Text | None = Field(default=None, max_length=32)
    category: Category | None = None
    sub_category: Text | None = Field(default=None, max_length=100)
    commune_id: Id | None = None
    village: Text | None = Field(default=None, max_length=200)
    monthly_amount: Count | None = Field(default=None, ge=0)
    registry_code: Text | None = Field(default=None, max_length=64)
    special_circumstances: Text | None = Field(default=None, max_length=2000)
    cash_at_home_allowed: bool | None = None
    locale: str | None = Field(default=None, pattern="^(vi|en)$")


class ReasonIn(BaseModel):
    """A decision with its reason."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Đi làm ăn xa 6 tháng"}]}
    )

    reason: Text = REASON


class DeceasedIn(BaseModel):
    """A death reported to the commune."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Giấy báo tử số 12/2026", "date_of_death": "2026-11-20"}]
        },
    )

    reason: Text = REASON
    date_of_death: date | None = None


class StatusOut(BaseModel):
    """A beneficiary's status after a change."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 12, "status": "suspended"}]})

    id: int
    status: BeneficiaryStatus


class RowProblemOut(BaseModel):
    """One problem on one line of an uploaded list."""

    line: int = Field(examples=[7])
    field: str = Field(examples=["cccd"])
    code: str = Field(examples=["id.cccd.length"])
    params: dict[str, str]
    message: str = Field(examples=["Số CCCD phải có 12 chữ số (Ông/Bà đã nhập 11)."])
    warning: bool


class ImportReportOut(BaseModel):
    """What an import did, or in a dry run would do."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": True,
                    "rows": 3,
                    "created": 2,
                    "updated": 0,
                    "unchanged": 0,
                    "skipped": 1,
                    "needs_area_confirmation": 0,
                    "ignored_columns": ["STT"],
                    "problems": [
                        {
                            "line": 4,
                            "field": "cccd",
                            "code": "id.cccd.length",
                            "params": {"got": "11"},
                            "message": "Số CCCD phải có 12 chữ số.",
                            "warning": False,
                        }
                    ],
                }
            ]
        }
    )

    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    needs_area_confirmation: int
    ignored_columns: list[str]
    problems: list[RowProblemOut]


class BeneficiarySearch(BaseModel):
    """Search terms, sent in the body so names and numbers stay out of URLs and access logs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "hoang van sang", "limit": 20},
                {"cccd": "020041001234"},
                {"phone": "0912 345 678", "status": "active"},
            ]
        },
    )

    name: Text | None = Field(default=None, max_length=200, description="Accents optional.")
    cccd: Text | None = Field(default=None, max_length=32, description="CCCD or old CMND.")
    phone: Text | None = Field(default=None, max_length=32)
    commune_id: Id | None = None
    category: Category | None = None
    method: MethodFilter | None = Field(default=None, description="A payment method, or 'none'.")
    status: BeneficiaryStatus | None = None
    verification: Verification | None = None
    needs_area_confirmation: bool | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: Count = Field(default=0, ge=0)
