"""Inbound events recorded once, and conversation rows found or made race-safely."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.conversations.tables import Conversation
from models.messaging.delivery import unfinished_reply_to
from models.messaging.store import prepared
from models.messaging.tables import InboundEvent
from models.protection import mask_text

MAX_MASKED_TEXT = 2000
# Conversation data that outlives a flow: the consent given, a registration sent, and that the
# writer was only recognized by their address (asked once before a payment method is chosen).
PERSISTENT_KEYS = ("consent", "registration_id", "withdrawn", "recognized")
INBOUND_EVENTS = InboundEvent.__table__


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
    event, exactly one is told it is new, on SQLite and PostgreSQL alike. The row is written
    through its table, not the ORM: nothing reads it back as an object, and the ORM's insert
    path cost every message about a tenth of a millisecond more.
    """
    statement = prepared(
        session,
        "inbound",
        lambda insert: (
            insert(INBOUND_EVENTS)
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            .returning(INBOUND_EVENTS.c.id)
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


_WHERE = (
    Conversation.channel == bindparam("channel"),
    Conversation.address == bindparam("address"),
)
# Built once: building these cost about as much as running them.
# SQLite: one statement; the transaction holds the write lock from BEGIN IMMEDIATE, so what it
# reads is what was last committed.
_TURN_SQLITE = (
    select(Conversation, unfinished_reply_to(Conversation.address))
    .where(*_WHERE)
    .execution_options(populate_existing=True)
)
# PostgreSQL: the row is locked first. The check for an unfinished reply is a statement of its
# own, after the lock: a statement that waits for a lock keeps the snapshot it took before
# waiting, and would not see the replies the lock's holder committed meanwhile.
_LOCKED_POSTGRES = (
    select(Conversation).where(*_WHERE).with_for_update().execution_options(populate_existing=True)
)
_REPLY_WAITING = select(unfinished_reply_to(bindparam("address", type_=String)))


async def _find(session: AsyncSession, where: dict[str, str], new: bool) -> Turn | None:
    if session.get_bind().dialect.name != "postgresql":
        found = (await session.execute(_TURN_SQLITE, where)).one_or_none()
        return None if found is None else Turn(found[0], new, bool(found[1]))
    row = (await session.scalars(_LOCKED_POSTGRES, where)).one_or_none()
    if row is None:
        return None
    waiting = await session.scalar(_REPLY_WAITING, {"address": where["address"]})
    return Turn(row, new, bool(waiting))


async def conversation_for(
    session: AsyncSession, *, channel: str, address: str, now: datetime | None = None
) -> Turn:
    """The conversation of (channel, address), made when missing.

    The row is locked on PostgreSQL so two messages from one address are handled in turn
    (SQLite's write lock does the same), so no other reply to the address is queued meanwhile.
    """
    where = {"channel": channel, "address": address}
    found = await _find(session, where, new=False)
    if found is not None:  # the usual case
        return found
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
    turn = await _find(session, where, new=created is not None)
    if turn is None:  # pragma: no cover - a row just made or seen cannot vanish
        raise RuntimeError("conversation row missing after insert")
    return turn


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
