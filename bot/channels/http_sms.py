"""SMS through a Vietnamese brandname gateway's HTTP API (aiohttp, failures as httpx's).

Default mapping (the contract a gateway, or a thin proxy in front of it, is expected to speak):
- Send: POST {sms_gateway_url}, header "Authorization: Bearer <api key>", JSON
  {brandname, phone: "84912345678", message, request_id: "<outbox id>"}. The request_id is also
  the provider message id, so a retry of the same row is recognisable and delivery reports find it.
- Answer: HTTP 2xx with JSON {code: 0} (or no code) when accepted; otherwise a JSON "code" (see
  CODE_OUTCOMES) and/or the HTTP status (429 with Retry-After, 5xx retryable; 401/403 permanent).
- Webhooks, both signed with X-Timestamp (Unix seconds) and X-Signature = hex HMAC-SHA256(secret,
  timestamp + "." + raw body); older than five minutes is a replay:
  MO (inbound SMS): {request_id | id, phone, message, timestamp};
  DLR: {request_id, status: delivered | failed | sent, error}.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from yarl import URL

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
    HttpAnswer,
    check_fresh,
    digits_without_plus,
    json_or_empty,
    load_json_object,
    parse_epoch,
    throttled_or_down,
    to_e164,
    transport_failure,
)
from bot.channels.transport import AioHttp
from models.base import utcnow
from models.protection import mask_address
from models.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

ACCEPTED_CODES = frozenset({"0", "00", "ok", "success"})
# The gateway already has this request_id (any HTTP status): an earlier attempt that timed out on
# our side went through, so the message counts as sent rather than failing a delivered one.
DUPLICATE_CODE = "duplicate_request"
# The gateway's JSON "code" (compared in lower case) → outcome; other codes fail permanently.
CODE_OUTCOMES: dict[str, tuple[SendStatus, str]] = {
    "invalid_phone": (SendStatus.UNREACHABLE, "invalid_number"),
    "not_mobile": (SendStatus.UNREACHABLE, "not_mobile"),
    "blacklisted": (SendStatus.UNREACHABLE, "opted_out"),
    "unsubscribed": (SendStatus.UNREACHABLE, "opted_out"),
    "rate_limited": (SendStatus.RETRYABLE, "rate_limited"),
    "busy": (SendStatus.RETRYABLE, "busy"),
}
DLR_STATUSES = {"sent": "sent", "delivered": "delivered", "failed": "failed"}
DLR_UNREACHABLE_ERRORS = frozenset({"invalid_phone", "not_mobile", "blacklisted", "unsubscribed"})


def classify(response: HttpAnswer) -> SendResult:
    """A gateway answer as a send outcome."""
    data = json_or_empty(response)
    code = str(data.get("code", "")).strip().lower()
    if response.is_success and (code in ACCEPTED_CODES or "code" not in data):
        return SendResult(SendStatus.SENT)
    if code == DUPLICATE_CODE:
        return SendResult(SendStatus.SENT)
    failed = throttled_or_down(response)
    if failed is not None:
        return failed
    if code in CODE_OUTCOMES:
        status, reason = CODE_OUTCOMES[code]
        return SendResult(status, reason=reason)
    if response.status_code in (401, 403):
        return SendResult(SendStatus.PERMANENT, reason="unauthorized")
    return SendResult(SendStatus.PERMANENT, reason=f"gateway_{code or response.status_code}")


class HttpSmsAdapter:
    """Sends through the gateway, verifies its signed webhooks, reads MO and DLR."""

    name = "sms"

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not settings.sms_gateway_url or settings.sms_gateway_api_key is None:
            raise ConfigurationError(
                "ANSINH_SMS_GATEWAY_URL and ANSINH_SMS_GATEWAY_API_KEY must be set"
            )
        self._url = URL(settings.sms_gateway_url)  # parsed once, not for every message
        key = settings.sms_gateway_api_key.get_secret_value()
        self._headers = {"Authorization": f"Bearer {key}"}
        secret = settings.sms_gateway_hmac_secret
        self._secret = secret.get_secret_value().encode() if secret else None
        self._brandname = settings.sms_gateway_brandname
        # as many kept-alive connections as sends under way: none is opened per message.
        # aiohttp itself rather than httpx over it: the dispatcher's busiest channel, and httpx's
        # request and response objects alone cost as much CPU as aiohttp's whole request.
        self._http = AioHttp(
            timeout=timeout or settings.provider_timeout_seconds,
            connections=settings.dispatch_concurrency,
        )
        self._clock = clock

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one SMS; its cost is the number of segments."""
        try:
            phone = digits_without_plus(message.address)
        except ValueError:
            return SendResult(SendStatus.PERMANENT, reason="bad_address")
        request_id = str(message.outbox_id)
        body = {
            "brandname": self._brandname,
            "phone": phone,
            "message": message.rendered.text,
            "request_id": request_id,
        }
        try:
            response = await self._http.post_json(self._url, body, self._headers)
        except httpx.HTTPError as error:
            return transport_failure(error)
        result = classify(response)
        if result.status is not SendStatus.SENT:
            log.info("sms gateway send to %s: %s", mask_address(message.address), result.reason)
            return result
        return SendResult(
            SendStatus.SENT, provider_message_id=request_id, cost_units=message.rendered.segments
        )

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Check X-Signature over timestamp + '.' + body and reject stale timestamps."""
        if not self._secret:
            raise WebhookRejected(401, "gateway webhook secret is not configured")
        signature = request.headers.get("x-signature")
        timestamp = request.headers.get("x-timestamp")
        if not signature or not timestamp:
            raise WebhookRejected(401, "missing signature or timestamp")
        signed = timestamp.encode() + b"." + request.body
        expected = hmac.new(self._secret, signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.strip().lower().encode(), expected.encode()):
            raise WebhookRejected(401, "wrong signature")
        check_fresh(parse_epoch(timestamp), self._clock())

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """The SMS a person sent to our short code (MO)."""
        data = load_json_object(request.body)
        event_id = data.get("request_id") or data.get("id")
        sender = to_e164(str(data.get("phone", "")))
        text = data.get("message")
        if not event_id or sender is None or not isinstance(text, str):
            raise WebhookRejected(400, "MO without id, readable phone or message")
        stamp = data.get("timestamp")
        return [
            InboundMessage(
                "sms",
                str(event_id),
                f"tel:{sender}",
                text=text,
                received_at=parse_epoch(stamp) if stamp is not None else None,
            )
        ]

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """A DLR as a delivery report (none for statuses we do not know)."""
        data = load_json_object(request.body)
        request_id = data.get("request_id")
        if not request_id:
            raise WebhookRejected(400, "DLR without request_id")
        state = DLR_STATUSES.get(str(data.get("status", "")).lower())
        if state is None:
            return []
        return [_report(str(request_id), state, data.get("error"))]

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()


def _report(request_id: str, state: str, error: Any) -> DeliveryReport:
    code = str(error).strip().lower() if error not in (None, "") else None
    if state == "failed" and code in DLR_UNREACHABLE_ERRORS:
        return DeliveryReport("sms", request_id, "unreachable", reason=code)
    return DeliveryReport("sms", request_id, state, reason=code)
