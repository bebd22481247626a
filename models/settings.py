"""The one typed settings object; nothing else reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
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

    auth_secret: SecretStr | None = Field(
        default=None,
        description="Secret signing officers' access tokens (default: derived from the data key).",
    )
    access_token_minutes: int = Field(
        default=30, ge=1, le=1440, description="How long an officer's access token is valid."
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="URL providers use to reach the webhooks."
    )
    run_scheduler: bool = Field(
        default=True, description="`ansinh serve` also sends the outbox and runs the jobs."
    )
    log_json: bool = False
    log_level: str = "INFO"
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token GET /metrics requires (unset: no token asked)."
    )
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port on `host` where `ansinh worker` serves its Prometheus metrics.",
    )

    default_locale: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    # --- channels -------------------------------------------------------------------------
    sandbox: bool = Field(
        default=True,
        description="Send everything to the local sandbox inbox instead of real providers.",
    )
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: SecretStr | None = None
    telegram_rate_per_second: float = Field(default=25.0, gt=0)
    telegram_rate_per_chat: float = Field(default=1.0, gt=0)

    zalo_bot_token: SecretStr | None = None
    zalo_bot_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_webhook_secret: SecretStr | None = None
    zalo_bot_rate_per_second: float = Field(default=10.0, gt=0)

    zns_api_url: str = "https://business.openapi.zalo.me"
    zns_oauth_url: str = "https://oauth.zaloapp.com"
    zns_app_id: str | None = None
    zns_secret_key: SecretStr | None = None
    zns_refresh_token: SecretStr | None = Field(
        default=None, description="First refresh token; ansinh stores each new one it is given."
    )
    zns_templates: dict[str, str] = Field(
        default_factory=dict, description="Message key to approved ZNS template id (JSON)."
    )
    zns_rate_per_second: float = Field(default=10.0, gt=0)
    zns_oa_secret_key: SecretStr | None = Field(
        default=None, description="OA secret key that signs ZNS webhooks (X-ZEvent-Signature)."
    )

    sms_provider: Literal["sandbox", "twilio", "http"] = "sandbox"
    sms_rate_segments_per_second: float = Field(default=20.0, gt=0)
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = Field(default=None, description="Registered sender ID or number.")
    twilio_api_url: str = "https://api.twilio.com"
    sms_gateway_url: str | None = None
    sms_gateway_api_key: SecretStr | None = None
    sms_gateway_hmac_secret: SecretStr | None = None
    sms_gateway_brandname: str = "ANSINH"
    provider_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long to wait for any provider's HTTP answer."
    )

    # --- delivery -------------------------------------------------------------------------
    campaign_hours: str = Field(default="08:00-20:00", pattern=r"^\d\d:\d\d-\d\d:\d\d$")
    sms_segment_cost_vnd: int = Field(
        default=500, ge=0, description="Price of one SMS part, for campaign cost estimates."
    )
    zns_message_cost_vnd: int = Field(
        default=300, ge=0, description="Price of one delivered ZNS message, for estimates."
    )
    notice_hours: str = Field(default="07:00-21:00", pattern=r"^\d\d:\d\d-\d\d:\d\d$")
    dispatch_batch_size: int = Field(default=200, ge=1, le=5000)
    dispatch_concurrency: int = Field(default=50, ge=1, le=1000)
    dispatch_interval_seconds: float = Field(default=1.0, gt=0)
    dispatch_lease_seconds: float = Field(
        default=120.0, gt=0, description="A claim older than this is taken back (crash recovery)."
    )
    retry_max_attempts: int = Field(
        default=12, ge=1, description="Sends before a message fails: 12 outlast a 2½-hour outage."
    )
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("data_key", "auth_secret")
    @classmethod
    def _long_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters long")
        return value

    @model_validator(mode="after")
    def _no_development_key_in_production(self) -> Settings:
        if self.environment == "production" and self.data_key.get_secret_value() == DEV_KEY:
            raise ValueError(
                "data_key: production needs its own secret key, not the development default"
            )
        return self

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
    message = str(first["msg"]).removeprefix("Value error, ")
    location = [str(p) for p in first["loc"]]
    if not location and ":" in message:  # a rule across settings names its field first
        field, message = (part.strip() for part in message.split(":", 1))
        location = [field]
    name = "ANSINH_" + "_".join(location).upper()
    return f"Setting {name} is wrong: {message}."


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
