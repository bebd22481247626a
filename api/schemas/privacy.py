"""Bodies of personal-data requests (access, correction, deletion, objection, restriction)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Text
from models.officers.data_requests import DataRequestStatus
from models.requests.service import DataRequestKind


class DataRequestOut(BaseModel):
    """A request with its legal deadlines: acknowledge in 2 working days, complete in 10-20 days."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "kind": "access",
                    "status": "received",
                    "person_id": 21,
                    "beneficiary_id": 12,
                    "channel": "telegram",
                    "details": None,
                    "received_at": "2026-11-27T02:00:00Z",
                    "acknowledge_by": "2026-12-01",
                    "due_by": "2026-12-07",
                    "overdue": False,
                    "acknowledged_at": None,
                    "completed_at": None,
                    "handled_by": None,
                    "outcome": None,
                }
            ]
        }
    )

    id: int
    kind: str
    status: str
    person_id: int | None
    beneficiary_id: int | None
    channel: str
    details: str | None
    received_at: datetime
    acknowledge_by: date
    due_by: date
    overdue: bool = Field(description="Past its deadline and not finished.")
    acknowledged_at: datetime | None
    completed_at: datetime | None
    handled_by: str | None
    outcome: str | None


class DataRequestIn(BaseModel):
    """A request made at the office, entered by an officer for a beneficiary."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"beneficiary_id": 12, "kind": "access"}]},
    )

    beneficiary_id: Id
    kind: DataRequestKind
    details: Text | None = Field(default=None, max_length=2000)


class DataRequestPatch(BaseModel):
    """The request's new status and what was done."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "completed", "outcome": "Đã gửi bản sao."}]},
    )

    status: DataRequestStatus
    outcome: Text | None = Field(default=None, max_length=2000)


class PersonExport(BaseModel):
    """Everything held about one person, table by table (ID and account numbers in clear)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"person_id": 21, "tables": {"people": [{"id": 21, "full_name": "…"}]}}]
        }
    )

    person_id: int
    tables: dict[str, list[dict[str, Any]]]


class AnonymisedOut(BaseModel):
    """The person after deletion."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"person_id": 21, "anonymised_at": "2026-11-27T02:00:00Z"}]}
    )

    person_id: int
    anonymised_at: datetime
