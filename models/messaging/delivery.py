"""Claiming due outbox rows for sending, in order per address, inside the sending windows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    SQLColumnExpression,
    String,
    Table,
    and_,
    bindparam,
    case,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from models.messaging.hours import day_start, next_day_open, next_open, window_for, zone
from models.messaging.routing import PRIORITIES, PRIORITY
from models.messaging.tables import OPEN_STATUSES, OutboxMessage
from models.people.tables import Person
from models.settings import Settings, get_settings

# Statuses of a message that is not finished: it holds back later messages to its address.
OPEN = OPEN_STATUSES
SENT_ONCE = ("sent", "delivered", "failed")


def status_in(column: SQLColumnExpression[str], statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """SQL: `column` (an outbox status) is one of `statuses`.

    The values are written into the statement, not bound, so that PostgreSQL's plan (even a
    cached generic one) can use the indexes that hold open messages only.
    """
    values = [literal(status, String, literal_execute=True) for status in statuses]
    return column == values[0] if len(values) == 1 else column.in_(values)


def claim_columns(worker_id: Any, now: Any) -> dict[str, Any]:
    """What a claim writes besides the attempt count: the row is being sent, by whom, since when
    (values, or SQL expressions for a statement built once)."""
    return {"status": "sending", "claimed_at": now, "claimed_by": worker_id, "updated_at": now}


def unfinished_reply_to(address: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: a reply to `address` is still waiting or being sent (a new one must wait for it)."""
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.address == address,
            status_in(OutboxMessage.status, OPEN),
            OutboxMessage.priority <= PRIORITY["reply"],
        )
        .exists()
    )


def _earlier_open_message() -> object:
    """SQL: an unfinished message to the same address, queued before, not less urgent."""
    earlier = aliased(OutboxMessage)
    return (
        select(earlier.id)
        .where(
            earlier.address == OutboxMessage.address,
            status_in(earlier.status, OPEN),
            earlier.id < OutboxMessage.id,
            earlier.priority <= OutboxMessage.priority,
        )
        .exists()
    )


