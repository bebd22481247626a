"""The one typed settings object; nothing else reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A development key so `make run` works out of the box; production must set its own.
DEV_KEY = "ansinh-development-key-not-for-production-use-0000"


class ConfigurationError(RuntimeError):
    """A setting is wrong; the message names it and says what is expected."""


class Settings(BaseSettings):
    """Every setting of ansinh, read from ANSINH_* variables and an optional .env file."""

    model_config = SettingsConfigDict(
        env_prefix="ANSINH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="sqlite+aiosqlite:///./var/ansinh.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    database_echo: bool = False
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)

    data_key: SecretStr = Field(
        default=SecretStr(DEV_KEY),
        description="Secret for encrypting ID/account numbers (at least 32 characters).",
    )
    data_old_keys: list[SecretStr] = Field(
        default_factory=list, description="Former data keys, still accepted while rotating."
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="URL providers use to reach the webhooks."
    )
    log_json: bool = False
    log_level: str = "INFO"

    default_locale: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("data_key")
    @classmethod
    def _long_key(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters long")
        return value

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The SQLite file path, or None for PostgreSQL or an in-memory database."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split("///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    name = "ANSINH_" + "_".join(str(p) for p in first["loc"]).upper()
    return f"Setting {name} is wrong: {first['msg']}."


def load_settings(**overrides: object) -> Settings:
    """Read the settings, or stop with one sentence naming the wrong one."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(_explain(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()
