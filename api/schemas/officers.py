"""Bodies of sign-in, officer accounts and the paying bank's API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Text
from models.officers.roles import Role


class AreaRef(BaseModel):
    """An administrative unit, by id, official code and name."""

    id: int = Field(examples=[3])
    code: str = Field(examples=["05977"])
    name: str = Field(examples=["Phường Đông Kinh"])


class TokenOut(BaseModel):
    """An access token for the Authorization header (Bearer)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…",
                    "token_type": "bearer",
                    "expires_in": 1800,
                    "expires_at": "2026-11-28T09:30:00Z",
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int = Field(description="Seconds the token stays valid.")
    expires_at: datetime


class MeOut(BaseModel):
    """Who the caller is, what role they have and the areas granted."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "officer",
                    "id": 4,
                    "name": "lan.nt",
                    "role": "commune_officer",
                    "areas": [{"id": 3, "code": "05977", "name": "Phường Đông Kinh"}],
                }
            ]
        }
    )

    kind: str
    id: int
    name: str
    role: Role
    areas: list[AreaRef]


class OfficerIn(BaseModel):
    """A new officer account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "lan.nt",
                    "display_name": "Nguyễn Thị Lan",
                    "role": "commune_officer",
                    "area_codes": ["05977"],
                    "password": "correct horse battery",
                }
            ]
        },
    )

    username: Text = Field(min_length=3, max_length=64)
    display_name: Text = Field(min_length=1, max_length=200)
    role: Role
    area_codes: list[Text] = Field(min_length=1, max_length=100, description="Official codes.")
    password: Text = Field(min_length=1, max_length=200)


class OfficerPatch(BaseModel):
    """Changes to an officer account; omitted fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"active": False}, {"area_codes": ["20"]}]}
    )

    display_name: Text | None = Field(default=None, max_length=200)
    role: Role | None = None
    active: bool | None = None
    area_codes: list[Text] | None = Field(default=None, min_length=1, max_length=100)
    password: Text | None = Field(default=None, min_length=1, max_length=200)


class OfficerOut(BaseModel):
    """An officer account (the password hash is never shown)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "username": "lan.nt",
                    "display_name": "Nguyễn Thị Lan",
                    "role": "commune_officer",
                    "active": True,
                    "areas": [{"id": 3, "code": "05977", "name": "Phường Đông Kinh"}],
                    "created_at": "2026-11-01T02:00:00Z",
                    "last_login_at": "2026-11-28T01:12:00Z",
                }
            ]
        }
    )

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    areas: list[AreaRef]
    created_at: datetime
    last_login_at: datetime | None


class ApiKeyIn(BaseModel):
    """A new key for the paying bank's systems (role payer)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Agribank Lạng Sơn – chi trả", "area_codes": ["20"]}]
        },
    )

    name: Text = Field(min_length=1, max_length=200)
    area_codes: list[Text] = Field(min_length=1, max_length=100)


class ApiKeyOut(BaseModel):
    """An API key as listed: its prefix, never its secret."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "name": "Agribank Lạng Sơn – chi trả",
                    "prefix": "ask_Q3v9xT2m",
                    "role": "payer",
                    "areas": [{"id": 1, "code": "20", "name": "Tỉnh Lạng Sơn"}],
                    "created_by": "admin",
                    "created_at": "2026-11-01T02:00:00Z",
                    "last_used_at": None,
                    "revoked_at": None,
                }
            ]
        }
    )

    id: int
    name: str
    prefix: str
    role: Role
    areas: list[AreaRef]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """A new key with its secret: shown in this answer only, store it now."""

    key: str = Field(description="Send as the X-API-Key header. Shown once.")
