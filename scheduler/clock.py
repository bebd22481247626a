"""APScheduler as a clock: a few fixed, idempotent jobs, run by the leading process only.

Use `start_scheduler(app.state)` in the FastAPI lifespan (and `await stop_scheduler(app.state)`
on the way out) with the dispatch loop; `ansinh worker` runs the jobs beside a loop of its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.channels.base import ChannelAdapter
from bot.channels.registry import build_adapters, close_adapters
from models.messaging.tables import OutboxMessage
from scheduler.admin_jobs import ADMIN_EVERY_SECONDS
from scheduler.dispatcher import Dispatcher
from scheduler.jobs import Jobs, Leadership
from scheduler.timing import Clock

log = logging.getLogger(__name__)

LEAD_EVERY_SECONDS = 5.0
EXPIRE_EVERY_SECONDS = 60.0
RECLAIM_EVERY_SECONDS = 30.0


def worker_id() -> str:
    """A name for this process in outbox claims: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass
class SchedulerHandle:
    """A running scheduler and what it owns."""

    scheduler: AsyncIOScheduler
    jobs: Jobs
    leadership: Leadership
    owned_adapters: dict[str, ChannelAdapter] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None
    dispatching: asyncio.Task[None] | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def worker_id(self) -> str:
        """The name this process's dispatcher claims under."""
        assert self.dispatcher is not None
        return self.dispatcher.worker_id

    def wake(self) -> None:
        """Replies were queued in this process: the dispatcher (if it runs here) claims now."""
        if self.dispatcher is not None:
            self.dispatcher.wake()

    def hand_over(self, messages: list[OutboxMessage]) -> None:
        """Replies claimed for this process's dispatcher as they were queued: send them now."""
        if self.dispatcher is not None and messages:
            self.dispatcher.hand_over(messages)

    async def stop(self) -> None:
        """Stop the jobs and the dispatch loop (sends under way finish), give up the lead,
        close adapters built for it."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.stopping.set()
        if self.dispatching is not None:
            await asyncio.gather(self.dispatching, return_exceptions=True)
        await self.leadership.release()
        if self.owned_adapters:
            await close_adapters(self.owned_adapters)


def _add_jobs(scheduler: AsyncIOScheduler, jobs: Jobs) -> None:
    # coalesce + one instance: a slow run is never doubled, missed runs fold into one
    common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    first = datetime.now(UTC)
    scheduler.add_job(
        jobs.lead, "interval", seconds=LEAD_EVERY_SECONDS, id="lead", next_run_time=first, **common
    )
    scheduler.add_job(jobs.expire, "interval", seconds=EXPIRE_EVERY_SECONDS, id="expire", **common)
    scheduler.add_job(jobs.admin, "interval", seconds=ADMIN_EVERY_SECONDS, id="admin", **common)
    scheduler.add_job(
        jobs.reclaim, "interval", seconds=RECLAIM_EVERY_SECONDS, id="reclaim", **common
    )


def start_scheduler(
    app_state: Any, *, dispatch: bool = True, clock: Clock | None = None
) -> SchedulerHandle:
    """Start the jobs for an app state holding `settings`, `engine`, `sessions` (and maybe
    `adapters`), and with `dispatch` the dispatch loop, which claims while this process leads;
    call inside the running event loop. The handle is also `app_state.scheduler`.
    """
    settings, sessions = app_state.settings, app_state.sessions
    adapters = getattr(app_state, "adapters", None)
    owned: dict[str, ChannelAdapter] = {}
    if dispatch and adapters is None:
        adapters = owned = build_adapters(settings, sessions)
    dispatcher = (
        Dispatcher(settings, sessions, adapters, worker_id=worker_id(), clock=clock)
        if dispatch and adapters is not None
        else None
    )
    leadership = Leadership(app_state.engine)
    jobs = Jobs(settings, sessions, leadership, clock)
    scheduler = AsyncIOScheduler(timezone=UTC)
    _add_jobs(scheduler, jobs)
    scheduler.start()
    handle = SchedulerHandle(scheduler, jobs, leadership, owned, dispatcher)
    if dispatcher is not None:
        handle.dispatching = asyncio.ensure_future(
            dispatcher.run_forever(handle.stopping, active=lambda: leadership.leading)
        )
    app_state.scheduler = handle
    return handle


def dispatching_here(app_state: Any) -> SchedulerHandle | None:
    """The scheduler `start_scheduler` put on `app_state`, if it runs a dispatch loop."""
    handle = getattr(app_state, "scheduler", None)
    if isinstance(handle, SchedulerHandle) and handle.dispatcher is not None:
        return handle
    return None


def scheduler_status(app_state: Any) -> tuple[bool, bool]:
    """(running, leading) of the scheduler `start_scheduler` put on `app_state`."""
    handle = getattr(app_state, "scheduler", None)
    if not isinstance(handle, SchedulerHandle):
        return False, False
    return bool(handle.scheduler.running), handle.leadership.leading


async def stop_scheduler(app_state: Any) -> None:
    """Stop the scheduler `start_scheduler` put on `app_state`, if any."""
    handle = getattr(app_state, "scheduler", None)
    if isinstance(handle, SchedulerHandle):
        await handle.stop()
