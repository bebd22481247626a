"""Small builders shared by the channel adapter tests."""

from __future__ import annotations

from typing import Any

from bot.channels.base import OutboundMessage, WebhookRequest
from messages.render import Choice, Rendered
from models.settings import Settings
from tests.conftest import make_test_settings

PHONE = "+84912345678"


def settings(url: str = "sqlite+aiosqlite:///:memory:", **overrides: Any) -> Settings:
    """Test settings with real providers (no sandbox) and the given overrides."""
    values: dict[str, Any] = {"sandbox": False, "public_url": "https://ansinh.example.vn"}
    values.update(overrides)
    return make_test_settings(url, **values)


def outbound(
    address: str, text: str = "Xin chào", *, outbox_id: int = 1, **rendered: Any
) -> OutboundMessage:
    """One message for `address`."""
    channel = address.partition(":")[0]
    return OutboundMessage(outbox_id, address, Rendered(channel=channel, text=text, **rendered))


def choices(*labels: str) -> tuple[Choice, ...]:
    """Choices valued '1', '2'..."""
    return tuple(Choice(label, str(i)) for i, label in enumerate(labels, 1))


def webhook(
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    url: str = "http://127.0.0.1:8000/webhooks/x",
    form: dict[str, str] | None = None,
) -> WebhookRequest:
    """A webhook request as the API layer hands it over (header names in lower case)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    return WebhookRequest(url=url, headers=lowered, body=body, form=form or {})
