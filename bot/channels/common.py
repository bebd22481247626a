"""Small helpers every adapter shares: phone forms, webhook checks, retry hints."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
import phonenumbers

from bot.channels.base import SendResult, SendStatus, WebhookRejected, WebhookRequest

MAX_WEBHOOK_AGE_SECONDS = 300.0  # a signed webhook older (or newer) than this is a replay


def to_e164(raw: str, region: str = "VN") -> str | None:
    """'84912345678', '0912 345 678' or '+84912345678' as '+84912345678'; None if unreadable."""
    text = raw.strip()
    if text.isdigit() and text.startswith("84") and len(text) >= 11:
        text = "+" + text  # providers drop the plus sign
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_of(address: str) -> str:
    """The E.164 number of a 'tel:+84…' address."""
    if not address.startswith("tel:"):
        raise ValueError("not a tel: address")
    return address.removeprefix("tel:")


def digits_without_plus(address: str) -> str:
    """'tel:+84912345678' as '84912345678', the form Zalo and Vietnamese gateways expect."""
    return phone_of(address).removeprefix("+")


def native_id(address: str, scheme: str) -> str:
    """The provider's own id in an address such as 'telegram:123' (scheme 'telegram')."""
    prefix = scheme + ":"
    if not address.startswith(prefix):
        raise ValueError(f"not a {scheme}: address")
    return address.removeprefix(prefix)


def load_json_object(body: bytes) -> dict[str, Any]:
    """The JSON object in a webhook body, or WebhookRejected(400)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRejected(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected(400, "body is not a JSON object")
    return data


def require_secret_header(request: WebhookRequest, header: str, secret: str | None) -> None:
    """Accept only a request whose `header` equals the configured secret."""
    given = request.headers.get(header.lower())
    if not secret:
        raise WebhookRejected(401, "webhook secret is not configured")
    if given is None or not hmac.compare_digest(given.encode(), secret.encode()):
        raise WebhookRejected(401, "wrong or missing secret header")


def parse_epoch(value: object) -> datetime:
    """A provider timestamp (seconds or milliseconds since 1970, number or digits) in UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise WebhookRejected(400, "timestamp is missing")
    try:
        number = float(value)
    except ValueError:
        raise WebhookRejected(400, "timestamp is not a number") from None
    if number > 1e11:  # milliseconds: seconds will not reach 1e11 before the year 5138
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        raise WebhookRejected(400, "timestamp is out of range") from None


def check_fresh(sent_at: datetime, now: datetime) -> None:
    """Reject a signed request whose timestamp is too far from now (a replay)."""
    if abs((now - sent_at).total_seconds()) > MAX_WEBHOOK_AGE_SECONDS:
        raise WebhookRejected(401, "stale timestamp")


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header given in seconds, or None."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # HTTP-date form: let the dispatcher's backoff decide
    return max(seconds, 0.0)


class HttpAnswer(Protocol):
    """What classifying reads of an answer: an httpx.Response or a transport.Answer."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def is_success(self) -> bool: ...

    def json(self) -> Any: ...


def transport_failure(error: httpx.HTTPError) -> SendResult:
    """A request that got no answer: always worth another try."""
    if isinstance(error, httpx.TimeoutException):
        return SendResult(SendStatus.RETRYABLE, reason="timeout")
    return SendResult(SendStatus.RETRYABLE, reason="network")


def throttled_or_down(response: HttpAnswer) -> SendResult | None:
    """429 (with its Retry-After) and 5xx as retryable; None for any other status."""
    if response.status_code == 429:
        return SendResult(
            SendStatus.RETRYABLE,
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
            reason="rate_limited",
        )
    if response.status_code >= 500:
        return SendResult(SendStatus.RETRYABLE, reason=f"http_{response.status_code}")
    return None


def json_or_empty(response: HttpAnswer) -> dict[str, Any]:
    """The JSON object a provider answered, or {} when it answered something else."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