def _due_query(priority: int) -> Any:
    """SQL: due pending rows of one priority, oldest first, skipping rows another worker
    holds, each with its person's language; `now` and `limit` are parameters."""
    return (
        select(OutboxMessage, Person.locale)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .where(
            status_in(OutboxMessage.status, ("pending",)),
            OutboxMessage.priority == priority,
            OutboxMessage.next_attempt_at <= bindparam("now"),
            ~_earlier_open_message(),  # type: ignore[operator]
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )


# Built once: a claim runs often (on every reply), and building the query, with its aliased
# sub-query over every column, cost more than running it.
_DUE = {priority: _due_query(priority) for priority in PRIORITIES}


async def _due(
    session: AsyncSession, priority: int, now: datetime, limit: int
) -> list[tuple[OutboxMessage, str | None]]:
    """Due pending rows of one priority, oldest first, skipping rows another worker holds;
    each with its person's language as it is now."""
    result = await session.execute(_DUE[priority], {"now": now, "limit": limit})
    return [(message, locale) for message, locale in result.all()]


async def release_stale_claims(
    session: AsyncSession, *, now: datetime, lease_seconds: float, max_attempts: int
) -> int:
    """Take back rows whose claim outlived the lease (a crashed worker); the number taken."""
    exhausted = OutboxMessage.attempts >= max_attempts
    statement = (
        update(OutboxMessage)
        .where(
            status_in(OutboxMessage.status, ("sending",)),
            OutboxMessage.claimed_at < now - timedelta(seconds=lease_seconds),
        )
        .values(
            status=case((exhausted, "failed"), else_="pending"),
            failure_reason=case((exhausted, "lease_expired"), else_=OutboxMessage.failure_reason),
            claimed_by=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def expire_stale(session: AsyncSession, *, now: datetime) -> int:
    """Mark pending rows whose expiry passed as "expired"; the number marked."""
    statement = (
        update(OutboxMessage)
        .where(status_in(OutboxMessage.status, ("pending",)), OutboxMessage.expires_at <= now)
        .values(status="expired", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_due(
    session: AsyncSession,
    *,
    worker_id: str,
    limit: int,
    now: datetime,
    lease_seconds: float | None = None,
    settings: Settings | None = None,
    release_stale: bool = True,
    priorities: tuple[int, ...] = PRIORITIES,
) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for `worker_id` and mark them "sending".

    Never claims a message while an earlier, unfinished one to its address waits; expired
    rows become "expired"; rows outside their window, or a second campaign message to a
    person on one day, are put off instead of claimed. Claims that outlived their lease are
    taken back first, unless `release_stale` is false. Only messages of `priorities` are
    claimed (all by default).
    """
    settings = settings or get_settings()
    lease = lease_seconds if lease_seconds is not None else settings.dispatch_lease_seconds
    if release_stale:
        await release_stale_claims(
            session, now=now, lease_seconds=lease, max_attempts=settings.retry_max_attempts
        )
    found: list[tuple[OutboxMessage, str | None]] = []
    for priority in priorities:
        if len(found) >= limit:
            break
        found.extend(await _due(session, priority, now, limit - len(found)))
    claimed = await _screen(session, [message for message, _ in found], now, settings)
    await mark_claimed(session, claimed, worker_id, now)
    _refresh_locales(claimed, {message.id: locale for message, locale in found})
    await session.flush()
    return claimed


def _claim_replies_statement() -> Any:
    """SQL: mark the rows `ids` claimed by `worker_id` at `now`, but for those whose address
    has an earlier unfinished message outside `ids`; returns the ids marked.

    On the table, not the mapped class: the ORM's bulk-update path cost more than the query.
    """
    outbox = cast(Table, OutboxMessage.__table__)
    earlier = outbox.alias("earlier")
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    batch: BindParameter[list[int]] = bindparam("batch", expanding=True)
    now: BindParameter[datetime] = bindparam("now")
    waiting = (
        select(earlier.c.id)
        .where(
            earlier.c.address == outbox.c.address,
            status_in(earlier.c.status, OPEN),
            earlier.c.id < outbox.c.id,
            earlier.c.priority <= outbox.c.priority,
            earlier.c.id.not_in(batch),
        )
        .exists()
    )
    return (
        update(outbox)
        .where(outbox.c.id.in_(ids), ~waiting)
        .values(**claim_columns(bindparam("worker_id"), now), attempts=outbox.c.attempts + 1)
        .returning(outbox.c.id)
    )


_CLAIM_REPLIES = _claim_replies_statement()


async def claim_replies(
    session: AsyncSession, messages: list[OutboxMessage], *, worker_id: str, now: datetime
) -> list[OutboxMessage]:
    """Claim the pending replies among `messages` (the messages one webhook's transaction
    queued, some maybe queued claimed already, `enqueue_replies`); the ones `worker_id` now
    holds, in order.

    The caller's dispatcher sends them once the transaction commits, without a claim query;
    if that process dies first, their lease runs out and any dispatcher takes them back. A
    reply is left to the usual claim when an earlier unfinished message to its address is
    not one of `messages` (someone else may be sending it). No statement when none is pending.
    """
    replies = [m for m in messages if m.message_class == "reply" and m.status == "pending"]
    if replies:
        values = {
            "ids": [m.id for m in replies],
            "batch": [m.id for m in messages],
            "worker_id": worker_id,
            "now": now,
        }
        taken = set((await session.scalars(_CLAIM_REPLIES, values)).all())
        for message in replies:
            if message.id in taken:
                _set_claimed(message, worker_id, now)
    return [m for m in messages if m.status == "sending" and m.claimed_by == worker_id]


async def mark_claimed(
    session: AsyncSession, claimed: list[OutboxMessage], worker_id: str, now: datetime
) -> None:
    """Mark the claimed rows "sending" in one statement (not one per row), and the objects too."""
    if not claimed:
        return
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([message.id for message in claimed]))
        .values(**claim_columns(worker_id, now), attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)
    for message in claimed:
        _set_claimed(message, worker_id, now)


def _set_claimed(message: OutboxMessage, worker_id: str, now: datetime) -> None:
    """The object as the claiming UPDATE left its row."""
    for name, value in claim_columns(worker_id, now).items():
        set_committed_value(message, name, value)
    set_committed_value(message, "attempts", message.attempts + 1)


async def _screen(
    session: AsyncSession, candidates: list[OutboxMessage], now: datetime, settings: Settings
) -> list[OutboxMessage]:
    """The candidates that may go now; the others are expired or put off."""
    tz = zone(settings.timezone)
    sendable: list[OutboxMessage] = []
    for message in candidates:
        if message.expires_at is not None and message.expires_at <= now:
            message.status = "expired"
            message.updated_at = now
            continue
        window = window_for(message.message_class, message.key, settings)
        opening = next_open(now, window, tz)
        if opening > now:
            _put_off(message, opening, now)
            continue
        sendable.append(message)
    busy = await _had_campaign_today(session, sendable, now, settings)
    for message in [m for m in sendable if m.id in busy]:
        window = window_for(message.message_class, message.key, settings)
        _put_off(message, next_day_open(now, window, tz), now)
    return [m for m in sendable if m.id not in busy]


def _put_off(message: OutboxMessage, until: datetime, now: datetime) -> None:
    message.next_attempt_at = until
    message.updated_at = now


async def _had_campaign_today(
    session: AsyncSession, messages: list[OutboxMessage], now: datetime, settings: Settings
) -> set[int]:
    """Ids of campaign messages whose person already has one today (or an earlier one going)."""
    campaign = [m for m in messages if m.message_class == "campaign" and m.person_id is not None]
    if not campaign:
        return set()
    since = day_start(now, zone(settings.timezone))
    query = select(OutboxMessage.person_id, OutboxMessage.id).where(
        OutboxMessage.message_class == "campaign",
        OutboxMessage.person_id.in_(sorted({m.person_id for m in campaign if m.person_id})),
        or_(
            and_(OutboxMessage.status.in_(SENT_ONCE), OutboxMessage.sent_at >= since),
            and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at >= since),
        ),
    )
    going: dict[int, int] = {}
    for person_id, message_id in (await session.execute(query)).all():
        if person_id is not None:
            going[person_id] = min(message_id, going.get(person_id, message_id))
    return _second_ones(campaign, going)


def _second_ones(campaign: list[OutboxMessage], going: dict[int, int]) -> set[int]:
    """Every campaign message but the first per person (counting those already going)."""
    busy: set[int] = set()
    for message in sorted(campaign, key=lambda m: m.id):
        person_id = message.person_id
        assert person_id is not None
        first = going.get(person_id)
        if first is not None and first != message.id:
            busy.add(message.id)
        else:
            going[person_id] = message.id
    return busy


def _refresh_locales(messages: list[OutboxMessage], locales: dict[int, str | None]) -> None:
    """Render in the language the person uses now, even if it changed since queueing.

    A conversation's reply keeps its own: it answers in the language of that conversation,
    which the person may have chosen apart from the one on record.
    """
    for message in messages:
        if message.person_id is None or message.message_class == "reply":
            continue
        locale = locales.get(message.id)
        if locale and locale != message.locale:
            message.locale = locale
