"""The providers' webhooks: thin routes over api.webhooks.handling."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.webhooks.handling import handle_inbound_webhook, handle_report_webhook, ok
from api.webhooks.providers import SMS_GATEWAY, TELEGRAM, TWILIO, ZALO, ZNS

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed body", **_PROBLEM},
    401: {"description": "Missing or wrong signature / secret, or a replay", **_PROBLEM},
    404: {"description": "This provider is not configured", **_PROBLEM},
    413: {"description": "Body larger than the webhook limit", **_PROBLEM},
}
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES,
    503: {"description": "The message is not recorded as sent yet: retry later", **_PROBLEM},
}

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post(
    "/telegram",
    summary="Telegram updates",
    description="Checked against the X-Telegram-Bot-Api-Secret-Token header given to "
    "setWebhook. Replies go out through the outbox.",
    responses=RESPONSES,
)
async def telegram(request: Request) -> Response:
    """One Telegram update."""
    return await handle_inbound_webhook(request, TELEGRAM, ok)


@router.post(
    "/zalo",
    summary="Zalo Bot events",
    description="Checked against the X-Bot-Api-Secret-Token header given to setWebhook.",
    responses=RESPONSES,
)
async def zalo(request: Request) -> Response:
    """One Zalo Bot platform event."""
    return await handle_inbound_webhook(request, ZALO, ok)


def _empty_twiml() -> Response:
    # replies go through the outbox, so Twilio is told to send nothing now
    return Response(EMPTY_TWIML, media_type="text/xml")


@router.post(
    "/twilio/sms",
    summary="Inbound SMS from Twilio",
    description="X-Twilio-Signature is validated against ANSINH_PUBLIC_URL + this path and "
    "the form. Answers an empty TwiML <Response/>.",
    responses={200: {"content": {"text/xml": {}}}, **RESPONSES},
)
async def twilio_sms(request: Request) -> Response:
    """One SMS a person sent to our Twilio number."""
    return await handle_inbound_webhook(request, TWILIO, _empty_twiml)


@router.post(
    "/twilio/status",
    summary="Twilio delivery reports",
    description="Status callbacks; statuses only move forward, in any arrival order.",
    responses=REPORT_RESPONSES,
)
async def twilio_status(request: Request) -> Response:
    """One Twilio status callback."""
    return await handle_report_webhook(request, TWILIO)


@router.post(
    "/sms-gateway/mo",
    summary="Inbound SMS from the brandname gateway",
    description="X-Signature = hex HMAC-SHA256(secret, X-Timestamp + '.' + body); "
    "a timestamp more than five minutes away is a replay.",
    responses=RESPONSES,
)
async def sms_gateway_mo(request: Request) -> Response:
    """One SMS a person sent to our short code."""
    return await handle_inbound_webhook(request, SMS_GATEWAY, ok)


@router.post(
    "/sms-gateway/dlr",
    summary="Gateway delivery reports",
    description="Signed like the MO webhook.",
    responses=REPORT_RESPONSES,
)
async def sms_gateway_dlr(request: Request) -> Response:
    """One delivery report of the gateway."""
    return await handle_report_webhook(request, SMS_GATEWAY)


@router.post(
    "/zns",
    summary="ZNS delivery events",
    description="X-ZEvent-Signature: mac = sha256(app_id + body + timestamp + OA secret key).",
    responses=REPORT_RESPONSES,
)
async def zns(request: Request) -> Response:
    """One ZNS event (user_received_message becomes a delivery report)."""
    return await handle_report_webhook(request, ZNS)
