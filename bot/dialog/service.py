"""The dialog's entry point: one inbound message in, its replies queued in the outbox.

The webhook layer records the event first (models.conversations.service.record_inbound,
which also drops repeats) and owns the transaction; this module never commits.
"""

from __future__ import annotations

import copy
import logging
import traceback
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import InboundMessage
from bot.dialog import flows
from bot.dialog.engine import (
    CONVERSATION_IDLE,
    ERROR,
    SENSITIVE_IDLE,
    Ctx,
    Msg,
    Reply,
    State,
    Timing,
    is_sensitive,
    make_msg,
    menu,
    step_state,
)
from messages import reserved
from models.base import utcnow
from models.conversations.service import conversation_for
from models.conversations.tables import Conversation
from models.messaging.optout import opt_in, opt_out, parse_keyword
from models.messaging.routing import channel_for_address
from models.messaging.service import ReplyMessage, enqueue_replies
from models.messaging.tables import OutboxMessage
from models.people.tables import ContactAddress
from models.protection import DataProtector
from models.settings import Settings

log = logging.getLogger(__name__)


class StepFailed(Exception):
    """A step taken without its savepoint raised: what the transaction wrote must be undone.

    The caller rolls the transaction back and takes the message in again, guarded, where the
    same failure is caught in its savepoint and answered politely.
    """


async def handle_inbound(
    session: AsyncSession,
    *,
    inbound: InboundMessage,
    settings: Settings,
    protector: DataProtector,
    now: datetime | None = None,
    guarded: bool = True,
    claim_for: str | None = None,
) -> list[OutboxMessage]:
    """Answer one inbound message: STOP/START first, then one step of the conversation.

    Returns the outbox rows queued (the replies, and notices such as a verification code).
    Never raises for bad input: anything unexpected answers `dialog.error` and the menu.
    Unguarded (`guarded=False`), the step runs without a savepoint (two round trips fewer)
    and a failure raises `StepFailed` instead, for the caller to roll back and retry guarded.
    With `claim_for` (a dispatcher's worker id) the replies are queued claimed by it, unless
    an earlier reply to the address is still unfinished.
    """
    now = now or utcnow()
    keyword = parse_keyword(inbound.text)
    conversation, new, waiting = await conversation_for(
        session, channel=inbound.channel, address=inbound.address, now=now
    )
    if keyword == "stop":
        return await _stop(session, conversation, settings, now)
    rows: list[OutboxMessage] = []
    if keyword == "start" and await _opted_out(session, inbound.address):
        confirmation = await opt_in(session, address=inbound.address, settings=settings, now=now)
        rows += [confirmation] if confirmation else []
    ctx = Ctx(session, settings, protector, now, inbound.channel, inbound.address)
    state = load_state(conversation)
    timing = _timing(conversation, state, new, now)
    msg = make_msg(inbound.text, inbound.shared_phone, inbound.location)
    replies = (
        await _turn(ctx, state, msg, timing)
        if guarded
        else await _unguarded(ctx, state, msg, timing)
    )
    save_state(conversation, state, now)
    messages = [_reply_message(reply) for reply in replies]
    if len(messages) > 1:  # as few messages as the channel allows: each SMS is paid for
        packed = reserved.join_replies(
            [(m.key, m.params) for m in messages],
            locale=state.locale,
            channel=channel_for_address(inbound.address),
        )
        messages = [ReplyMessage(key, params) for key, params in packed]
    rows += await enqueue_replies(
        ctx.session,
        messages,
        address=ctx.address,
        person_id=state.person_id,
        locale=state.locale,
        settings=ctx.settings,
        now=ctx.now,
        claim_for=claim_for,
        behind_unfinished=waiting,
    )
    return rows + ctx.queued


def load_state(conversation: Conversation) -> State:
    """The engine's view of a stored conversation (a copy: changes are saved explicitly)."""
    return State(
        flow=conversation.flow,
        step=conversation.step,
        data=copy.deepcopy(conversation.data or {}),
        locale=conversation.locale or "vi",
        person_id=conversation.person_id,
        beneficiary_id=conversation.acting_for_beneficiary_id,
        failures=conversation.failures or 0,
    )


