"""The adapters of this process, one per channel name, built from the settings."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChannelAdapter
from bot.channels.http_sms import HttpSmsAdapter
from bot.channels.sandbox import SandboxAdapter
from bot.channels.telegram import TelegramAdapter
from bot.channels.twilio_sms import TwilioSmsAdapter
from bot.channels.zalo import ZaloBotAdapter
from bot.channels.zns import ZnsAdapter
from models.protection import DataProtector
from models.settings import Settings

CHANNELS = ("telegram", "zalo", "zns", "sms", "sandbox")


def build_adapters(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, ChannelAdapter]:
    """Channel name → adapter; in sandbox mode every name maps to the one sandbox adapter."""
    sandbox = SandboxAdapter(sessions)
    if settings.sandbox:
        return dict.fromkeys(CHANNELS, sandbox)
    adapters: dict[str, ChannelAdapter] = {"sandbox": sandbox}
    if settings.telegram_token is not None:
        adapters["telegram"] = TelegramAdapter(settings)
    if settings.zalo_bot_token is not None:
        adapters["zalo"] = ZaloBotAdapter(settings)
    if settings.zns_app_id:
        adapters["zns"] = ZnsAdapter(settings, sessions, DataProtector.from_settings(settings))
    adapters["sms"] = _sms_adapter(settings, sandbox)
    return adapters


def _sms_adapter(settings: Settings, sandbox: SandboxAdapter) -> ChannelAdapter:
    """The provider sms_provider names; a chosen provider with missing settings stops start-up."""
    if settings.sms_provider == "twilio":
        return TwilioSmsAdapter(settings)
    if settings.sms_provider == "http":
        return HttpSmsAdapter(settings)
    return sandbox


async def close_adapters(adapters: Mapping[str, ChannelAdapter]) -> None:
    """Close each adapter once, even when several names share it."""
    unique = {id(adapter): adapter for adapter in adapters.values()}
    for adapter in unique.values():
        await adapter.aclose()
