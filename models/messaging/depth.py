"""How much the outbox holds: open messages by status, how many are due, the oldest due one.

Every query reads only open rows through the claim index (on PostgreSQL a partial index of open
rows), so it stays cheap however many finished messages the table keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, String, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import OPEN_STATUSES, OutboxMessage


@dataclass(frozen=True)
class QueueDepth:
    """Open outbox messages: per status, due now, and the age of the oldest due one."""

    by_status: dict[str, int] = field(default_factory=dict)
    due: int = 0
    oldest_due_seconds: float = 0.0


def _status_in(statuses: tuple[str, ...]) -> ColumnElement[bool]:
    # Values written into the statement, not bound, so PostgreSQL's plan can use the partial
    # index of open rows (as the claim query does).
    return OutboxMessage.status.in_([literal(s, String, literal_execute=True) for s in statuses])


async def queue_depth(session: AsyncSession, *, now: datetime) -> QueueDepth:
    """The outbox's open messages as of `now` (statuses with none count 0)."""
    counted = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(_status_in(OPEN_STATUSES))
        .group_by(OutboxMessage.status)
    )
    by_status = dict.fromkeys(OPEN_STATUSES, 0)
    by_status.update({status: int(count) for status, count in counted.all()})
    due_row = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
                _status_in(("pending",)),
                OutboxMessage.next_attempt_at <= now,
            )
        )
    ).one()
    due, oldest = int(due_row[0] or 0), due_row[1]
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return QueueDepth(by_status, due, age)
