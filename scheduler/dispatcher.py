"""The dispatcher: claims due outbox rows, renders, sends under the rate limits, records."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from itertools import groupby
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChannelAdapter, OutboundMessage, SendResult, SendStatus
from messages import reserved
from messages.render import Rendered
from models.db import single_statements, transaction
from models.messaging.outcomes import NOT_CONFIGURED, record_sent
from models.messaging.routing import PRIORITIES, PRIORITY
from models.messaging.service import SendOutcome, claim_due, record_results
from models.messaging.tables import OutboxMessage
from models.settings import Settings
from scheduler.metrics import SEND_SECONDS, count_results, count_unhandled
from scheduler.ratelimit import ChannelLimits
from scheduler.timing import Clock, SystemClock
from scheduler.wakeup import OutboxListener

log = logging.getLogger(__name__)
T = TypeVar("T")
_RENDERED_KEPT = 512  # distinct rendered messages kept for reuse
# Woken for replies, the dispatcher claims only replies (one query, not one per priority), but
# claims everything due at least this often, so a stream of replies never holds back the rest.
CLAIM_ALL_EVERY_SECONDS = 0.2
REPLIES = (PRIORITY["reply"],)
# A results write that finds fewer than RESULTS_FULL results waits RESULTS_LINGER_SECONDS for
# more to join it: a conversation's replies come a few at a time, and each write is a
# transaction. The replies do not wait for it (the next of a turn waits only for the send).
RESULTS_LINGER_SECONDS = 0.02
RESULTS_FULL = 8


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)


def render_outbox(message: OutboxMessage, settings: Settings) -> Rendered:
    """An outbox row as its channel shows it (the sandbox API shows replies the same way).

    Reserved "_" parameters (messages/reserved.py) carry a reply's options and share buttons.
    """
    return reserved.render_queued(
        message.key,
        message.params,
        locale=message.locale,
        channel=message.channel,
        zns_templates=settings.zns_templates,
    )


class GroupCommit(Generic[T]):
    """Writes items in as few transactions as possible; `submit` returns once its item is written.

    Whoever finds no write running writes everything queued so far, so under load many
    results share one short transaction. One who finds fewer than `full` queued first waits
    `linger` seconds (by `sleep`) for others to join (none at all by default).
    """

    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[None]],
        *,
        linger: float = 0.0,
        full: int = 1,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._write = write
        self._linger = linger
        self._full = full
        self._sleep = sleep
        self._queued: list[tuple[T, asyncio.Future[None]]] = []
        self._lock = asyncio.Lock()

    async def submit(self, item: T) -> None:
        """Queue `item` and wait until it is written (or its write failed)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        async with self._lock:
            if not future.done():
                if len(self._queued) < self._full:
                    try:
                        await self._sleep(self._linger)
                    except asyncio.CancelledError:
                        # cancelled while waiting for company: what is queued is written still
                        await self._write_batch(self._take())
                        raise
                await self._write_batch(self._take())
        await future

    def _take(self) -> list[tuple[T, asyncio.Future[None]]]:
        batch, self._queued = self._queued, []
        return batch

    async def _write_batch(self, batch: list[tuple[T, asyncio.Future[None]]]) -> None:
        error: BaseException | None = None
        try:
            await self._write([item for item, _ in batch])
        except BaseException as raised:
            error = raised
            raise
        finally:
            for _, future in batch:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:  # a cancelled writer must not leave the others waiting forever
                    future.set_exception(RuntimeError(f"results not recorded: {error!r}"))


