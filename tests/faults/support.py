"""What the fault tests share: a campaign, worker processes, and the three checks after a fault.

After every fault the same things must hold: nothing lost (every message ends sent, or in a
status a rule put it in), nothing sent twice beyond what was in flight when the fault struck,
and the system caught up by itself (nothing left open).
"""

from __future__ import annotations

import asyncio
import signal
import time
from asyncio.subprocess import Process
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from bot.channels.base import (
    ChannelAdapter,
    DeliveryReport,
    InboundMessage,
    OutboundMessage,
    SendResult,
    WebhookRequest,
)
from models.messaging.tables import OutboxMessage
from scheduler.dispatcher import Dispatcher
from scheduler.timing import Clock
from tests.conftest import Database
from tests.fakes.base import FakeProvider
from tests.fakes.fixtures import Switchboard
from tests.messaging.test_crash import _open, _progress, _queue, _start, _worker_env

# The crash test's helpers, under the names these tests use.
queue_campaign = _queue  # one Zalo campaign message for each of `count` new people
worker_env = _worker_env  # a worker's environment, sending to the fake Zalo
start_worker = _start  # `python -m cli.worker` as a child process
wait_for_sends = _progress  # until the fake Zalo has seen more than n sends
count_open = _open  # outbox rows still pending or sending

SEND_PATH = "/sendMessage"
F = TypeVar("F", bound=FakeProvider)


@dataclass
class Tally:
    """The outbox by status and what the provider received, per chat."""

    statuses: Counter[str]
    sends: Counter[str]

    @property
    def repeated(self) -> int:
        """Sends beyond the first to one chat (each test sends one message per chat)."""
        return sum(count - 1 for count in self.sends.values())


async def tally(db: Database, fake: FakeProvider, path: str = SEND_PATH) -> Tally:
    """Count the outbox's statuses and the provider's sends per chat."""
    async with db.sessions() as session:
        statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
    sends = Counter(str(request.body["chat_id"]) for request in fake.sent(path))
    return Tally(statuses, sends)


def assert_caught_up(found: Tally, *, messages: int, faults: int, in_flight: int) -> None:
    """Nothing lost, nothing left open, repeats only among what was in flight at each fault."""
    assert found.statuses == {"sent": messages}, found.statuses  # none lost, none open
    assert len(found.sends) == messages  # every message reached the provider
    assert found.repeated <= faults * in_flight, (found.repeated, faults, in_flight)


async def wait_caught_up(db: Database, seconds: float) -> None:
    """Wait until no message is pending or sending; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while await count_open(db):
        assert time.monotonic() < deadline, "the outbox did not empty by itself"
        await asyncio.sleep(0.2)


async def stop_worker(worker: Process) -> None:
    """SIGTERM: the worker finishes its sends and exits cleanly."""
    worker.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(worker.wait(), 15) == 0


async def kill(worker: Process) -> None:
    """SIGKILL: no chance to finish anything."""
    worker.send_signal(signal.SIGKILL)
    await worker.wait()


@asynccontextmanager
async def workers(env: dict[str, str]) -> AsyncIterator[Callable[[], Awaitable[Process]]]:
    """A starter of worker processes; whichever still runs at the end of the block is killed."""
    started: list[Process] = []

    async def start() -> Process:
        started.append(await start_worker(env))
        return started[-1]

    try:
        yield start
    finally:
        for worker in started:
            if worker.returncode is None:
                await kill(worker)


# --- an adapter seen on the test's clock ------------------------------------------------------
@dataclass(frozen=True)
class Send:
    """One send as the dispatcher made it: when it left and was answered (test clock), and how."""

    outbox_id: int
    at: float
    answered: float
    status: str
    retry_after: float | None


@dataclass
class Recording:
    """A real channel adapter, passed through, noting every send on the test's clock."""

    inner: ChannelAdapter
    clock: Clock
    sends: list[Send] = field(default_factory=list)
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.inner.name

    async def send(self, message: OutboundMessage) -> SendResult:
        at = self.clock.monotonic()
        result = await self.inner.send(message)
        answered = self.clock.monotonic()
        status, retry_after = str(result.status), result.retry_after
        self.sends.append(Send(message.outbox_id, at, answered, status, retry_after))
        return result

    def verify_webhook(self, request: WebhookRequest) -> None:
        self.inner.verify_webhook(request)

    def parse_inbound(self, request: WebhookRequest) -> list[InboundMessage]:
        return self.inner.parse_inbound(request)

    def parse_delivery_reports(self, request: WebhookRequest) -> list[DeliveryReport]:
        return self.inner.parse_delivery_reports(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# --- a process's TCP connections, read from /proc ---------------------------------------------
def local_ports(pid: int, remote_port: int) -> set[int]:
    """The local ports of process `pid`'s TCP connections to `remote_port`."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == remote_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


@contextmanager
def attached(board: Switchboard, fake: F) -> Iterator[F]:
    """Serve `fake` on a provider's session-wide server for the block (as the fixtures do)."""
    fake.url = board.url
    board.target = fake
    try:
        yield fake
    finally:
        fake.closing = True


# --- dispatching on simulated time ------------------------------------------------------------
async def _next_due(db: Database, clock: Clock) -> float | None:
    """Seconds until the next pending message is due; None when none is pending."""
    async with db.sessions() as session:
        query = select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "pending"
        )
        due = await session.scalar(query)
    return None if due is None else (due - clock.utcnow()).total_seconds()


async def dispatch_until_done(
    db: Database, dispatcher: Dispatcher, clock: Clock, *, end: float, step: float
) -> None:
    """Dispatch as the worker does until nothing is open (or the clock reaches `end`).

    The worker looks for due messages every second; on simulated time the test jumps to the
    next due one instead, looking at least `step` seconds apart.
    """
    while clock.monotonic() < end and await count_open(db):
        while await dispatcher.run_once():
            pass
        await clock.sleep(max(step, await _next_due(db, clock) or step))
