"""The outbox: queueing messages for people, routed, suppressed and timed by policy.

Bulk campaigns (`campaigns.py`), claiming (`delivery.py`), results and delivery reports
(`outcomes.py`) live beside it and are re-exported here, so callers import one module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.messaging.campaigns import enqueue_campaign
from models.messaging.delivery import (
    claim_due,
    expire_stale,
    release_stale_claims,
)
from models.messaging.hours import next_open, window_for, zone
from models.messaging.outcomes import (
    SendOutcome,
    apply_delivery_report,
    backoff_seconds,
    record_results,
)
from models.messaging.routing import (
    MESSAGE_CLASSES,
    PRIORITY,
    Route,
    channel_for_address,
    routes,
)
from models.messaging.store import (
    by_idempotency_key,
    consent_withdrawn,
    contacts_of,
    insert_outbox,
)
from models.messaging.tables import OutboxMessage
from models.people.tables import Person
from models.settings import Settings, get_settings

__all__ = [
    "SendOutcome",
    "apply_delivery_report",
    "backoff_seconds",
    "claim_due",
    "enqueue",
    "enqueue_campaign",
    "expire_stale",
    "insert_outbox",
    "record_results",
    "release_stale_claims",
]


async def enqueue(
    session: AsyncSession,
    *,
    person_id: int | None,
    key: str,
    params: Mapping[str, Any],
    message_class: str,
    idempotency_key: str | None = None,
    address: str | None = None,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
    campaign_id: int | None = None,
    locale: str | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue one message; None when the person has no address at all.

    With an idempotency key a repeated call returns the row the first call made.
    """
    if message_class not in MESSAGE_CLASSES:
        raise ValueError(f"unknown message class {message_class!r}")
    if idempotency_key is not None:
        existing = await by_idempotency_key(session, idempotency_key)
        if existing is not None:
            return existing
    settings = settings or get_settings()
    now = now or utcnow()
    person = await session.get(Person, person_id) if person_id is not None else None
    if person is None and person_id is not None and address is not None:
        # the outbox has no foreign key: what it would have refused is refused here
        raise ValueError(f"no person with id {person_id}")
    plan = await _plan(session, person_id, address, key, message_class, settings)
    if plan is None:
        return None
    route, status, reason = plan
    window = window_for(message_class, key, settings)
    due = next_open(max(now, not_before or now), window, zone(settings.timezone))
    values: dict[str, Any] = {
        "person_id": person_id,
        "address": route.address,
        "channel": route.channel,
        "message_class": message_class,
        "priority": PRIORITY[message_class],
        "key": key,
        "params": dict(params),
        "locale": locale or (person.locale if person else settings.default_locale),
        "status": status,
        "failure_reason": reason,
        "next_attempt_at": due,
        "expires_at": expires_at,
        "idempotency_key": idempotency_key,
        "campaign_id": campaign_id,
    }
    return await insert_outbox(session, values)


async def _plan(
    session: AsyncSession,
    person_id: int | None,
    address: str | None,
    key: str,
    message_class: str,
    settings: Settings,
) -> tuple[Route, str, str | None] | None:
    """The route and initial status of a new message (suppressed rows are kept as evidence)."""
    if address is not None:
        route = Route(channel_for_address(address), address)
        if message_class == "reply" or person_id is None:
            return route, "pending", None
        if await consent_withdrawn(session, person_id):
            return route, "suppressed", "consent_withdrawn"
        return route, "pending", None
    if person_id is None:
        raise ValueError("a message needs a person or an address")
    contacts = await contacts_of(session, person_id)
    if not contacts:
        return None
    if message_class != "reply" and await consent_withdrawn(session, person_id):
        return _first_route(contacts[0].address), "suppressed", "consent_withdrawn"
    found = routes(
        contacts, key=key, message_class=message_class, zns_templates=settings.zns_templates
    )
    if found:
        return found[0], "pending", None
    opted_out = [c for c in contacts if c.opted_out_at is not None]
    reason = "opted_out" if message_class == "campaign" and opted_out else "unreachable"
    return _first_route((opted_out or contacts)[0].address), "suppressed", reason


def _first_route(address: str) -> Route:
    return Route(channel_for_address(address), address)
