"""ZNS (Zalo Notification Service): approved templates sent to a phone number, with httpx.

Send: POST {zns_api_url}/message/template, header access_token, JSON {phone: "84912345678",
template_id, template_data, tracking_id: outbox id}. Answer: {error: 0, message, data: {msg_id}}
or {error: <negative code>, message}, usually with HTTP 200. Delivery events arrive signed with
X-ZEvent-Signature: "mac=" + sha256(app_id + raw body + timestamp + OA secret key).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
    check_fresh,
    digits_without_plus,
    json_or_empty,
    load_json_object,
    parse_epoch,
    throttled_or_down,
    transport_failure,
)
from bot.channels.transport import http_client
from bot.channels.zns_oauth import TokenKeeper, TokenUnavailable
from models.base import utcnow
from models.messaging.tokens import Cipher
from models.protection import mask_address
from models.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

# ZNS error codes, after Zalo's published ZNS error table (verify against the current table; a
# code not listed here fails the message permanently as "zns_<code>").
UNREACHABLE_CODES: dict[int, str] = {
    -108: "not_on_zalo",  # phone number invalid / not registered
    -118: "not_on_zalo",  # Zalo account does not exist or is disabled
    -110: "cannot_receive",  # the person's Zalo version cannot show ZNS
    -114: "cannot_receive",  # the person does not receive ZNS (status, settings, old Zalo)
    -119: "cannot_receive",  # the account cannot receive ZNS
    -139: "opted_out",  # the person refused this kind of ZNS
    -141: "opted_out",  # the person refused ZNS from this Official Account
}
TOKEN_CODES = frozenset({-124})  # access token invalid or expired: refresh once, send again
# Retry at a Vietnamese wall-clock time: the daily quota renews at midnight; some templates may
# not be sent at night (22:00-06:00).
RETRY_AT_LOCAL_TIME: dict[int, tuple[time, str]] = {
    -144: (time(0, 5), "quota_exceeded"),  # the OA's daily ZNS quota is used up
    -133: (time(6, 5), "night_time"),
}
RETRY_LATER_CODES: dict[int, str] = {-115: "balance", -126: "balance"}  # top-up needed
RETRY_LATER_SECONDS = 3600.0
SIGNATURE_HEADER = "x-zevent-signature"
DELIVERED_EVENT = "user_received_message"


class ZnsAdapter:
    """Sends approved templates, keeps the access token fresh, verifies delivery events."""

    name = "zns"

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        cipher: Cipher,
        *,
        timeout: float | None = None,
        clock: Callable[[], datetime] = utcnow,
        lease_seconds: float | None = None,
    ) -> None:
        if not settings.zns_app_id or settings.zns_secret_key is None:
            raise ConfigurationError("ANSINH_ZNS_APP_ID and ANSINH_ZNS_SECRET_KEY must be set")
        seconds = timeout or settings.provider_timeout_seconds
        self._client = http_client(seconds)
        self._url = f"{settings.zns_api_url.rstrip('/')}/message/template"
        self._app_id = settings.zns_app_id
        oa_secret = settings.zns_oa_secret_key
        self._oa_secret = oa_secret.get_secret_value() if oa_secret else None
        self._zone = ZoneInfo(settings.timezone)
        self._clock = clock
        first = settings.zns_refresh_token
        self.tokens = TokenKeeper(
            sessions=sessions,
            cipher=cipher,
            client=self._client,
            oauth_url=settings.zns_oauth_url,
            app_id=settings.zns_app_id,
            secret_key=settings.zns_secret_key.get_secret_value(),
            first_refresh_token=first.get_secret_value() if first else None,
            clock=clock,
            lease_seconds=lease_seconds or max(30.0, 3 * seconds),
        )

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one template; on a refused token, refresh once and send again."""
        try:
            payload = _payload(message)
        except ValueError as problem:
            return SendResult(SendStatus.PERMANENT, reason=str(problem))
        try:
            result = await self._send_with_fresh_token(payload)
        except TokenUnavailable as problem:
            log.error("ZNS send impossible: %s", problem)
            result = SendResult(SendStatus.RETRYABLE, retry_after=60.0, reason="token_unavailable")
        except httpx.HTTPError as error:
            result = transport_failure(error)
        if result.status is not SendStatus.SENT:
            log.info("zns send to %s: %s", mask_address(message.address), result.reason)
        return result

    async def _send_with_fresh_token(self, payload: dict[str, Any]) -> SendResult:
        token = await self.tokens.access_token()
        response = await self._post(payload, token)
        if _error_code(response) in TOKEN_CODES:
            token = await self.tokens.access_token(rejected=token)
            response = await self._post(payload, token)
        return self.classify(response)

    async def _post(self, payload: dict[str, Any], token: str) -> httpx.Response:
        return await self._client.post(self._url, json=payload, headers={"access_token": token})

    def classify(self, response: httpx.Response) -> SendResult:
        """A ZNS answer as a send outcome."""
        code = _error_code(response)
        if code == 0 and response.is_success:
            data = json_or_empty(response).get("data")
            msg_id = data.get("msg_id") if isinstance(data, dict) else None
            return SendResult(SendStatus.SENT, provider_message_id=_text(msg_id), cost_units=1)
        failed = throttled_or_down(response)
        if failed is not None:
            return failed
        return self._by_code(code if code is not None else response.status_code)

    def _by_code(self, code: int) -> SendResult:
        if code in UNREACHABLE_CODES:
            return SendResult(SendStatus.UNREACHABLE, reason=UNREACHABLE_CODES[code])
        if code in RETRY_AT_LOCAL_TIME:
            at, reason = RETRY_AT_LOCAL_TIME[code]
            return SendResult(SendStatus.RETRYABLE, retry_after=self._until(at), reason=reason)
        if code in RETRY_LATER_CODES:
            reason = RETRY_LATER_CODES[code]
            return SendResult(SendStatus.RETRYABLE, retry_after=RETRY_LATER_SECONDS, reason=reason)
        if code in TOKEN_CODES:  # refused again right after a refresh
            return SendResult(SendStatus.RETRYABLE, retry_after=60.0, reason="token_invalid")
        return SendResult(SendStatus.PERMANENT, reason=f"zns_{code}")

    def _until(self, at: time) -> float:
        """Seconds from now until the next `at` in Vietnam."""
        now = self._clock().astimezone(self._zone)
        target = datetime.combine(now.date(), at, tzinfo=self._zone)
        if target <= now:
            target = datetime.combine(now.date() + timedelta(days=1), at, tzinfo=self._zone)
        return (target - now).total_seconds()

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Check X-ZEvent-Signature and reject events older than five minutes."""
        if not self._oa_secret:
            raise WebhookRejected(401, "ZNS webhook secret is not configured")
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not given.startswith("mac="):
            raise WebhookRejected(401, "missing signature")
        timestamp = load_json_object(request.body).get("timestamp")
        if not isinstance(timestamp, str | int):
            raise WebhookRejected(400, "event without timestamp")
        signed = self._app_id.encode() + request.body + str(timestamp).encode()
        expected = hashlib.sha256(signed + self._oa_secret.encode()).hexdigest()
        if not hmac.compare_digest(given.removeprefix("mac=").encode(), expected.encode()):
            raise WebhookRejected(401, "wrong signature")
        check_fresh(parse_epoch(timestamp), self._clock())

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """ZNS is one-way: no inbound messages."""
        return []

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """A 'user_received_message' event as a delivery report; other events as none."""
        data = load_json_object(request.body)
        if data.get("event_name") != DELIVERED_EVENT:
            return []
        message = data.get("message")
        msg_id = message.get("msg_id") if isinstance(message, dict) else None
        if not msg_id or not isinstance(message, dict):
            raise WebhookRejected(400, "delivery event without msg_id")
        when = message.get("delivery_time")
        at = parse_epoch(when) if when is not None else None
        return [DeliveryReport("zns", str(msg_id), "delivered", at=at)]

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _payload(message: OutboundMessage) -> dict[str, Any]:
    rendered = message.rendered
    if not rendered.template_id:
        raise ValueError("no_template")
    try:
        phone = digits_without_plus(message.address)
    except ValueError:
        raise ValueError("bad_address") from None
    return {
        "phone": phone,
        "template_id": rendered.template_id,
        "template_data": dict(rendered.template_data),
        "tracking_id": str(message.outbox_id),
    }


def _error_code(response: httpx.Response) -> int | None:
    code = json_or_empty(response).get("error")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
