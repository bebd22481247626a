"""Service points (ATMs, branches, post offices, payment points) and ATM coverage."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Text

Kind = Literal["atm", "bank_branch", "post_office", "withdrawal_point", "payment_point"]
Status = Literal["active", "planned", "closed"]


class PointIn(BaseModel):
    """A service point in a current commune."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "atm",
                    "name": "ATM Agribank Hoàng Văn Thụ",
                    "commune_id": 7,
                    "address": "Thôn Bản Cắm, xã Hoàng Văn Thụ",
                    "latitude": 21.85,
                    "longitude": 106.76,
                    "operator_name": "Agribank",
                    "announce": True,
                }
            ]
        }
    )

    kind: Kind
    name: Text = Field(min_length=1, max_length=200)
    commune_id: Id
    address: Text = Field(min_length=1, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    operator_id: Id | None = None
    operator_name: Text | None = Field(default=None, max_length=200)
    opening_hours: Text | None = Field(default=None, max_length=200, examples=["24/7"])
    status: Status = "active"
    announce: bool = Field(default=False, description="A new active ATM: tell the commune.")


class PointPatch(BaseModel):
    """Changes to a point."""

    kind: Kind | None = None
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    commune_id: Id | None = None
    address: Text | None = Field(default=None, min_length=1, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    operator_name: Text | None = Field(default=None, max_length=200)
    opening_hours: Text | None = Field(default=None, max_length=200)
    status: Status | None = None


class PointOut(BaseModel):
    """A service point."""

    id: int
    kind: str
    name: str
    commune_id: int
    address: str
    latitude: float | None
    longitude: float | None
    operator_id: int | None
    operator_name: str | None
    opening_hours: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    announced: int | None = Field(default=None, description="People told of the new ATM.")


class PointProblemOut(BaseModel):
    """A row of the file that was not imported, and why."""

    line: int
    field: str
    code: str
    message: str


class PointImportOut(BaseModel):
    """What the import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: int
    created: int
    updated: int
    skipped: int
    problems: list[PointProblemOut]


class CoverageOut(BaseModel):
    """A commune and its active ATMs and other points."""

    commune_id: int
    commune_code: str = Field(examples=["05977"])
    commune: str = Field(examples=["Xã Hoàng Văn Thụ"])
    atms: int
    other_points: int


class AnnouncedOut(BaseModel):
    """How many beneficiaries were told of the ATM (again: nobody twice)."""

    told: int
