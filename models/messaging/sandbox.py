"""The sandbox channel's local inbox: what ansinh sent and what a tester sent back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import SandboxMessage

OUT = "out"
IN = "in"


async def record_outbound(
    session: AsyncSession, *, address: str, text: str, outbox_id: int | None
) -> SandboxMessage:
    """Keep a message ansinh 'sent'; its provider id is 'sandbox-<row id>'."""
    row = SandboxMessage(address=address, direction=OUT, text=text, outbox_id=outbox_id)
    session.add(row)
    await session.flush()
    row.provider_message_id = f"sandbox-{row.id}"
    await session.flush()
    return row


async def record_inbound(session: AsyncSession, *, address: str, text: str) -> SandboxMessage:
    """Keep a message a tester 'sent' to ansinh from `address`."""
    row = SandboxMessage(address=address, direction=IN, text=text)
    session.add(row)
    await session.flush()
    return row


async def inbox(
    session: AsyncSession, *, address: str, after_id: int | None = None, limit: int = 50
) -> list[SandboxMessage]:
    """The conversation with `address`, oldest first, after message `after_id`."""
    query = select(SandboxMessage).where(SandboxMessage.address == address)
    if after_id is not None:
        query = query.where(SandboxMessage.id > after_id)
    rows = await session.scalars(query.order_by(SandboxMessage.id).limit(limit))
    return list(rows)
