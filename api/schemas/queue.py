"""Bodies of the review queue and of the questions people ask the bot."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Text
from models.vocab import Category


class ReviewOut(BaseModel):
    """An item waiting for (or given) an officer's decision; the payload is masked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "kind": "method_change",
                    "status": "pending",
                    "beneficiary_id": 12,
                    "commune_id": 3,
                    "payload": {"method": "bank_account", "account": "******6789"},
                    "reason": None,
                    "decided_by": None,
                    "decided_at": None,
                    "created_at": "2026-11-27T02:00:00Z",
                }
            ]
        }
    )

    id: int
    kind: str
    status: str
    beneficiary_id: int | None
    commune_id: int | None
    payload: dict[str, Any]
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class ReviewDecisionIn(BaseModel):
    """Approve or reject; a registration may need the category or commune the person left out."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"approve": True, "category": "BTXH"},
                {"approve": False, "reason": "registration.reason.not_listed"},
            ]
        },
    )

    approve: bool
    reason: Text | None = Field(
        default=None,
        max_length=500,
        description="Required to reject; told to the person (a registration.reason.* key or text).",
    )
    category: Category | None = None
    commune_id: Id | None = None


class ReviewDecisionOut(BaseModel):
    """The decided item, the beneficiary concerned and whether a notice was queued."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 7, "status": "approved", "beneficiary_id": 12, "notice_id": 40}]
        }
    )

    id: int
    status: str
    beneficiary_id: int | None
    notice_id: int | None


class QuestionOut(BaseModel):
    """A question asked through the bot, with its answer once given."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "status": "open",
                    "channel": "zalo",
                    "address": "zalo:12****89",
                    "beneficiary_id": 12,
                    "commune_id": 3,
                    "text": "Khi nào tôi nhận được tiền tháng này?",
                    "answer": None,
                    "answered_by": None,
                    "answered_at": None,
                    "answer_due_by": "2026-12-01",
                    "created_at": "2026-11-27T02:00:00Z",
                }
            ]
        }
    )

    id: int
    status: str
    channel: str
    address: str = Field(description="Masked.")
    beneficiary_id: int | None
    commune_id: int | None
    text: str
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    answer_due_by: date | None
    created_at: datetime


class AnswerIn(BaseModel):
    """The officer's answer, sent to the person on the channel they asked from."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"answer": "Ông/Bà mang CCCD đến UBND xã sáng thứ Hai."}]},
    )

    answer: Text = Field(min_length=1, max_length=1000)


class CloseIn(BaseModel):
    """Closing a question, with an optional note for the audit log."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": None}]})

    reason: Text | None = Field(default=None, max_length=500)
