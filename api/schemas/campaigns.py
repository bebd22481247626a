"""Campaigns: the words, the audience, the preview, the live figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Text

Language = Literal["vi", "en"]
Channel = Literal["sms", "telegram", "zalo"]
Category = Literal["BTXH", "NCC"]
Method = Literal[
    "bank_account", "mobile_money", "social_security_account", "cash_point", "cash_home"
]
EXAMPLE: dict[str, Any] = {
    "title": "Nhận trợ cấp qua tài khoản",
    "text_vi": "Từ tháng 7, trợ cấp được chuyển qua tài khoản. Mời Ông/Bà đăng ký tại UBND xã.",
    "text_en": "From July, allowances are paid into accounts. Please register at the commune.",
    "sms_text_vi": "Tu thang 7 tro cap chuyen qua tai khoan. Moi Ong/Ba dang ky tai UBND xa.",
    "commune_ids": [7, 9],
    "method": "cash_point",
    "requires_approval": True,
}


class CampaignIn(BaseModel):
    """A campaign: the officer's words (Vietnamese required), per-channel SMS text, audience."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    title: Text = Field(min_length=1, max_length=200)
    text_vi: Text = Field(min_length=1, max_length=1500)
    text_en: Text | None = Field(default=None, max_length=1500)
    sms_text_vi: Text | None = Field(default=None, max_length=480, description="Shorter SMS text.")
    sms_text_en: Text | None = Field(default=None, max_length=480)
    commune_ids: list[Id] = Field(
        default_factory=list, description="Communes; empty: every commune the caller reaches."
    )
    category: Category | None = None
    method: Method | None = Field(default=None, description="Current payment method chosen.")
    language: Language | None = None
    channel: Channel | None = Field(default=None, description="Only people reachable on it.")
    requires_approval: bool = False
    expires_at: datetime | None = None


class CampaignPatch(BaseModel):
    """Changes to a draft (an approval is undone by any change)."""

    title: Text | None = Field(default=None, min_length=1, max_length=200)
    text_vi: Text | None = Field(default=None, min_length=1, max_length=1500)
    text_en: Text | None = Field(default=None, max_length=1500)
    sms_text_vi: Text | None = Field(default=None, max_length=480)
    sms_text_en: Text | None = Field(default=None, max_length=480)
    commune_ids: list[Id] | None = None
    category: Category | None = None
    method: Method | None = None
    language: Language | None = None
    channel: Channel | None = None
    # not nullable: the column is NOT NULL (an omitted field stays as it is, whatever its default)
    requires_approval: bool = Field(default=False, description="Omitted: unchanged.")
    expires_at: datetime | None = None


class CampaignOut(CampaignIn):
    """A campaign and where it stands."""

    id: int
    status: str = Field(
        examples=["running"],
        description="draft, approved, scheduled, running, paused or cancelled.",
    )
    created_by: str
    approved_by: str | None
    starts_at: datetime | None
    launched_at: datetime | None
    queued_count: int | None
    resend_rounds: int
    created_at: datetime


class ScheduleIn(BaseModel):
    """When the campaign starts (the scheduler launches it then)."""

    starts_at: datetime = Field(examples=["2026-11-30T01:00:00Z"])


class PreviewOut(BaseModel):
    """Launching now: audience (exact), channels, SMS parts, cost and time (estimates)."""

    audience: int = Field(examples=[24_812])
    channels: dict[str, int] = Field(
        examples=[{"telegram": 2100, "zalo": 0, "zns": 0, "sms": 22_400}]
    )
    suppressed: int = Field(description="No usable address, opted out or consent withdrawn.")
    sms_segments: dict[str, int] = Field(examples=[{"vi": 1, "en": 1}])
    sms_encoding: dict[str, str] = Field(examples=[{"vi": "GSM-7", "en": "GSM-7"}])
    cost_vnd: int = Field(examples=[11_200_000])
    send_seconds: float = Field(description="Sending time under the channels' rate limits.")
    starts_at: datetime
    finishes_at: datetime = Field(description="Sending only inside the campaign hours.")
    sampled: bool = Field(description="Channel split measured on a sample (large audiences).")


class CountOut(BaseModel):
    """How many messages an action moved or queued."""

    count: int


class StatsOut(BaseModel):
    """Live figures from the outbox: each person counted once, at their latest message."""

    people: int
    queued: int
    held: int
    sent: int
    delivered: int
    failed: dict[str, int] = Field(examples=[{"provider:rejected": 12}])
    suppressed: dict[str, int] = Field(examples=[{"opted_out": 40, "unreachable": 3}])
    expired: int
    cancelled: int
    opted_out_since: int = Field(description="People who opted out since the launch.")
    cost_units: int
    by_channel: dict[str, int]
