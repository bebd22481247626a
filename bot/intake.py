"""Every inbound message takes one path: recorded once, then answered by the dialog engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import InboundMessage
from bot.dialog.service import StepFailed, handle_inbound
from models.base import utcnow
from models.conversations.service import record_inbound
from models.db import transaction
from models.messaging.service import claim_replies
from models.messaging.tables import OutboxMessage
from models.protection import DataProtector
from models.settings import Settings
from scheduler.wakeup import announce_queued


@dataclass
class Intake:
    """What one batch of inbound messages produced."""

    replies: list[OutboxMessage] = field(default_factory=list)
    claimed: list[OutboxMessage] = field(default_factory=list)  # replies claimed as queued
    handled: int = 0
    repeats: int = 0  # events seen before (a provider's retry): answered the first time only


async def take_in(
    session: AsyncSession,
    *,
    inbound: InboundMessage,
    settings: Settings,
    protector: DataProtector,
    now: datetime | None = None,
    guarded: bool = True,
    claim_for: str | None = None,
) -> list[OutboxMessage] | None:
    """Record the event and let the engine answer; None when the event was already seen.

    Unguarded, a failing step raises `StepFailed`; with `claim_for`, the replies are queued
    claimed by that dispatcher when they may go at once (bot.dialog.service.handle_inbound).
    """
    if inbound.text and "\x00" in inbound.text:
        # a NUL character means nothing to anyone, and PostgreSQL refuses it in text
        inbound = replace(inbound, text=inbound.text.replace("\x00", ""))
    fresh = await record_inbound(
        session,
        channel=inbound.channel,
        event_id=inbound.event_id,
        address=inbound.address,
        text=inbound.text,
        now=now,
    )
    if not fresh:
        return None
    return await handle_inbound(
        session,
        inbound=inbound,
        settings=settings,
        protector=protector,
        now=now,
        guarded=guarded,
        claim_for=claim_for,
    )


async def take_in_all(
    sessions: async_sessionmaker[AsyncSession],
    *,
    messages: Sequence[InboundMessage],
    settings: Settings,
    protector: DataProtector,
    now: datetime | None = None,
    announce: bool = True,
    claim_for: str | None = None,
) -> Intake:
    """Take in the messages of one webhook request in one transaction.

    With `claim_for` (a dispatcher's worker id) the replies are claimed for it as they are
    queued (`Intake.claimed`: that dispatcher sends them after the commit). With `announce`,
    the other replies are announced to the dispatchers of other processes (scheduler.wakeup)
    when the transaction commits.

    The steps run without savepoints first (failures are rare, savepoints cost two round
    trips each); if one fails, the whole transaction is rolled back and the batch taken in
    again with every step in its savepoint, where the failure is answered politely.
    """
    if not messages:
        return Intake()
    taking = partial(
        _take_in_all, sessions, messages=messages, settings=settings, protector=protector,
        now=now, announce=announce, claim_for=claim_for,
    )  # fmt: skip
    try:
        return await taking(guarded=False)
    except StepFailed:
        return await taking(guarded=True)


async def _take_in_all(
    sessions: async_sessionmaker[AsyncSession],
    *,
    messages: Sequence[InboundMessage],
    settings: Settings,
    protector: DataProtector,
    now: datetime | None,
    announce: bool,
    claim_for: str | None,
    guarded: bool,
) -> Intake:
    intake = Intake()
    async with transaction(sessions) as session:
        for inbound in messages:
            replies = await take_in(
                session,
                inbound=inbound,
                settings=settings,
                protector=protector,
                now=now,
                guarded=guarded,
                claim_for=claim_for,
            )
            if replies is None:
                intake.repeats += 1
            else:
                intake.handled += 1
                intake.replies.extend(replies)
        if claim_for is not None and intake.replies:
            intake.claimed = await claim_replies(
                session, intake.replies, worker_id=claim_for, now=now or utcnow()
            )
        if announce and len(intake.replies) > len(intake.claimed):
            await announce_queued(session)
    return intake
