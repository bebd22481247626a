"""`ansinh worker`: sends what the outbox holds and runs the scheduler's jobs until stopped."""

from __future__ import annotations

import asyncio
import signal
from types import SimpleNamespace

import typer

from bot.channels.registry import build_adapters, close_adapters
from cli.common import console, settings_or_exit
from models.db import make_engine, make_sessionmaker
from models.logs import configure_logging
from models.settings import Settings
from scheduler.clock import start_scheduler, worker_id
from scheduler.dispatcher import Dispatcher


async def run_worker(
    settings: Settings, *, name: str | None = None, stop: asyncio.Event | None = None
) -> None:
    """Dispatch until `stop` is set or the process gets SIGTERM / SIGINT."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    adapters = build_adapters(settings, sessions)
    state = SimpleNamespace(settings=settings, engine=engine, sessions=sessions, adapters=adapters)
    # every worker dispatches (claims never overlap); only the leader runs the upkeep jobs
    handle = start_scheduler(state, dispatch=False)
    dispatcher = Dispatcher(settings, sessions, adapters, worker_id=name or worker_id())
    try:
        await dispatcher.run_forever(stop)
    finally:
        await handle.stop()
        await close_adapters(adapters)
        await engine.dispose()


def worker(
    name: str = typer.Option("", "--id", help="Name of this worker in claims (default host:pid)."),
) -> None:
    """Send queued messages and run the scheduled jobs until SIGTERM or Ctrl-C."""
    settings = settings_or_exit()
    configure_logging(json_format=settings.log_json, level=settings.log_level)
    mode = "sandbox inbox" if settings.sandbox else "real providers"
    console.print(f"ansinh worker sending to the {mode}; stop with Ctrl-C.")
    asyncio.run(run_worker(settings, name=name or None))


if __name__ == "__main__":
    typer.run(worker)