def save_state(conversation: Conversation, state: State, now: datetime) -> None:
    """Store the state, with the idle limits that now apply."""
    conversation.flow, conversation.step = state.flow, state.step
    conversation.data = copy.deepcopy(state.data)
    conversation.locale = state.locale
    conversation.person_id = state.person_id
    conversation.acting_for_beneficiary_id = state.beneficiary_id
    conversation.failures = state.failures
    conversation.updated_at = now
    conversation.expires_at = now + CONVERSATION_IDLE
    conversation.sensitive_until = now + SENSITIVE_IDLE if is_sensitive(state) else None


def _timing(conversation: Conversation, state: State, new: bool, now: datetime) -> Timing:
    """What expired while the conversation was idle; an idle menu is reset silently."""
    if new:
        return Timing(new=True)
    in_flow = state.flow not in (None, "menu")
    expired = conversation.expires_at is not None and now >= conversation.expires_at
    if expired and not in_flow:
        state.reset()
    sensitive = conversation.sensitive_until is not None and now >= conversation.sensitive_until
    return Timing(
        idle=max(now - conversation.updated_at, timedelta(0)),
        expired=expired and in_flow,
        sensitive_expired=sensitive and in_flow,
        stale=expired,
    )


async def _step(ctx: Ctx, state: State, msg: Msg, timing: Timing) -> list[Reply]:
    if timing.new:
        await flows.start.recognize(ctx, state)
    if timing.stale:
        await flows.who.forget_choice(ctx, state)
    _, replies = await step_state(ctx, state, msg, timing)
    return replies


async def _unguarded(ctx: Ctx, state: State, msg: Msg, timing: Timing) -> list[Reply]:
    """One engine step in the caller's transaction; a failure is `StepFailed`."""
    try:
        return await _step(ctx, state, msg, timing)
    except Exception as error:
        raise StepFailed from error


async def _turn(ctx: Ctx, state: State, msg: Msg, timing: Timing) -> list[Reply]:
    """One engine step inside a savepoint: a failure undoes its writes and answers politely."""
    before = copy.deepcopy(state)
    try:
        async with ctx.session.begin_nested():
            return await _step(ctx, state, msg, timing)
    except Exception as error:
        _log_failure(before, error)
        ctx.queued.clear()
        vars(state).update(vars(before))
        state.reset()
        return [Reply(ERROR), *await _safe_menu(ctx, state)]


async def _safe_menu(ctx: Ctx, state: State) -> list[Reply]:
    try:
        async with ctx.session.begin_nested():
            return await menu(ctx, state)
    except Exception as error:
        _log_failure(state, error)
        state.reset()
        return []


def _log_failure(state: State, error: BaseException) -> None:
    """Where it failed and the code path; never the values (they may be personal)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "dialog step %s/%s failed with %s\n%s",
        state.flow,
        state.step,
        type(error).__name__,
        frames,
    )


def _reply_message(reply: Reply) -> ReplyMessage:
    """A reply as the outbox keeps it: its options and share buttons among the parameters."""
    params = reserved.pack(
        reply.params,
        choices=[option.as_param() for option in reply.options],
        request_contact=reply.request_contact,
        request_location=reply.request_location,
    )
    return ReplyMessage(reply.key, params)


async def _opted_out(session: AsyncSession, address: str) -> bool:
    found = await session.scalar(
        select(ContactAddress.id)
        .where(ContactAddress.address == address, ContactAddress.opted_out_at.is_not(None))
        .limit(1)
    )
    return found is not None


async def _stop(
    session: AsyncSession, conversation: Conversation, settings: Settings, now: datetime
) -> list[OutboxMessage]:
    """STOP / HUY / TU CHOI: campaigns stop (models.messaging.optout) and any flow is left."""
    confirmation = await opt_out(session, address=conversation.address, settings=settings, now=now)
    state = load_state(conversation)
    state.reset()
    save_state(conversation, state, now)
    return [confirmation] if confirmation else []
