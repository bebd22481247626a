"""What happened to a send: recording results in bulk, falling back, delivery reports."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from models.base import utcnow
from models.messaging.hours import next_open, window_for, zone
from models.messaging.routing import NO_ZALO, UNREACHABLE, Route, routes
from models.messaging.store import consent_withdrawn, contacts_of, insert_outbox
from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress
from models.settings import Settings, get_settings

_OUTBOX = cast(Table, OutboxMessage.__table__)
# Reason of an "unreachable" outcome when this process has no adapter for the channel: the
# message moves to the next route, but the address itself is not marked unreachable.
NOT_CONFIGURED = "channel_not_configured"
_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The classified result of sending one claimed message (see bot.channels.base.SendStatus)."""

    message: OutboxMessage  # as claimed
    status: str  # "sent" | "retryable" | "permanent" | "unreachable"
    provider_message_id: str | None = None
    retry_after: float | None = None
    reason: str | None = None
    cost_units: int = 0


def backoff_seconds(
    attempts: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before attempt `attempts + 1`: capped exponential, jittered.

    Jitter spreads retries between half and all of the delay so a provider outage does not
    end in a stampede; a provider's own retry_after is always honoured.
    """
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    delay = (rng or random).uniform(delay / 2, delay)
    return max(delay, retry_after or 0.0)


async def record_results(
    session: AsyncSession,
    *,
    outcomes: Sequence[SendOutcome],
    worker_id: str,
    now: datetime,
    settings: Settings | None = None,
    rng: random.Random | None = None,
) -> list[OutboxMessage]:
    """Record a batch of send results; returns the fallback messages it queued."""
    settings = settings or get_settings()
    sent = [o for o in outcomes if o.status == "sent"]
    await record_sent(session, sent, now)
    retry_or_fail = [o for o in outcomes if o.status in ("retryable", "permanent")]
    rows = [_retry_or_fail_row(o, now, settings, rng) for o in retry_or_fail]
    await _record_unsent(session, rows, worker_id, now)
    fallbacks = []
    for outcome in outcomes:
        if outcome.status == "unreachable":
            fallback = await record_unreachable(
                session, message_id=outcome.message.id, reason=outcome.reason, now=now,
                settings=settings, from_statuses=("sending",),
            )  # fmt: skip
            if fallback is not None:
                fallbacks.append(fallback)
    return fallbacks


async def record_sent(
    executor: AsyncSession | AsyncConnection, sent: Sequence[SendOutcome], now: datetime
) -> None:
    """Mark sent in one executemany (whole by itself, so it needs no transaction around it);
    a reclaimed row that went out is not sent again."""
    if not sent:
        return
    statement = (
        update(_OUTBOX)
        .where(
            _OUTBOX.c.id == bindparam("m_id"),
            or_(_OUTBOX.c.status == "sending", _OUTBOX.c.status == "pending"),
        )
        .values(
            status="sent",
            provider_message_id=bindparam("m_provider_id"),
            cost_units=bindparam("m_cost"),
            sent_at=now,
            claimed_by=None,
            last_error=None,
            updated_at=now,
        )
    )
    rows = [
        {"m_id": o.message.id, "m_provider_id": o.provider_message_id, "m_cost": o.cost_units}
        for o in sent
    ]
    await executor.execute(statement, rows)


def _retry_or_fail_row(
    outcome: SendOutcome, now: datetime, settings: Settings, rng: random.Random | None
) -> dict[str, Any]:
    message = outcome.message
    reason = (outcome.reason or outcome.status)[:64]
    row = {"m_id": message.id, "m_next": message.next_attempt_at, "m_error": reason}
    if outcome.status == "permanent":
        return row | {"m_status": "failed", "m_reason": reason}
    if message.attempts >= settings.retry_max_attempts:
        return row | {"m_status": "failed", "m_reason": "retries_exhausted"}
    delay = backoff_seconds(
        message.attempts,
        base=settings.retry_base_seconds,
        cap=settings.retry_max_seconds,
        retry_after=outcome.retry_after,
        rng=rng,
    )
    window = window_for(message.message_class, message.key, settings)
    due = next_open(now + timedelta(seconds=delay), window, zone(settings.timezone))
    if message.expires_at is not None and due >= message.expires_at:
        return row | {"m_status": "expired", "m_reason": None}
    return row | {"m_status": "pending", "m_next": due, "m_reason": None}


async def _record_unsent(
    session: AsyncSession, rows: list[dict[str, Any]], worker_id: str, now: datetime
) -> None:
    """Retries and failures in one executemany, only for rows this worker still holds."""
    if not rows:
        return
    statement = (
        update(_OUTBOX)
        .where(
            _OUTBOX.c.id == bindparam("m_id"),
            _OUTBOX.c.status == "sending",
            _OUTBOX.c.claimed_by == worker_id,
        )
        .values(
            status=bindparam("m_status"),
            next_attempt_at=bindparam("m_next"),
            failure_reason=bindparam("m_reason"),
            last_error=bindparam("m_error"),
            claimed_by=None,
            updated_at=now,
        )
    )
    await session.execute(statement, rows)


async def mark_unreachable(
    session: AsyncSession, *, address: str, channel: str, reason: str | None, now: datetime
) -> None:
    """Stop using an address (for every person sharing it); a phone not on Zalo keeps SMS."""
    query = update(ContactAddress).where(ContactAddress.address == address)
    if channel == "zns":
        query = query.where(ContactAddress.reachability != UNREACHABLE)
    await session.execute(
        query.values(
            reachability=NO_ZALO if channel == "zns" else UNREACHABLE,
            unreachable_reason=(reason or "unreachable")[:200],
            unreachable_at=now,
        ).execution_options(synchronize_session=False)
    )


async def record_unreachable(
    session: AsyncSession,
    *,
    message_id: int,
    reason: str | None,
    now: datetime,
    settings: Settings | None = None,
    from_statuses: Sequence[str] = ("sending", "sent"),
) -> OutboxMessage | None:
    """Fail a message whose address cannot be reached, mark the address, queue the fallback."""
    settings = settings or get_settings()
    message = await session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.status not in from_statuses:
        return None
    message.status = "failed"
    message.failure_reason = f"unreachable:{reason or ''}"[:64]
    message.claimed_by = None
    message.updated_at = now
    if reason != NOT_CONFIGURED:
        await mark_unreachable(
            session, address=message.address, channel=message.channel, reason=reason, now=now
        )
    return await enqueue_fallback(session, message=message, now=now, settings=settings)


async def _tried_routes(session: AsyncSession, message: OutboxMessage) -> set[Route]:
    """Every route the message's family (it and what it is a fallback of) already used."""
    tried = {Route(message.channel, message.address)}
    parent_id = message.fallback_of_id
    while parent_id is not None:
        parent = await session.get(OutboxMessage, parent_id)
        if parent is None:
            break
        tried.add(Route(parent.channel, parent.address))
        parent_id = parent.fallback_of_id
    return tried


def _fallback_key(message: OutboxMessage, route: Route) -> str:
    """The idempotency key of the fallback: the family's key plus the next channel."""
    key = f"{message.idempotency_key or f'outbox:{message.id}'}>{route.channel}"
    return key if len(key) <= _KEY_LENGTH else f"outbox:{message.id}>{route.channel}"


async def enqueue_fallback(
    session: AsyncSession, *, message: OutboxMessage, now: datetime, settings: Settings
) -> OutboxMessage | None:
    """Queue `message` again on the next route by policy; None when no route is left."""
    person_id = message.person_id
    if person_id is None or message.message_class == "reply":
        return None
    if await consent_withdrawn(session, person_id):
        return None
    found = routes(
        await contacts_of(session, person_id),
        key=message.key,
        message_class=message.message_class,
        zns_templates=settings.zns_templates,
        tried=await _tried_routes(session, message),
    )
    if not found:
        return None
    window = window_for(message.message_class, message.key, settings)
    return await insert_outbox(
        session,
        {
            "person_id": person_id,
            "address": found[0].address,
            "channel": found[0].channel,
            "message_class": message.message_class,
            "priority": message.priority,
            "key": message.key,
            "params": message.params,
            "locale": message.locale,
            "next_attempt_at": next_open(now, window, zone(settings.timezone)),
            "expires_at": message.expires_at,
            "campaign_id": message.campaign_id,
            "fallback_of_id": message.id,
            "idempotency_key": _fallback_key(message, found[0]),
        },
    )


async def apply_delivery_report(
    session: AsyncSession,
    *,
    channel: str,
    provider_message_id: str,
    status: str,
    reason: str | None = None,
    at: datetime | None = None,
    settings: Settings | None = None,
) -> OutboxMessage | None:
    """Apply a provider's report, moving the status forward only, in any arrival order.

    pending < sending < sent < delivered; "failed"/"unreachable" only before delivery.
    Returns the message, or None when no message has that provider id.
    """
    query = select(OutboxMessage).where(OutboxMessage.provider_message_id == provider_message_id)
    if channel != "sandbox":  # in sandbox mode every channel's reports come from the sandbox
        query = query.where(OutboxMessage.channel == channel)
    message = (await session.scalars(query.with_for_update())).first()
    if message is None:
        return None
    at = at or utcnow()
    if status == "sent" and message.status in ("pending", "sending"):
        message.status = "sent"
        message.sent_at = message.sent_at or at
    elif status == "delivered" and message.status in ("pending", "sending", "sent", "failed"):
        message.status = "delivered"
        message.sent_at = message.sent_at or at
        message.delivered_at = at
    elif status == "unreachable" and message.status in ("pending", "sending", "sent"):
        await record_unreachable(
            session, message_id=message.id, reason=reason, now=at, settings=settings,
            from_statuses=("pending", "sending", "sent"),
        )  # fmt: skip
    elif status == "failed" and message.status in ("pending", "sending", "sent"):
        message.status = "failed"
        message.failure_reason = f"provider:{reason or 'failed'}"[:64]
    return message
