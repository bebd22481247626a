"""The outbox: queueing messages for people, routed, suppressed and timed by policy.

Bulk campaigns (`campaigns.py`), claiming (`delivery.py`), results and delivery reports
(`outcomes.py`) live beside it and are re-exported here, so callers import one module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.messaging.campaigns import CHUNK, enqueue_campaign
from models.messaging.delivery import (
    claim_columns,
    claim_due,
    claim_replies,
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
    Contact,
    Route,
    channel_for_address,
    routes,
)
from models.messaging.store import (
    by_idempotency_key,
    consent_withdrawn,
    consent_withdrawn_clause,
    contacts_of,
    dialect_insert,
    insert_outbox,
)
from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress, Person
from models.settings import Settings, get_settings

__all__ = [
    "PersonMessage",
    "ReplyMessage",
    "SendOutcome",
    "apply_delivery_report",
    "backoff_seconds",
    "claim_due",
    "claim_replies",
    "enqueue",
    "enqueue_campaign",
    "enqueue_many",
    "enqueue_replies",
    "expire_stale",
    "insert_outbox",
    "record_results",
    "release_stale_claims",
    "routed_address",
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


@dataclass(frozen=True, slots=True)
class ReplyMessage:
    """One reply of a conversation's turn: a message key and its parameters."""

    key: str
    params: Mapping[str, Any]


_INSERT_REPLIES = insert(OutboxMessage).returning(OutboxMessage, sort_by_parameter_order=True)


async def enqueue_replies(
    session: AsyncSession,
    replies: Sequence[ReplyMessage],
    *,
    address: str,
    person_id: int | None,
    locale: str,
    settings: Settings | None = None,
    now: datetime | None = None,
    claim_for: str | None = None,
    behind_unfinished: bool = False,
) -> list[OutboxMessage]:
    """Queue the replies of one turn to `address`, in order, in one statement.

    With `claim_for` (a dispatcher's worker id) they are queued already claimed by it, as
    `claim_replies` would claim them: that dispatcher sends them once the transaction commits.
    Not when they come `behind_unfinished` replies to the address (`unfinished_reply_to`, asked
    under the conversation's lock): they wait for those, and for the dispatcher's claim.
    """
    if not replies:
        return []
    settings = settings or get_settings()
    now = now or utcnow()
    if person_id is not None and await session.get(Person, person_id) is None:
        raise ValueError(f"no person with id {person_id}")  # the outbox has no foreign key
    tz = zone(settings.timezone)
    held: dict[str, Any] = {"status": "pending"}
    if claim_for is not None and not behind_unfinished:
        held = {**claim_columns(claim_for, now), "attempts": 1}
    rows = [
        {
            "person_id": person_id,
            "address": address,
            "channel": channel_for_address(address),
            "message_class": "reply",
            "priority": PRIORITY["reply"],
            "key": reply.key,
            "params": dict(reply.params),
            "locale": locale,
            "next_attempt_at": next_open(now, window_for("reply", reply.key, settings), tz),
            **held,
        }
        for reply in replies
    ]
    return list((await session.scalars(_INSERT_REPLIES, rows)).all())


@dataclass(frozen=True, slots=True)
class PersonMessage:
    """One message of an `enqueue_many` batch: what `enqueue` takes for a person."""

    person_id: int
    key: str
    params: Mapping[str, Any]
    idempotency_key: str | None = None
    expires_at: datetime | None = None
    not_before: datetime | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class _Address:
    """What routing reads of a ContactAddress (a row, not an ORM object)."""

    address: str
    priority: int
    reachability: str
    opted_out_at: object


