"""The least a bot's turn must write to keep the conversation issue's promises: the floor.

The echo bot writes nothing. A turn of any bot that records each inbound message once (masked),
keeps the conversation's state per (channel, address) and sends every reply through an outbox
must, before the reply goes out: record the event unless it was seen (ON CONFLICT DO NOTHING),
read the conversation under its lock and write it back, queue the reply claimed for sending,
commit; and after the send, record the result. `DurableTurns` writes exactly that, through
the cheapest path the house allows (SQLAlchemy Core statements built once, on ansinh's engine
and `transaction`, results of several turns written together as ansinh's dispatcher does), and
nothing else: no dialog, no routing, no rendering. The webhook benchmark runs the echo bot with
it (`bench/telegram_echo.py --durable URL`): what that costs over the bare echo bot is what no
implementation of the issue can save.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from bench.common import BENCH_KEY
from models.base import utcnow
from models.conversations.tables import Conversation
from models.db import make_engine, make_sessionmaker, transaction
from models.messaging.tables import InboundEvent, OutboxMessage
from models.protection import mask_text
from models.settings import load_settings

EVENTS = InboundEvent.__table__
CONVERSATIONS = Conversation.__table__
OUTBOX = OutboxMessage.__table__
WORKER = "durable-echo"
LINGER_SECONDS = 0.02  # as ansinh's dispatcher: results that come within 20 ms share a write


class DurableTurns:
    """Record a turn before its reply goes out, and the reply's result after."""

    def __init__(self, database_url: str) -> None:
        settings = load_settings(database_url=database_url, data_key=BENCH_KEY)
        self._engine = make_engine(settings)
        self._sessions = make_sessionmaker(engine=self._engine)
        self._postgresql = self._engine.dialect.name == "postgresql"
        if self._postgresql:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        self._event = (
            dialect_insert(EVENTS)
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            .returning(EVENTS.c.id)
        )
        find = select(CONVERSATIONS.c.id, CONVERSATIONS.c.data).where(
            CONVERSATIONS.c.channel == bindparam("channel"),
            CONVERSATIONS.c.address == bindparam("address"),
        )
        self._find = find.with_for_update() if self._postgresql else find
        self._begin = insert(CONVERSATIONS).returning(CONVERSATIONS.c.id)
        self._keep = (
            update(CONVERSATIONS)
            .where(CONVERSATIONS.c.id == bindparam("conversation"))
            .values(data=bindparam("data"), updated_at=bindparam("now"))
        )
        self._reply = insert(OUTBOX).returning(OUTBOX.c.id)
        self._result = (
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("outbox"))
            .values(
                status="sent", provider_message_id=bindparam("message"), sent_at=bindparam("now")
            )
        )
        self._results: list[dict[str, Any]] = []
        self._writer: asyncio.Task[None] | None = None

    async def keep(self, event_id: str, address: str, text: str) -> int | None:
        """Record the turn and queue its reply, claimed; the reply's outbox id, None if seen."""
        now = utcnow()
        async with transaction(self._sessions) as session:
            event = {
                "channel": "telegram",
                "event_id": event_id,
                "address": address,
                "text_masked": mask_text(text),
                "received_at": now,
            }
            if (await session.execute(self._event, event)).scalar_one_or_none() is None:
                return None
            where = {"channel": "telegram", "address": address}
            found = (await session.execute(self._find, where)).first()
            turns = 1 + (found.data or {}).get("turns", 0) if found else 1
            if found is None:
                begun = {**where, "locale": "vi", "data": {"turns": 1}, "failures": 0}
                begun |= {"created_at": now, "updated_at": now}
                await session.execute(self._begin, begun)
            else:
                kept = {"conversation": found.id, "data": {"turns": turns}, "now": now}
                await session.execute(self._keep, kept)
            reply = {
                "address": address,
                "channel": "telegram",
                "message_class": "reply",
                "priority": 0,
                "key": "echo",
                "params": {"text": text},
                "locale": "vi",
                "status": "sending",
                "attempts": 1,
                "next_attempt_at": now,
                "claimed_at": now,
                "claimed_by": WORKER,
                "created_at": now,
                "updated_at": now,
                "cost_units": 0,
            }
            outbox_id: int = (await session.execute(self._reply, reply)).scalar_one()
        return outbox_id

    def sent(self, outbox_id: int, message_id: str) -> None:
        """Note a reply's result; written with the others that come within `LINGER_SECONDS`."""
        self._results.append({"outbox": outbox_id, "message": message_id, "now": utcnow()})
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_results())

    async def _write_results(self) -> None:
        await asyncio.sleep(LINGER_SECONDS)
        while self._results:
            batch, self._results = self._results, []
            async with transaction(self._sessions) as session:
                await session.execute(self._result, batch)

    async def close(self) -> None:
        """Write what is left and let the connections go."""
        if self._writer is not None:
            await self._writer
        await self._engine.dispose()
