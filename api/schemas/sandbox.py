"""Bodies of the sandbox API: talk to ansinh as a person would, and read the local inbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.schemas.fields import Text
from bot.channels.common import to_e164
from bot.sandbox import ADDRESS_PATTERN

TEXT_LIMIT = 5000


class Location(BaseModel):
    """A shared location, as Telegram's 'share my location' sends it."""

    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90, examples=[21.8537])
    longitude: float = Field(ge=-180, le=180, examples=[106.7615])


class SandboxInbound(BaseModel):
    """A message from a person: some text, a shared location or a shared phone number."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"address": "tel:+84912345678", "text": "Bat dau"},
                {"address": "telegram:123456789", "text": "/start"},
                {
                    "address": "telegram:123456789",
                    "location": {"latitude": 21.8537, "longitude": 106.7615},
                },
                {"address": "telegram:123456789", "shared_phone": "+84912345678"},
            ]
        },
    )

    address: str = Field(
        max_length=100,
        pattern=ADDRESS_PATTERN,
        description="Who writes, and so on which channel: tel:+84… (SMS), telegram:<chat id> "
        "or zalo:<user id>.",
        examples=["tel:+84912345678"],
    )
    text: Text | None = Field(default=None, max_length=TEXT_LIMIT, examples=["Bat dau"])
    location: Location | None = None
    shared_phone: Text | None = Field(
        default=None,
        max_length=20,
        description="The person's own number, as Telegram's 'share my phone' gives it.",
        examples=["+84912345678"],
    )

    @field_validator("shared_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = to_e164(value)
        if number is None:
            raise ValueError("is not a phone number")
        return number

    @model_validator(mode="after")
    def _something(self) -> SandboxInbound:
        if self.text is None and self.location is None and self.shared_phone is None:
            raise ValueError("give a text, a location or a shared_phone")
        return self


class SandboxChoice(BaseModel):
    """One option of a menu: the button label (Telegram) and the answer it stands for."""

    label: str = Field(examples=["Tiếng Việt"])
    value: str = Field(examples=["vi"])


class SandboxReply(BaseModel):
    """One message ansinh answers, rendered as the person sees it on the channel."""

    outbox_id: int = Field(examples=[42])
    channel: str = Field(examples=["sms"])
    text: str = Field(examples=["Chao Ong/Ba. Chon ngon ngu:\n1. Tieng Viet\n2. English"])
    choices: list[SandboxChoice] = Field(default_factory=list)
    parse_mode: str | None = Field(default=None, description="'HTML' on Telegram.")
    segments: int | None = Field(default=None, description="SMS parts (SMS only).", examples=[1])
    encoding: str | None = Field(default=None, description="GSM-7 or UCS-2 (SMS only).")


class SandboxTurn(BaseModel):
    """ansinh's answers to one message."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "event_id": "sandbox-5f1c0b8e8f6d4c0c9f1e2a3b4c5d6e7f",
                    "replies": [
                        {
                            "outbox_id": 42,
                            "channel": "sms",
                            "text": "Chao Ong/Ba. Chon ngon ngu:\n1. Tieng Viet\n2. English",
                            "choices": [
                                {"label": "Tieng Viet", "value": "vi"},
                                {"label": "English", "value": "en"},
                            ],
                            "parse_mode": None,
                            "segments": 1,
                            "encoding": "GSM-7",
                        }
                    ],
                }
            ]
        }
    )

    event_id: str
    replies: list[SandboxReply]


class SandboxInboxItem(BaseModel):
    """One message of the sandbox inbox: 'in' from the tester, 'out' delivered by ansinh."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[7])
    direction: str = Field(examples=["out"])
    text: str = Field(examples=["Chao Ong/Ba."])
    outbox_id: int | None = Field(default=None, examples=[42])
    created_at: datetime


class SandboxInbox(BaseModel):
    """The conversation with one address, oldest first."""

    address: str = Field(examples=["tel:+84912345678"])
    messages: list[SandboxInboxItem]
    last_id: int | None = Field(
        default=None, description="Pass as after_id to get only newer messages next time."
    )
