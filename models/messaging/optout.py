"""Opting out of campaigns by keyword (STOP, HỦY, TỪ CHỐI) and back in (START, ĐK).

An opt-out stops campaigns to that address only: payment notices are transactional and
still go, and replies still answer the person.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.base import utcnow
from models.messaging.service import enqueue
from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress
from models.settings import Settings

Keyword = Literal["stop", "start"]

OPTED_OUT_KEY = "reply.opted_out"
OPTED_IN_KEY = "reply.opted_in"

_KEYWORDS: dict[str, Keyword] = {
    "stop": "stop",
    "huy": "stop",
    "tu choi": "stop",
    "tuchoi": "stop",
    "unsubscribe": "stop",
    "start": "start",
    "dk": "start",
    "dang ky": "start",
    "dangky": "start",
}
_NOT_WORD = re.compile(r"[^\w\s]+")


def parse_keyword(text: str | None) -> Keyword | None:
    """The keyword a whole message is ('  Stop! ', 'Huỷ', 'TỪ CHỐI', 'DK'), or None."""
    if not text:
        return None
    words = fold(_NOT_WORD.sub(" ", text))
    return _KEYWORDS.get(words)


async def _set_opted_out(
    session: AsyncSession, address: str, value: datetime | None, *, only_if_none: bool
) -> None:
    query = update(ContactAddress).where(ContactAddress.address == address)
    if only_if_none:  # keep the first opt-out time as evidence
        query = query.where(ContactAddress.opted_out_at.is_(None))
    await session.execute(
        query.values(opted_out_at=value).execution_options(synchronize_session=False)
    )


async def _cancel_campaigns(session: AsyncSession, address: str, now: datetime) -> int:
    """Cancel the address's queued campaign messages at once."""
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.address == address,
            OutboxMessage.status == "pending",
            OutboxMessage.message_class == "campaign",
        )
        .values(status="cancelled", failure_reason="opted_out", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def _first_person(session: AsyncSession, address: str) -> int | None:
    query = (
        select(ContactAddress.person_id)
        .where(ContactAddress.address == address)
        .order_by(ContactAddress.person_id)
        .limit(1)
    )
    return await session.scalar(query)


async def opt_out(
    session: AsyncSession,
    *,
    address: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Stop campaigns to `address` (everyone sharing it) and queue the confirmation."""
    now = now or utcnow()
    await _set_opted_out(session, address, now, only_if_none=True)
    await _cancel_campaigns(session, address, now)
    return await _confirm(session, address, OPTED_OUT_KEY, settings, now)


async def opt_in(
    session: AsyncSession,
    *,
    address: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Allow campaigns to `address` again and queue the confirmation."""
    now = now or utcnow()
    await _set_opted_out(session, address, None, only_if_none=False)
    return await _confirm(session, address, OPTED_IN_KEY, settings, now)


async def _confirm(
    session: AsyncSession, address: str, key: str, settings: Settings | None, now: datetime
) -> OutboxMessage | None:
    return await enqueue(
        session,
        person_id=await _first_person(session, address),
        key=key,
        params={},
        message_class="reply",
        address=address,
        settings=settings,
        now=now,
    )
