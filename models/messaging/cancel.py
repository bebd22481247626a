"""Cancelling what is still queued for a person (death, deletion): nothing more goes to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.messaging.tables import OutboxMessage


async def cancel_pending_for_person(
    session: AsyncSession, *, person_id: int, reason: str, now: datetime | None = None
) -> int:
    """Cancel the person's queued notices and campaigns (replies still go); returns how many."""
    now = now or utcnow()
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.status == "pending",
            OutboxMessage.message_class != "reply",
        )
        .values(status="cancelled", failure_reason=reason[:64], updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
