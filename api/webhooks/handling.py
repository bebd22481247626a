"""What every webhook does: verify, parse, take in or apply, commit, answer quickly.

A forged, replayed or malformed request changes nothing: it is answered 401/400 as a problem
and logged (masked). A delivery report for a message not yet marked sent is answered 503 with
Retry-After, so a provider that retries sends it again once the send is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import State

from api.errors import problem
from api.metrics import count_rejection, timed_webhook
from bot.channels.base import ChannelAdapter, DeliveryReport, WebhookRejected, WebhookRequest
from bot.intake import take_in_all
from models.db import transaction
from models.messaging.service import apply_delivery_report
from models.protection import mask_text
from scheduler.clock import dispatching_here

log = logging.getLogger(__name__)

PROBLEM_TYPE = "urn:ansinh:problem:webhook"
REPORT_RETRY_SECONDS = 10


def app_state(request: Request) -> State:
    """The running application's state (settings, sessions, adapters...)."""
    state: State = request.app.state
    return state


async def read_webhook(request: Request) -> WebhookRequest:
    """The request as the adapters read it: URL, lower-case headers, raw body."""
    body = await request.body()
    headers = {name.lower(): value for name, value in request.headers.items()}
    return WebhookRequest(url=str(request.url), headers=headers, body=body)


def not_configured(provider: str) -> JSONResponse:
    """The answer of a webhook whose provider this process is not configured for."""
    count_rejection(provider, 404)
    return problem(404, f"The {provider} webhook is not configured.", type_=PROBLEM_TYPE)


def rejected(provider: str, error: WebhookRejected) -> JSONResponse:
    """Log (masked), count and answer a webhook that was refused."""
    count_rejection(provider, error.status, error.reason)
    log.warning("%s webhook rejected (%d): %s", provider, error.status, mask_text(error.reason))
    title = "The webhook is not authentic." if error.status == 401 else "The webhook is malformed."
    return problem(error.status, title, type_=PROBLEM_TYPE, detail=mask_text(error.reason))


def _parsed(parse: Callable[[WebhookRequest], Sequence[Any]], webhook: WebhookRequest) -> list[Any]:
    """Run an adapter's parser; anything it cannot read is a malformed request."""
    try:
        return list(parse(webhook))
    except WebhookRejected:
        raise
    except Exception as error:  # a body of an unexpected shape, deep in a provider's library
        raise WebhookRejected(400, f"unreadable body ({type(error).__name__})") from None


async def verified(
    request: Request, provider: str
) -> tuple[ChannelAdapter, WebhookRequest] | Response:
    """The provider's adapter and the verified request, or the response that refuses it."""
    adapter = app_state(request).webhooks.get(provider)
    if adapter is None:
        return not_configured(provider)
    webhook = await read_webhook(request)
    try:
        adapter.verify_webhook(webhook)
    except WebhookRejected as error:
        return rejected(provider, error)
    return adapter, webhook


async def handle_inbound_webhook(
    request: Request, provider: str, answer: Callable[[], Response]
) -> Response:
    """Verify, parse, take in every message in one transaction, then `answer()` (timed)."""
    with timed_webhook(provider):
        return await _inbound(request, provider, answer)


async def handle_report_webhook(request: Request, provider: str) -> Response:
    """Verify, parse and apply delivery reports; 503 when one's message is not yet recorded."""
    with timed_webhook(provider):
        return await _reports(request, provider)


async def _inbound(request: Request, provider: str, answer: Callable[[], Response]) -> Response:
    checked = await verified(request, provider)
    if isinstance(checked, Response):
        return checked
    adapter, webhook = checked
    try:
        messages = _parsed(adapter.parse_inbound, webhook)
    except WebhookRejected as error:
        return rejected(provider, error)
    state = app_state(request)
    # the replies go out at once: claimed as they are queued and sent by this process's
    # dispatcher when it is the one sending, otherwise announced to the others on commit
    here = dispatching_here(state)
    sending = here is not None and here.leadership.leading
    intake = await take_in_all(
        state.sessions,
        messages=messages,
        settings=state.settings,
        protector=state.protector,
        announce=not sending,
        claim_for=here.worker_id if here is not None and sending else None,
    )
    if here is not None:
        here.hand_over(intake.claimed)
        if len(intake.replies) > len(intake.claimed):
            here.wake()
    if intake.repeats:
        log.info("%s webhook: %d repeated event(s) ignored", provider, intake.repeats)
    return answer()


async def _reports(request: Request, provider: str) -> Response:
    checked = await verified(request, provider)
    if isinstance(checked, Response):
        return checked
    adapter, webhook = checked
    try:
        reports = _parsed(adapter.parse_delivery_reports, webhook)
    except WebhookRejected as error:
        return rejected(provider, error)
    if not await _apply_all(request, reports):
        log.info("%s delivery report for a message not recorded yet: asked to retry", provider)
        response = problem(
            503,
            "The message is not recorded as sent yet; send the report again later.",
            type_=PROBLEM_TYPE,
        )
        response.headers["Retry-After"] = str(REPORT_RETRY_SECONDS)
        return response
    return ok()


class _Unknown(Exception):
    """A report names a message the outbox does not know (yet): undo the others."""


async def _apply_all(request: Request, reports: Sequence[DeliveryReport]) -> bool:
    """Apply the reports in one transaction; False (nothing applied) if one finds no message."""
    state = app_state(request)
    try:
        async with transaction(state.sessions) as session:
            for report in reports:
                found = await apply_delivery_report(
                    session,
                    channel=report.channel,
                    provider_message_id=report.provider_message_id,
                    status=report.status,
                    reason=report.reason,
                    at=report.at,
                    settings=state.settings,
                )
                if found is None:
                    raise _Unknown
    except _Unknown:
        return False
    return True


def ok() -> JSONResponse:
    """The quick 200 every provider wants."""
    return JSONResponse({"ok": True})
