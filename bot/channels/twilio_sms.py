"""SMS through Twilio's own client library, its HTTP layer replaced by our httpx client.

Why an async client of ours rather than `asyncio.to_thread` around the default client: the
dispatcher sends up to `dispatch_concurrency` messages at once, and a thread per waiting request
would queue behind the default pool's few workers. Twilio's AsyncTwilioHttpClient ignores its
client-level timeout. A small `AsyncHttpClient` on the adapters' httpx client (sending through
aiohttp, bot/channels/transport.py) honours our timeout and sends every request to
settings.twilio_api_url, while Twilio's library still builds the requests, signs in and raises
TwilioRestException.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

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
    phone_of,
    retry_after_seconds,
    to_e164,
    transport_failure,
)
from bot.channels.transport import http_client
from models.protection import mask_address
from models.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

STATUS_PATH = "/webhooks/twilio/status"
SIGNATURE_HEADER = "x-twilio-signature"
# Twilio error codes that mean the number cannot be reached (send-time and delivery-time).
UNREACHABLE_CODES: dict[int, str] = {
    21211: "invalid_number",
    21614: "not_mobile",
    21610: "opted_out",  # the person replied STOP
    30003: "unreachable_handset",
    30005: "unknown_destination",
    30006: "landline",
}
DELIVERY_STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}

_retry_after: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)


class HttpxTwilioClient(AsyncHttpClient):
    """Twilio's HTTP requests, sent with httpx to a configurable base URL."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(log, True, timeout)
        self._base = urlsplit(base_url.rstrip("/"))
        self._client = http_client(timeout)

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (the library's signature)
        allow_redirects: bool = False,
    ) -> Response:
        """Send one request (no logging here: bodies carry phone numbers and texts)."""
        response = await self._client.request(
            method,
            self._rebase(uri),
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        # The caller's task reads this right after the library raises on a 429.
        _retry_after.set(retry_after_seconds(response.headers.get("retry-after")))
        return Response(response.status_code, response.text, response.headers)

    def _rebase(self, uri: str) -> str:
        parts = urlsplit(uri)
        path = self._base.path + parts.path
        return parts._replace(
            scheme=self._base.scheme, netloc=self._base.netloc, path=path
        ).geturl()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()


def classify(status: int, code: int | None) -> SendResult:
    """A Twilio error (HTTP status and Twilio code) as a send outcome."""
    if status == 429:
        return SendResult(
            SendStatus.RETRYABLE, retry_after=_retry_after.get(), reason="rate_limited"
        )
    if status >= 500:
        return SendResult(SendStatus.RETRYABLE, reason=f"http_{status}")
    if code in UNREACHABLE_CODES:
        return SendResult(SendStatus.UNREACHABLE, reason=UNREACHABLE_CODES[code])
    return SendResult(SendStatus.PERMANENT, reason=f"twilio_{code or status}")


class TwilioSmsAdapter:
    """Sends SMS through Twilio, verifies Twilio's signature, reads inbound SMS and statuses."""

    name = "sms"

    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        sid, token = settings.twilio_account_sid, settings.twilio_auth_token
        if not sid or token is None or not settings.twilio_from:
            raise ConfigurationError("ANSINH_TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _FROM must be set")
        self._http = HttpxTwilioClient(
            settings.twilio_api_url, timeout or settings.provider_timeout_seconds
        )
        # A non-empty environment keeps the library from reading the process's TWILIO_* variables.
        self._client = Client(
            sid, token.get_secret_value(), http_client=self._http, environment={"": ""}
        )
        self._from = settings.twilio_from
        self._public_url = settings.public_url.rstrip("/")
        self._validator = RequestValidator(token.get_secret_value())

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one SMS; its cost is the number of segments."""
        try:
            to = phone_of(message.address)
        except ValueError:
            return SendResult(SendStatus.PERMANENT, reason="bad_address")
        try:
            created = await self._client.messages.create_async(
                to=to,
                from_=self._from,
                body=message.rendered.text,
                status_callback=self._public_url + STATUS_PATH,
            )
        except (TwilioRestException, TwilioServiceException) as error:
            result = classify(int(error.status), _int_or_none(error.code))
            log.info("twilio send to %s: %s", mask_address(message.address), result.reason)
            return result  # never log the error itself: its text names the number
        except httpx.HTTPError as error:
            return transport_failure(error)
        return SendResult(
            SendStatus.SENT, provider_message_id=created.sid, cost_units=message.rendered.segments
        )

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Check X-Twilio-Signature against our public URL + the request's path and its form."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise WebhookRejected(401, "missing signature")
        parts = urlsplit(request.url)
        url = self._public_url + parts.path + (f"?{parts.query}" if parts.query else "")
        if not self._validator.validate(url, _form(request), signature):
            raise WebhookRejected(401, "wrong signature")

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        """The SMS a person sent to our number."""
        form = _form(request)
        sid, sender = form.get("MessageSid"), to_e164(form.get("From", ""))
        if not sid or sender is None:
            raise WebhookRejected(400, "inbound SMS without MessageSid or a readable From")
        return [InboundMessage("sms", sid, f"tel:{sender}", text=form.get("Body", ""))]

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        """A status callback as a delivery report (none for in-between statuses)."""
        form = _form(request)
        sid = form.get("MessageSid")
        state = DELIVERY_STATUSES.get(form.get("MessageStatus") or form.get("SmsStatus", ""))
        if not sid:
            raise WebhookRejected(400, "status callback without MessageSid")
        if state is None:
            return []
        code = _int_or_none(form.get("ErrorCode"))
        if state == "failed" and code in UNREACHABLE_CODES:
            return [DeliveryReport("sms", sid, "unreachable", reason=UNREACHABLE_CODES[code])]
        return [DeliveryReport("sms", sid, state, reason=f"twilio_{code}" if code else None)]

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()


def _form(request: WebhookRequest) -> dict[str, str]:
    if request.form:
        return dict(request.form)
    try:
        return dict(parse_qsl(request.body.decode(), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        raise WebhookRejected(400, "form is not UTF-8") from None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
