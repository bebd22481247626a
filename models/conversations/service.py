"""Inbound events recorded once, and conversation rows found or made race-safely."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.conversations.tables import Conversation
from models.messaging.delivery import unfinished_reply_to
from models.messaging.store import prepared
from models.messaging.tables import InboundEvent
from models.protection import mask_text

MAX_MASKED_TEXT = 2000
# Conversation data that outlives a flow: the consent given and a registration sent.
PERSISTENT_KEYS = ("consent", "registration_id")


async def record_inbound(
    session: AsyncSession,
    *,
    channel: str,
    event_id: str,
    address: str,
    text: str | None,
    now: datetime | None = None,
) -> bool:
    """Record an inbound event (text masked); False when this event was already recorded.

    ON CONFLICT DO NOTHING on (channel, event_id): of two concurrent deliveries of one
    event, exactly one is told it is new, on SQLite and PostgreSQL alike.
    """
    statement = prepared(
        session,
        "inbound",
        lambda insert: (
            insert(InboundEvent)
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            .returning(InboundEvent.id)
        ),
    )
    values = {
        "channel": channel,
        "event_id": event_id,
        "address": address,
        "text_masked": mask_text(text)[:MAX_MASKED_TEXT] if text else None,
        "received_at": now or utcnow(),
    }
    return (await session.execute(statement, values)).scalar_one_or_none() is not None


class Turn(NamedTuple):
    """A conversation as a turn begins: its row, whether it is new, and whether a reply to its
    address is still to be sent (the new replies then wait for the dispatcher's claim)."""

    conversation: Conversation
    new: bool
    replies_waiting: bool


def _turn_query(locking: bool) -> Select[Conversation, bool]:
    """SQL: the conversation of (:channel, :address) and whether a reply to it is unfinished;
    built once (building it cost more than running it), locking on PostgreSQL."""
    query = select(Conversation, unfinished_reply_to(Conversation.address)).where(
        Conversation.channel == bindparam("channel"), Conversation.address == bindparam("address")
    )
    if locking:
        query = query.with_for_update(of=Conversation)
    return query.execution_options(populate_existing=True)


_TURN_QUERIES = {False: _turn_query(locking=False), True: _turn_query(locking=True)}


async def conversation_for(
    session: AsyncSession, *, channel: str, address: str, now: datetime | None = None
) -> Turn:
    """The conversation of (channel, address), made when missing.

    The row is locked on PostgreSQL so two messages from one address are handled in turn
    (SQLite's write lock does the same), so no other reply to the address is queued meanwhile.
    """
    query = _TURN_QUERIES[session.get_bind().dialect.name == "postgresql"]
    where = {"channel": channel, "address": address}
    found = (await session.execute(query, where)).one_or_none()
    if found is not None:  # the usual case: one query
        return Turn(found[0], False, bool(found[1]))
    statement = prepared(
        session,
        "conversation",
        lambda insert: (
            insert(Conversation)
            .on_conflict_do_nothing(index_elements=["channel", "address"])
            .returning(Conversation.id)
        ),
    )
    moment = now or utcnow()
    values = {
        "channel": channel,
        "address": address,
        "locale": "vi",
        "data": {},
        "failures": 0,
        "created_at": moment,
        "updated_at": moment,
    }
    created = (await session.execute(statement, values)).scalar_one_or_none()
    # made here, or by a concurrent first message (whose insert this one waited for)
    row, waiting = (await session.execute(query, where)).one()
    return Turn(row, created is not None, bool(waiting))


async def forget_stale_data(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Clear half-finished sensitive steps idle past their limit; returns how many.

    Idle conversations are otherwise only cleaned when the person writes again, so a
    periodic job calls this to keep encrypted ID or account numbers from lingering.
    """
    rows = await session.scalars(
        select(Conversation).where(Conversation.sensitive_until < (now or utcnow()))
    )
    count = 0
    for row in rows:
        row.data = kept_data(row.data)
        row.flow = row.step = row.sensitive_until = None
        row.failures = 0
        count += 1
    await session.flush()
    return count


def kept_data(data: dict[str, Any]) -> dict[str, Any]:
    """The part of a conversation's data that outlives its flows."""
    return {key: data[key] for key in PERSISTENT_KEYS if key in data}
