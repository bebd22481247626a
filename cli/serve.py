"""`ansinh serve`: the web application, with the dispatcher and the scheduled jobs."""

from __future__ import annotations

import asyncio
import logging

import typer
from rich.panel import Panel

from bot.channels.registry import build_adapters, close_adapters
from cli.common import console, errors, settings_or_exit, settle_heap
from models.db import make_engine, make_sessionmaker
from models.logs import configure_logging
from models.settings import ConfigurationError, Settings

# Their debug and info lines carry request URLs, and Bot API URLs carry the bot token; the
# database drivers' lines carry SQL parameters, names and addresses among them, which no mask
# can recognise (ANSINH_DATABASE_ECHO still shows SQL, on purpose, for debugging).
NOISY_LOGGERS = (
    "aiohttp",
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
)


def configure_service_logging(settings: Settings) -> None:
    """Masked logging for a long-running command; quiet libraries that log secrets in URLs."""
    configure_logging(json_format=settings.log_json, level=settings.log_level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _banner(settings: Settings) -> str:
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        f"ansinh is running on {base}",
        f"  API docs (OpenAPI):  {base}/docs",
        f"  Health:              {base}/health",
    ]
    if settings.sandbox:
        lines.append(f"  Sandbox:             POST {base}/api/v1/sandbox/inbound")
    sending = "sandbox inbox" if settings.sandbox else "real providers"
    dispatch = f"sending to the {sending}" if settings.run_scheduler else "not sending"
    lines += [f"Outbox: {dispatch}.", "Stop with Ctrl-C."]
    return "\n".join(lines)


async def _build_channels(settings: Settings) -> None:
    """Build (and close) every adapter the app will build, so a bad setting shows up now."""
    from api.webhooks import build_webhook_adapters

    engine = make_engine(settings)
    adapters = build_adapters(settings, make_sessionmaker(engine))
    try:
        hooks = build_webhook_adapters(settings, make_sessionmaker(engine), adapters)
        await hooks.aclose()
    finally:
        await close_adapters(adapters)
        await engine.dispose()


def check_channels(settings: Settings) -> None:
    """Stop with one sentence when a channel's settings are incomplete."""
    try:
        asyncio.run(_build_channels(settings))
    except ConfigurationError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def serve() -> None:
    """Serve the API, the webhooks and the sandbox; send the outbox and run the jobs."""
    import uvicorn

    from api.app import create_app

    settings = settings_or_exit()
    check_channels(settings)
    configure_service_logging(settings)
    console.print(Panel.fit(_banner(settings), title="ansinh"))
    app = create_app(settings)
    settle_heap()
    # log_config=None: uvicorn's loggers go through the root handler and its masking filter
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        log_level=settings.log_level.lower(),
    )