async def enqueue_many(
    session: AsyncSession,
    messages: Iterable[PersonMessage],
    *,
    message_class: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> int:
    """Queue many messages to people as `enqueue` would one by one; the number of new rows.

    The same routing, consent check, sending window and idempotency key as `enqueue`, read for
    the whole batch in a few queries and written in multi-row inserts: a key already in the
    outbox (or earlier in the batch) adds nothing, and a person without an address gets no row.
    """
    if message_class not in MESSAGE_CLASSES:
        raise ValueError(f"unknown message class {message_class!r}")
    settings = settings or get_settings()
    now = now or utcnow()
    batch, seen = [], set()
    for message in messages:
        if message.idempotency_key is not None:
            if message.idempotency_key in seen:
                continue
            seen.add(message.idempotency_key)
        batch.append(message)
    queued = await _queued_keys(session, sorted(seen))
    batch = [m for m in batch if m.idempotency_key not in queued]
    people = sorted({m.person_id for m in batch})
    locales, contacts = await _people(session, people), await _contacts(session, people)
    withdrawn = set() if message_class == "reply" else await _withdrawn(session, people)
    rows = []
    for message in batch:
        found = contacts.get(message.person_id)
        if not found:
            continue  # as `enqueue`: nobody to send it to, no row
        route, status, reason = _choose(
            found, message.person_id in withdrawn, message.key, message_class, settings
        )
        window = window_for(message_class, message.key, settings)
        due = next_open(max(now, message.not_before or now), window, zone(settings.timezone))
        locale = locales.get(message.person_id, settings.default_locale)
        rows.append(
            {
                "person_id": message.person_id,
                "address": route.address,
                "channel": route.channel,
                "message_class": message_class,
                "priority": PRIORITY[message_class],
                "key": message.key,
                "params": dict(message.params),
                "locale": message.locale or locale,
                "status": status,
                "failure_reason": reason,
                "next_attempt_at": due,
                "expires_at": message.expires_at,
                "idempotency_key": message.idempotency_key,
                "campaign_id": None,
            }
        )
    return await _insert_many(session, rows)


def _chunked(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def _queued_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    column = OutboxMessage.idempotency_key
    for chunk in _chunked(keys):
        found.update(k for k in await session.scalars(select(column).where(column.in_(chunk))) if k)
    return found


async def _people(session: AsyncSession, people: Sequence[int]) -> dict[int, str]:
    """Each person's locale (a person who does not exist is missing)."""
    found: dict[int, str] = {}
    for chunk in _chunked(people):
        query = select(Person.id, Person.locale).where(Person.id.in_(chunk))
        found.update({person: locale for person, locale in await session.execute(query)})
    return found


async def _contacts(session: AsyncSession, people: Sequence[int]) -> dict[int, list[_Address]]:
    """Each person's contact addresses in their order of preference (as `contacts_of`)."""
    found: dict[int, list[_Address]] = {}
    columns = (
        ContactAddress.person_id,
        ContactAddress.address,
        ContactAddress.priority,
        ContactAddress.reachability,
        ContactAddress.opted_out_at,
    )
    for chunk in _chunked(people):
        query = (
            select(*columns)
            .where(ContactAddress.person_id.in_(chunk))
            .order_by(ContactAddress.person_id, ContactAddress.priority, ContactAddress.id)
        )
        for person, rows in groupby(await session.execute(query), key=lambda row: row[0]):
            found[person] = [_Address(*row[1:]) for row in rows]
    return found


async def _withdrawn(session: AsyncSession, people: Sequence[int]) -> set[int]:
    """Who among `people` withdrew messaging consent (as `consent_withdrawn`)."""
    found: set[int] = set()
    for chunk in _chunked(people):
        query = select(Person.id).where(Person.id.in_(chunk), consent_withdrawn_clause(Person.id))
        found.update(await session.scalars(query))
    return found


async def _insert_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows, skipping any whose idempotency key a concurrent caller just used."""
    table = OutboxMessage.__table__
    statement = (
        dialect_insert(session)(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    added = 0
    for chunk in _chunked(rows):
        added += len((await session.execute(statement, list(chunk))).all())
    return added


async def routed_address(
    session: AsyncSession,
    *,
    person_id: int,
    key: str,
    message_class: str,
    settings: Settings | None = None,
) -> str | None:
    """The address `enqueue` would send this person's message to; None if it would not go."""
    plan = await _plan(session, person_id, None, key, message_class, settings or get_settings())
    if plan is None or plan[1] != "pending":
        return None
    return plan[0].address


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
    withdrawn = message_class != "reply" and await consent_withdrawn(session, person_id)
    return _choose(contacts, withdrawn, key, message_class, settings)


def _choose(
    contacts: Sequence[Contact], withdrawn: bool, key: str, message_class: str, settings: Settings
) -> tuple[Route, str, str | None]:
    """The route and initial status of a message to a person with these contacts (at least one,
    in their order of preference), who withdrew messaging consent or not."""
    if withdrawn:
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
