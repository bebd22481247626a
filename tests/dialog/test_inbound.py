"""Inbound events recorded once (masked), and replies rendered with their options per channel."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.channels.base import InboundMessage
from bot.intake import Intake, take_in_all
from messages import reserved
from models.conversations.service import conversation_for, record_inbound
from models.db import transaction
from models.messaging.service import ReplyMessage, enqueue_replies
from models.messaging.tables import InboundEvent, OutboxMessage
from scheduler.dispatcher import render_outbox
from tests.conftest import Database
from tests.dialog.conftest import Chat, World, identify_self


async def _record(db: Database, event_id: str, text: str | None = "Xin chào") -> bool:
    async with db.sessions() as session, session.begin():
        return await record_inbound(
            session, channel="telegram", event_id=event_id, address="telegram:1", text=text
        )


async def test_an_event_is_recorded_once_and_masked(db: Database) -> None:
    assert await _record(db, "42", "CCCD của tôi là 020050001234") is True
    assert await _record(db, "42", "again") is False
    assert await _record(db, "43", None) is True
    async with db.sessions() as session:
        rows = (await session.scalars(select(InboundEvent).order_by(InboundEvent.id))).all()
    assert [r.event_id for r in rows] == ["42", "43"]
    assert rows[0].text_masked == "CCCD của tôi là 020******234" and rows[1].text_masked is None


async def test_concurrent_deliveries_of_one_event(db: Database) -> None:
    results = await asyncio.gather(*(_record(db, "same") for _ in range(4)))
    assert sorted(results) == [False, False, False, True]


def _row(params: dict[str, object], channel: str, locale: str = "vi") -> OutboxMessage:
    return OutboxMessage(
        key="dialog.phone.ask", params=params, channel=channel, locale=locale, address="x"
    )


def test_reserved_params_become_options_and_buttons(world: World) -> None:
    params = reserved.pack(
        {},
        choices=[
            {"key": "dialog.opt.share_contact", "value": "share_contact"},
            {"label": "Phường Đông Kinh", "value": "c1"},
        ],
        request_contact=True,
    )
    telegram = render_outbox(_row(params, "telegram"), world.db.settings)
    assert [(c.label, c.value) for c in telegram.choices] == [
        ("Gửi số điện thoại của tôi", "share_contact"),
        ("Phường Đông Kinh", "c1"),
    ]
    assert telegram.request_contact and not telegram.request_location
    sms = render_outbox(_row(params, "sms", "en"), world.db.settings)
    assert sms.text.endswith("\n1. Share my phone number\n2. Phuong Dong Kinh")
    assert not sms.request_contact
    plain = render_outbox(_row({}, "zalo"), world.db.settings)
    assert plain.choices == () and "1." not in plain.text


async def test_replies_are_queued_in_the_conversation_locale(zalo: Chat, world: World) -> None:
    outs = await identify_self(zalo, world.lam, language="2")
    assert {o.row.locale for o in outs} == {"en"} and outs[0].text.startswith("We found")
    assert {o.row.message_class for o in outs} == {"reply"}
    assert {o.row.person_id for o in outs} == {world.lam.person_id}


async def _take_in(world: World, address: str, *texts: str) -> Intake:
    """One webhook request of `texts` from `address`, taken in for dispatcher "w1"."""
    messages = [
        InboundMessage(channel="telegram", event_id=f"{address}-{text}", address=address, text=text)
        for text in texts
    ]
    return await take_in_all(
        world.db.sessions,
        messages=messages,
        settings=world.db.settings,
        protector=world.protector,
        announce=False,
        claim_for="w1",
    )


async def test_replies_are_queued_claimed_unless_an_earlier_reply_is_unfinished(
    world: World,
) -> None:
    first = await _take_in(world, "telegram:501", "Xin chào")
    assert first.replies and first.claimed == first.replies
    assert all((m.status, m.claimed_by, m.attempts) == ("sending", "w1", 1) for m in first.replies)
    # not sent yet: the next turn's replies wait for the dispatcher's claim, in order
    second = await _take_in(world, "telegram:501", "1")
    assert second.replies and second.claimed == []
    assert all(m.status == "pending" and m.claimed_by is None for m in second.replies)
    # two messages in one request: the second turn's replies follow the first's, all claimed
    both = await _take_in(world, "telegram:502", "Xin chào", "1")
    assert len(both.replies) > len(first.replies) and both.claimed == both.replies
    async with world.db.sessions() as session:
        stored = await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.address == "telegram:502")
        )
        assert set(stored) == {"sending"}


async def test_a_turn_that_waited_for_the_conversation_sees_the_replies_queued_meanwhile(
    db: Database,
) -> None:
    where = {"channel": "telegram", "address": "telegram:601"}
    async with transaction(db.sessions) as session:
        assert not (await conversation_for(session, **where)).replies_waiting
    locked = asyncio.Event()

    async def first() -> None:
        async with transaction(db.sessions) as session:
            await conversation_for(session, **where)  # holds the conversation until the commit
            locked.set()
            reply = ReplyMessage("dialog.menu.ask", {})
            await enqueue_replies(
                session, [reply], address=where["address"], person_id=None, locale="vi",
                settings=db.settings,
            )  # fmt: skip
            await asyncio.sleep(0.3)  # the second turn is waiting for the conversation meanwhile

    async def second() -> bool:
        await locked.wait()
        async with transaction(db.sessions) as session:
            return (await conversation_for(session, **where)).replies_waiting

    _, waiting = await asyncio.gather(first(), second())
    assert waiting  # so its replies are left to the dispatcher's claim, behind the first's
