"""Account-opening sessions and the people invited to them."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Text


class SessionIn(BaseModel):
    """A session: where, when, with which bank (organisation or bank code), what to bring."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "commune_id": 7,
                    "held_on": "2026-12-03",
                    "start_time": "08:00",
                    "end_time": "11:30",
                    "place": "Hội trường UBND xã Hoàng Văn Thụ",
                    "documents": "CCCD gắn chip và điện thoại",
                    "bank_code": "AGRIBANK",
                }
            ]
        }
    )

    commune_id: Id
    held_on: date
    start_time: time
    end_time: time
    place: Text = Field(min_length=1, max_length=300)
    documents: Text = Field(min_length=1, max_length=500)
    organisation_id: Id | None = None
    bank_code: Text | None = Field(default=None, max_length=32, examples=["AGRIBANK"])


class SessionOut(SessionIn):
    """A session and how many are invited, reminded, came, got an account."""

    id: int
    bank_name: str = Field(examples=["Agribank"])
    status: str = Field(examples=["planned"], description="planned, held or cancelled.")
    created_by: str
    invited: int = 0
    came: int = 0
    accounts_opened: int = 0


class InvitationsOut(BaseModel):
    """People added to the session, and invitations queued now."""

    added: int
    invited: int


class AttendeeIn(BaseModel):
    """Invite one beneficiary of the commune by hand."""

    beneficiary_id: Id


class AccountIn(BaseModel):
    """The account bank staff opened (the session's bank unless another is given)."""

    account_number: Text = Field(min_length=6, max_length=40, examples=["1234 5678 9012"])
    holder_name: Text | None = Field(default=None, max_length=200, examples=["HOANG VAN SANG"])
    bank_code: Text | None = Field(default=None, max_length=32)


class AttendanceIn(BaseModel):
    """Whether the person came, and the account opened for them (if any)."""

    attended: bool
    account: AccountIn | None = None


class AttendeeOut(BaseModel):
    """One invited person and what happened."""

    beneficiary_id: int
    source: str = Field(examples=["choice"], description="choice, review or officer.")
    invited_at: datetime | None
    reminded_at: datetime | None
    attended: bool | None
    account_opened: bool
    recorded_by: str | None