class Dispatcher:
    """Sends what the outbox holds, `dispatch_batch_size` rows at a time."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        adapters: Mapping[str, ChannelAdapter],
        *,
        worker_id: str,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.worker_id = worker_id
        self._sessions = sessions
        self._adapters = adapters
        self._clock = clock or SystemClock()
        self._limits = ChannelLimits(settings, self._clock)
        self._slots = asyncio.Semaphore(settings.dispatch_concurrency)
        self._results: GroupCommit[SendOutcome] = GroupCommit(
            self._write_results,
            linger=RESULTS_LINGER_SECONDS,
            full=RESULTS_FULL,
            sleep=self._clock.sleep,  # the dispatcher's time, simulated in tests
        )
        self._rendered: dict[tuple[str, str, str, str], Rendered] = {}
        self._woken = asyncio.Event()
        self._chains: dict[str, asyncio.Future[None]] = {}  # per address: sends handed over
        self._handed: set[asyncio.Future[None]] = set()
        self._released_at = -float("inf")  # when stale claims were last taken back
        self._claimed_all_at = -float("inf")  # when every priority was last claimed

    def wake(self) -> None:
        """Replies were queued: claim now rather than at the next interval."""
        self._woken.set()

    def hand_over(self, messages: Sequence[OutboxMessage]) -> None:
        """Send messages already claimed for this dispatcher (replies claimed as they were
        queued), each address's in order and after what it is still sending to that address.
        """
        ordered = sorted(messages, key=lambda message: (message.address, message.id))
        for address, group in groupby(ordered, key=lambda message: message.address):
            earlier = self._chains.get(address)
            chain = asyncio.ensure_future(self._deliver_after(earlier, list(group)))
            self._chains[address] = chain
            self._handed.add(chain)
            chain.add_done_callback(partial(self._chain_done, address))

    async def _deliver_after(
        self, earlier: asyncio.Future[None] | None, messages: list[OutboxMessage]
    ) -> None:
        """Send in order, each once the one before it is sent (not once its result is written:
        the next reply of a turn does not wait for that write); done when all are recorded."""
        if earlier is not None:
            await asyncio.gather(earlier, return_exceptions=True)
        recording = [await self._send_in_slot(message) for message in messages]
        await asyncio.gather(*recording)

    def _chain_done(self, address: str, chain: asyncio.Future[None]) -> None:
        self._handed.discard(chain)
        if self._chains.get(address) is chain:
            del self._chains[address]

    async def _claim(
        self, limit: int, priorities: tuple[int, ...] = PRIORITIES
    ) -> list[OutboxMessage]:
        # Taking back stale claims scans the rows being sent: once an interval is enough,
        # however often replies wake the dispatcher.
        moment = time.monotonic()
        release = moment - self._released_at >= self.settings.dispatch_interval_seconds
        async with transaction(self._sessions) as session:
            claimed = await claim_due(
                session,
                worker_id=self.worker_id,
                limit=limit,
                now=self._clock.utcnow(),
                settings=self.settings,
                release_stale=release,
                priorities=priorities,
            )
        if release:
            self._released_at = moment
        return claimed

    async def run_once(self) -> int:
        """Claim one batch, send it, record every result; the number of messages claimed."""
        batch = await self._claim(self.settings.dispatch_batch_size)
        if batch:
            await asyncio.gather(*(self._deliver(message) for message in batch))
        return len(batch)

    async def run_forever(
        self, stop: asyncio.Event, *, active: Callable[[], bool] | None = None
    ) -> None:
        """Dispatch until `stop` is set, then finish the sends under way.

        Up to one batch is kept under way: a slow send never holds back the rest, and
        claiming again as soon as half of it is done keeps the channels busy. `wake()` (or,
        on PostgreSQL, a notification from another process) claims at once. While `active()`
        is false (another process leads) nothing is claimed.
        """
        engine = self._sessions.kw.get("bind")
        listening = (
            asyncio.ensure_future(OutboxListener(engine, self.wake).run(stop))
            if engine is not None
            else None
        )
        try:
            await self._dispatch_until(stop, active or (lambda: True))
        finally:
            if self._handed:
                await asyncio.gather(*self._handed, return_exceptions=True)
            if listening is not None:
                listening.cancel()
                await asyncio.gather(listening, return_exceptions=True)

    async def _dispatch_until(self, stop: asyncio.Event, active: Callable[[], bool]) -> None:
        running: set[asyncio.Task[None]] = set()
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        capacity = self.settings.dispatch_batch_size
        roomy = asyncio.Event()  # half the capacity is free again: time to claim

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            if len(running) * 2 <= capacity:
                roomy.set()

        try:
            while not stop.is_set():
                woken = self._woken.is_set()
                self._woken.clear()
                room = capacity - len(running) if active() else 0
                claimed = await self._claim_logged(room, woken)
                for message in claimed:
                    task = asyncio.ensure_future(self._deliver(message))
                    running.add(task)
                    task.add_done_callback(finished)
                more_due = room > 0 and len(claimed) == room
                await self._pause(stopping, roomy, bool(running) and more_due)
        finally:
            stopping.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def _claim_logged(self, room: int, woken: bool) -> list[OutboxMessage]:
        """Everything due when half the batch has room; only replies when woken for them
        (whatever the room), unless everything was last claimed a while ago."""
        moment = time.monotonic()
        recently = moment - self._claimed_all_at < CLAIM_ALL_EVERY_SECONDS
        try:
            if room * 2 >= self.settings.dispatch_batch_size and not (woken and recently):
                self._claimed_all_at = moment
                return await self._claim(room)
            if woken and room > 0:
                return await self._claim(room, REPLIES)
            return []
        except Exception:
            log.exception("claiming outbox messages failed")
            return []

    async def _pause(
        self, stopping: asyncio.Future[Any], roomy: asyncio.Event, more_due: bool
    ) -> None:
        """Wait for room to claim (sooner claims), for the interval when idle, or for stop.

        One event, not a wait on every send under way: that would cost the whole batch's
        worth of callbacks for each send that finishes.
        """
        timeout = None if more_due else self.settings.dispatch_interval_seconds
        room = asyncio.ensure_future(roomy.wait())
        woken = asyncio.ensure_future(self._woken.wait())
        try:
            await asyncio.wait(
                {stopping, room, woken}, timeout=timeout, return_when=FIRST_COMPLETED
            )
        finally:
            room.cancel()
            woken.cancel()
        roomy.clear()

    async def _deliver(self, message: OutboxMessage) -> None:
        await (await self._send_in_slot(message))

    async def _send_in_slot(self, message: OutboxMessage) -> asyncio.Future[None]:
        """Send in one of the `concurrency` slots; the slot is freed once the result is
        written (the future returned), so at most `concurrency` messages are ever sent but
        not yet recorded."""
        await self._slots.acquire()
        try:
            result = await self._send(message)
        except BaseException:
            self._slots.release()
            raise
        outcome = SendOutcome(
            message=message,
            status=str(result.status),
            provider_message_id=result.provider_message_id,
            retry_after=result.retry_after,
            reason=result.reason,
            cost_units=result.cost_units,
        )
        return asyncio.ensure_future(self._record(outcome))

    async def _record(self, outcome: SendOutcome) -> None:
        try:
            await self._results.submit(outcome)
        except Exception:
            count_unhandled("dispatcher")
            log.exception("could not record the result of outbox message %s", outcome.message.id)
        finally:
            self._slots.release()

    async def _send(self, message: OutboxMessage) -> SendResult:
        adapter = self._adapters.get(message.channel)
        if adapter is None:
            # a channel this process is not configured for: try the person's next route
            return SendResult(SendStatus.UNREACHABLE, reason=NOT_CONFIGURED)
        try:
            rendered = self._render(message)
        except Exception:
            log.exception("could not render outbox message %s (%s)", message.id, message.key)
            return SendResult(SendStatus.PERMANENT, reason="render_error")
        if adapter.name != "sandbox":
            cost = rendered.segments if message.channel == "sms" else 1
            await self._limits.acquire(message.channel, message.address, cost)
        try:
            with SEND_SECONDS.labels(message.channel).time():
                result = await adapter.send(OutboundMessage(message.id, message.address, rendered))
        except Exception as error:  # adapters classify errors; this is the safety net
            count_unhandled("dispatcher")
            log.exception("adapter %s raised for outbox message %s", adapter.name, message.id)
            return SendResult(SendStatus.RETRYABLE, reason=f"error:{type(error).__name__}")
        if result.status == SendStatus.RETRYABLE and result.retry_after:
            self._limits.pause(message.channel, result.retry_after)
        return result

    def _render(self, message: OutboxMessage) -> Rendered:
        """Render each distinct message once: every row of a campaign reads the same."""
        key = (message.key, message.channel, message.locale, _params_key(message.params))
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = render_outbox(message, self.settings)
            if len(self._rendered) >= _RENDERED_KEPT:
                del self._rendered[next(iter(self._rendered))]  # the oldest
            self._rendered[key] = rendered
        return rendered

    async def _write_results(self, outcomes: Sequence[SendOutcome]) -> None:
        # A send whose result is dropped goes out again once its lease runs out, so a locked or
        # restarting database is waited out for half a lease; the slots stay taken meanwhile,
        # which stops further sends until the results can be written.
        give_up = time.monotonic() + self.settings.dispatch_lease_seconds / 2
        attempt = 0
        while True:
            attempt += 1
            try:
                if all(outcome.status == "sent" for outcome in outcomes):  # the usual case
                    async with single_statements(self._sessions) as connection:
                        await record_sent(connection, outcomes, self._clock.utcnow())
                else:
                    async with transaction(self._sessions) as session:
                        await record_results(
                            session,
                            outcomes=outcomes,
                            worker_id=self.worker_id,
                            now=self._clock.utcnow(),
                            settings=self.settings,
                        )
                count_results(outcomes)
                return
            except DBAPIError:
                if time.monotonic() >= give_up:
                    raise
                if attempt == 1:
                    log.warning("recording send results failed, trying again", exc_info=True)
                await asyncio.sleep(min(1.0, 0.05 * 2**attempt))
