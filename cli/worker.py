"""`ansinh worker`: sends what the outbox holds and runs the scheduler's jobs until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal
from types import SimpleNamespace
from wsgiref.simple_server import WSGIServer

import typer

from bot.channels.registry import build_adapters, close_adapters
from cli.common import console, errors, settings_or_exit, settle_heap
from cli.serve import configure_service_logging
from models.db import make_engine, make_sessionmaker
from models.settings import ConfigurationError, Settings
from scheduler.clock import start_scheduler, worker_id
from scheduler.dispatcher import Dispatcher
from scheduler.metrics import refresh_depth_until, serve_metrics

log = logging.getLogger(__name__)


async def run_worker(
    settings: Settings, *, name: str | None = None, stop: asyncio.Event | None = None
) -> None:
    """Dispatch until `stop` is set or the process gets SIGTERM / SIGINT."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # first, so that a port in use stops the worker before it opens anything
    server = _metrics_server(settings)
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    adapters = build_adapters(settings, sessions)
    state = SimpleNamespace(settings=settings, engine=engine, sessions=sessions, adapters=adapters)
    # every worker dispatches (claims never overlap); only the leader runs the upkeep jobs
    handle = start_scheduler(state, dispatch=False)
    dispatcher = Dispatcher(settings, sessions, adapters, worker_id=name or worker_id())
    refreshing = asyncio.create_task(refresh_depth_until(sessions, stop)) if server else None
    log.info("worker %s started", dispatcher.worker_id)
    try:
        await dispatcher.run_forever(stop)
    finally:
        log.info("worker %s stopping", dispatcher.worker_id)
        await _stop_metrics(server, refreshing)
        await handle.stop()
        await close_adapters(adapters)
        await engine.dispose()


def _metrics_server(settings: Settings) -> WSGIServer | None:
    """Prometheus metrics on `worker_metrics_port` (the queue is measured every few seconds)."""
    if settings.worker_metrics_port is None:
        return None
    return serve_metrics(settings.worker_metrics_port, settings.host)


async def _stop_metrics(server: WSGIServer | None, refreshing: asyncio.Task[None] | None) -> None:
    if refreshing is not None:
        refreshing.cancel()
        await asyncio.gather(refreshing, return_exceptions=True)
    if server is not None:
        await asyncio.to_thread(server.shutdown)
        server.server_close()


def worker(
    name: str = typer.Option("", "--id", help="Name of this worker in claims (default host:pid)."),
) -> None:
    """Send queued messages and run the scheduled jobs until SIGTERM or Ctrl-C."""
    settings = settings_or_exit()
    configure_service_logging(settings)
    mode = "sandbox inbox" if settings.sandbox else "real providers"
    console.print(f"ansinh worker sending to the {mode}; stop with Ctrl-C.")
    if settings.worker_metrics_port is not None:
        url = f"http://{settings.host}:{settings.worker_metrics_port}/metrics"
        console.print(f"Prometheus metrics on {url}")
    settle_heap()
    try:
        asyncio.run(run_worker(settings, name=name or None))
    except ConfigurationError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


if __name__ == "__main__":
    typer.run(worker)
