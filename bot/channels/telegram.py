"""Telegram through python-telegram-bot's Bot (over aiohttp), at settings.telegram_api_url.

Choices become a reply keyboard, one button per choice. When Rendered asks for the phone or the
location, the choice valued "share_contact" / "share_location" becomes that request button; without
such a choice a wordless 📱 / 📍 button is added.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import (
    Bot,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.base import (
    DeliveryReport,
    InboundMessage,
    OutboundMessage,
    SendResult,
    SendStatus,
    WebhookRejected,
    WebhookRequest,
)
from bot.channels.common import load_json_object, native_id, require_secret_header, to_e164
from bot.channels.telegram_request import AiohttpRequest
from messages.render import Rendered
from models.protection import mask_address
from models.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
CHAT_NOT_FOUND = "chat not found"
# A choice with one of these values becomes the button that shares the phone / the location,
# so its label is the rendered, translated one.
SHARE_CONTACT = "share_contact"
SHARE_LOCATION = "share_location"


def keyboard(rendered: Rendered) -> ReplyKeyboardMarkup | None:
    """One button per choice, plus 'share my phone' / 'share my location' when asked."""
    rows = [[_button(choice.label, choice.value, rendered)] for choice in rendered.choices]
    values = {choice.value for choice in rendered.choices}
    if rendered.request_contact and SHARE_CONTACT not in values:
        rows.append([KeyboardButton("📱", request_contact=True)])  # no words: nothing to translate
    if rendered.request_location and SHARE_LOCATION not in values:
        rows.append([KeyboardButton("📍", request_location=True)])
    if not rows:
        return None
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def _button(label: str, value: str, rendered: Rendered) -> KeyboardButton:
    """A choice's button; the choice valued 'share_contact'/'share_location' asks for it."""
    return KeyboardButton(
        label,
        request_contact=(rendered.request_contact and value == SHARE_CONTACT) or None,
        request_location=(rendered.request_location and value == SHARE_LOCATION) or None,
    )


def classify(error: TelegramError) -> SendResult:
    """A python-telegram-bot error as a send outcome."""
    if isinstance(error, RetryAfter):
        return SendResult(
            SendStatus.RETRYABLE, retry_after=_retry_seconds(error), reason="rate_limited"
        )
    if isinstance(error, TimedOut):  # before NetworkError: TimedOut is one
        return SendResult(SendStatus.RETRYABLE, reason="timeout")
    if isinstance(error, Forbidden):  # blocked by the user, user deactivated
        return SendResult(SendStatus.UNREACHABLE, reason="blocked")
    if isinstance(error, BadRequest):
        if CHAT_NOT_FOUND in error.message.lower():
            return SendResult(SendStatus.UNREACHABLE, reason="chat_not_found")
        return SendResult(SendStatus.PERMANENT, reason="bad_request")
    if isinstance(error, InvalidToken):
        return SendResult(SendStatus.PERMANENT, reason="unauthorized")
    if isinstance(error, NetworkError):  # also 5xx answers
        return SendResult(SendStatus.RETRYABLE, reason="network")
    return SendResult(SendStatus.PERMANENT, reason="telegram_error")


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramAdapter:
    """Sends through the Bot API, verifies the secret header, reads updates."""

    name = "telegram"

    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        if settings.telegram_token is None:
            raise ConfigurationError("ANSINH_TELEGRAM_TOKEN is not set")
        seconds = timeout if timeout is not None else settings.provider_timeout_seconds
        # aiohttp under PTB's Bot: its HTTPXRequest costs ~9 ms of CPU a message at 200 sends
        self._requests = (
            AiohttpRequest(connections=1, timeout=seconds),
            AiohttpRequest(connections=settings.dispatch_concurrency, timeout=seconds),
        )
        self._bot = Bot(
            settings.telegram_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            get_updates_request=self._requests[0],
            request=self._requests[1],
        )
        secret = settings.telegram_webhook_secret
        self._secret = secret.get_secret_value() if secret else None
        self._ready = asyncio.Lock()
        self._initialized = False

    @property
    def bot(self) -> Bot:
        """The python-telegram-bot Bot (to set the webhook, for instance)."""
        return self._bot

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one message; classify any Bot API error."""
        try:
            chat_id = native_id(message.address, "telegram")
        except ValueError:
            return SendResult(SendStatus.PERMANENT, reason="bad_address")
        try:
            await self._initialize()
            sent = await self._bot.send_message(
                chat_id=chat_id,
                text=message.rendered.text,
                parse_mode=message.rendered.parse_mode or "HTML",
                reply_markup=keyboard(message.rendered),
            )
        except TelegramError as error:
            result = classify(error)
            log.info("telegram send to %s: %s", mask_address(message.address), result.reason)
            return result
        return SendResult(SendStatus.SENT, provider_message_id=f"{chat_id}:{sent.message_id}")

    async def _initialize(self) -> None:
        if self._initialized:
            return
        async with self._ready:  # one getMe for all concurrent first sends
            await self._bot.initialize()
            self._initialized = True

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Accept only requests carrying our secret token header."""
        require_secret_header(request, SECRET_HEADER, self._secret)

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """The text, shared phone or location in one update (none for other update kinds)."""
        data = load_json_object(request.body)
        try:
            update = Update.de_json(data, self._bot)
        except (KeyError, TypeError, ValueError):
            raise WebhookRejected(400, "not a Telegram update") from None
        if update is None or update.message is None:
            return []
        return [_inbound(update.update_id, update.message)]

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """Telegram sends no delivery reports."""
        return []

    async def aclose(self) -> None:
        """Close the HTTP clients (whether or not the bot was initialized)."""
        await self._bot.shutdown()
        self._initialized = False
        for request in self._requests:
            await request.shutdown()


def _inbound(update_id: int, message: Message) -> InboundMessage:
    sender = message.from_user
    return InboundMessage(
        channel="telegram",
        event_id=str(update_id),
        address=f"telegram:{message.chat.id}",
        text=message.text,
        shared_phone=_own_phone(message),
        location=(
            (message.location.latitude, message.location.longitude) if message.location else None
        ),
        received_at=message.date,
        display_name=sender.full_name if sender else None,
    )


def _own_phone(message: Message) -> str | None:
    """The sender's own number from 'share my phone'; a forwarded contact card is not theirs."""
    contact = message.contact
    sender = message.from_user
    if contact is None or sender is None or contact.user_id != sender.id:
        return None
    return to_e164(contact.phone_number)
