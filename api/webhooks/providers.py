"""The adapters that check each provider's webhooks, built once per process.

A webhook is served when its provider is configured, whether or not sending goes through the
sandbox: verifying a provider's signature needs its real adapter. When the sending adapter is
already the right one it is shared; otherwise one is built here, and closed here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChannelAdapter
from bot.channels.http_sms import HttpSmsAdapter
from bot.channels.registry import close_adapters
from bot.channels.telegram import TelegramAdapter
from bot.channels.twilio_sms import TwilioSmsAdapter
from bot.channels.zalo import ZaloBotAdapter
from bot.channels.zns import ZnsAdapter
from models.protection import DataProtector
from models.settings import Settings

TELEGRAM = "telegram"
ZALO = "zalo"
ZNS = "zns"
TWILIO = "twilio"
SMS_GATEWAY = "sms-gateway"
PROVIDERS = (TELEGRAM, ZALO, ZNS, TWILIO, SMS_GATEWAY)


@dataclass
class WebhookAdapters:
    """Provider name → the adapter that verifies and parses its webhooks."""

    by_provider: dict[str, ChannelAdapter] = field(default_factory=dict)
    owned: dict[str, ChannelAdapter] = field(default_factory=dict)

    def get(self, provider: str) -> ChannelAdapter | None:
        """The provider's adapter, or None when the provider is not configured."""
        return self.by_provider.get(provider)

    async def aclose(self) -> None:
        """Close the adapters built for webhooks only (shared ones belong to the sender)."""
        await close_adapters(self.owned)
        self.owned.clear()


def _configured(settings: Settings) -> dict[str, bool]:
    return {
        TELEGRAM: settings.telegram_token is not None,
        ZALO: settings.zalo_bot_token is not None,
        ZNS: bool(settings.zns_app_id),
        TWILIO: bool(settings.twilio_account_sid) or settings.twilio_auth_token is not None,
        SMS_GATEWAY: bool(settings.sms_gateway_url),
    }


def build_webhook_adapters(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    senders: Mapping[str, ChannelAdapter],
) -> WebhookAdapters:
    """An adapter for each configured provider; a half-configured one stops start-up."""
    kinds: dict[str, tuple[type, str, Callable[[], ChannelAdapter]]] = {
        TELEGRAM: (TelegramAdapter, "telegram", lambda: TelegramAdapter(settings)),
        ZALO: (ZaloBotAdapter, "zalo", lambda: ZaloBotAdapter(settings)),
        ZNS: (
            ZnsAdapter,
            "zns",
            lambda: ZnsAdapter(settings, sessions, DataProtector.from_settings(settings)),
        ),
        TWILIO: (TwilioSmsAdapter, "sms", lambda: TwilioSmsAdapter(settings)),
        SMS_GATEWAY: (HttpSmsAdapter, "sms", lambda: HttpSmsAdapter(settings)),
    }
    found = WebhookAdapters()
    for provider, wanted in _configured(settings).items():
        if not wanted:
            continue
        kind, channel, build = kinds[provider]
        sender = senders.get(channel)
        if sender is not None and isinstance(sender, kind):
            found.by_provider[provider] = sender
        else:
            found.by_provider[provider] = found.owned[provider] = build()
    return found
