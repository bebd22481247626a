"""Zalo Bot platform with httpx (sending through aiohttp): a Telegram-like Bot API.

Assumptions (Zalo's documents are thin; all of this mirrors the Telegram Bot API, which the
platform copies):
- Send: POST {zalo_bot_api_url}/bot{token}/sendMessage, JSON {chat_id, text}. Plain text only:
  numbered choices are already part of Rendered.text (no keyboards on Zalo).
- Answers: {ok: true, result: {message_id, date}} or {ok: false, error_code, description}; the
  HTTP status may be 200 or equal to error_code, so both are read. A 429 may carry a Retry-After
  header or parameters.retry_after.
- Webhook: header X-Bot-Api-Secret-Token equals the secret given to setWebhook. The body is
  {event_name: "message.text.received", message: {from: {id, display_name}, chat: {id}, text,
  message_id, date (milliseconds)}}, possibly wrapped in {ok, result: {...}} as getUpdates returns
  it; both forms are read. Other message.* events yield a message without text.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.channels.base import (
    DeliveryReport,
    InboundMessage,
    OutboundMessage,
    SendResult,
    SendStatus,
    WebhookRejected,
    WebhookRequest,
)
from bot.channels.common import (
    json_or_empty,
    load_json_object,
    native_id,
    parse_epoch,
    require_secret_header,
    retry_after_seconds,
    throttled_or_down,
    transport_failure,
)
from bot.channels.transport import http_client
from models.protection import mask_address
from models.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Words in an error description that mean this person cannot be reached on Zalo.
UNREACHABLE_WORDS = {"block": "blocked", "not found": "not_found", "not exist": "not_found"}


def classify(response: httpx.Response) -> SendResult:
    """A Zalo Bot API answer as a send outcome."""
    data = json_or_empty(response)
    code = data.get("error_code") if isinstance(data.get("error_code"), int) else None
    if response.is_success and data.get("ok", True) is not False:
        result = data.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return SendResult(SendStatus.SENT, provider_message_id=_str_or_none(message_id))
    if code == 429 or response.status_code == 429:
        retry_after = _retry_after(response, data)
        return SendResult(SendStatus.RETRYABLE, retry_after=retry_after, reason="rate_limited")
    failed = throttled_or_down(response)
    if failed is not None:
        return failed
    if code is not None and code >= 500:
        return SendResult(SendStatus.RETRYABLE, reason=f"http_{code}")
    return _refused(code or response.status_code, str(data.get("description", "")))


def _refused(code: int, description: str) -> SendResult:
    words = description.lower()
    for word, reason in UNREACHABLE_WORDS.items():
        if word in words:
            return SendResult(SendStatus.UNREACHABLE, reason=reason)
    if code == 403:
        return SendResult(SendStatus.UNREACHABLE, reason="blocked")
    if code == 401:
        return SendResult(SendStatus.PERMANENT, reason="unauthorized")
    return SendResult(SendStatus.PERMANENT, reason=f"zalo_{code}")


def _retry_after(response: httpx.Response, data: dict[str, Any]) -> float | None:
    header = retry_after_seconds(response.headers.get("retry-after"))
    if header is not None:
        return header
    parameters = data.get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


class ZaloBotAdapter:
    """Sends through the Zalo Bot API, verifies the secret header, reads updates."""

    name = "zalo"

    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        if settings.zalo_bot_token is None:
            raise ConfigurationError("ANSINH_ZALO_BOT_TOKEN is not set")
        token = settings.zalo_bot_token.get_secret_value()
        self._base = f"{settings.zalo_bot_api_url.rstrip('/')}/bot{token}"
        secret = settings.zalo_bot_webhook_secret
        self._secret = secret.get_secret_value() if secret else None
        self._client = http_client(timeout or settings.provider_timeout_seconds)

    async def call(self, method: str, payload: dict[str, Any]) -> httpx.Response:
        """Call one Bot API method (sendMessage, setWebhook, getMe...)."""
        return await self._client.post(f"{self._base}/{method}", json=payload)

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one plain-text message and classify the answer."""
        try:
            chat_id = native_id(message.address, "zalo")
        except ValueError:
            return SendResult(SendStatus.PERMANENT, reason="bad_address")
        try:
            response = await self.call(
                "sendMessage", {"chat_id": chat_id, "text": message.rendered.text}
            )
        except httpx.HTTPError as error:
            result = transport_failure(error)
        else:
            result = classify(response)
        if result.status is not SendStatus.SENT:
            log.info("zalo send to %s: %s", mask_address(message.address), result.reason)
        return result

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Accept only requests carrying our secret token header."""
        require_secret_header(request, SECRET_HEADER, self._secret)

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """The person's message in one webhook event (none for other events)."""
        data = load_json_object(request.body)
        if isinstance(data.get("result"), dict):
            data = data["result"]
        event = str(data.get("event_name", ""))
        message = data.get("message")
        if not event.startswith("message.") or not isinstance(message, dict):
            return []
        return [_inbound(event, message)]

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """The Zalo Bot platform sends no delivery reports."""
        return []

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _inbound(event: str, message: dict[str, Any]) -> InboundMessage:
    chat, sender = message.get("chat"), message.get("from")
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    message_id = message.get("message_id")
    if chat_id in (None, "") or message_id in (None, ""):
        raise WebhookRejected(400, "message without chat id or message id")
    text = message.get("text") if event == "message.text.received" else None
    name = sender.get("display_name") if isinstance(sender, dict) else None
    date = message.get("date")
    return InboundMessage(
        channel="zalo",
        event_id=str(message_id),
        address=f"zalo:{chat_id}",
        text=text if isinstance(text, str) else None,
        received_at=parse_epoch(date) if date is not None else None,
        display_name=name if isinstance(name, str) else None,
    )
