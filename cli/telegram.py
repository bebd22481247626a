"""`ansinh telegram poll`: the Telegram bot by long polling, for local use without a webhook."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from types import SimpleNamespace

import typer
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.base import WebhookRequest
from bot.channels.registry import build_adapters, close_adapters
from bot.channels.telegram import TelegramAdapter
from cli.common import console, errors, settings_or_exit
from cli.serve import configure_service_logging
from models.db import make_engine, make_sessionmaker
from models.protection import DataProtector, mask_text
from models.settings import Settings
from scheduler.clock import start_scheduler

log = logging.getLogger(__name__)
app = typer.Typer(help="The Telegram bot.", no_args_is_help=True)
Handler = TypeHandler[Update, ContextTypes.DEFAULT_TYPE, None]


def _handler(state: SimpleNamespace, adapter: TelegramAdapter) -> Handler:
    """Each update goes the webhook's way: the adapter's parser, then the shared intake."""
    from bot.intake import take_in_all  # the engine loads only for this command

    async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        body = json.dumps(update.to_dict()).encode()
        messages = adapter.parse_inbound(WebhookRequest(url="", headers={}, body=body))
        await take_in_all(
            state.sessions, messages=messages, settings=state.settings, protector=state.protector
        )

    return TypeHandler(Update, on_update)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    log.error("telegram update failed: %s", mask_text(repr(error)))


def _state(settings: Settings) -> tuple[SimpleNamespace, TelegramAdapter]:
    """Database, adapters (Telegram's always real here) and keys, as the scheduler wants them."""
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    adapters = dict(build_adapters(settings, sessions))
    telegram = adapters.get("telegram")
    if not isinstance(telegram, TelegramAdapter):  # sandbox mode: answer Telegram on Telegram
        telegram = adapters["telegram"] = TelegramAdapter(settings)
    state = SimpleNamespace(
        settings=settings,
        engine=engine,
        sessions=sessions,
        adapters=adapters,
        protector=DataProtector.from_settings(settings),
    )
    return state, telegram


async def run_polling(
    settings: Settings, *, stop: asyncio.Event, poll_interval: float = 0.0, long_poll: int = 10
) -> None:
    """Poll Telegram and send the outbox until `stop` is set."""
    state, telegram = _state(settings)
    application = Application.builder().bot(telegram.bot).job_queue(None).build()
    application.add_handler(_handler(state, telegram))
    application.add_error_handler(_on_error)
    try:
        async with application:
            scheduler = start_scheduler(state)
            try:
                await _poll_until(application, stop, poll_interval, long_poll)
            finally:
                await scheduler.stop()
    finally:
        await close_adapters(state.adapters)
        await state.engine.dispose()


async def _poll_until(
    application: Application, stop: asyncio.Event, poll_interval: float, long_poll: int
) -> None:
    updater = application.updater
    assert updater is not None
    await updater.start_polling(
        poll_interval=poll_interval, timeout=long_poll, allowed_updates=["message"]
    )
    await application.start()
    try:
        await stop.wait()
    finally:
        await updater.stop()
        await application.stop()


@app.command()
def poll() -> None:
    """Answer Telegram by long polling (removes any webhook); stop with Ctrl-C."""
    settings = settings_or_exit()
    if settings.telegram_token is None:
        errors.print("[red]Set ANSINH_TELEGRAM_TOKEN to the bot's token first.[/red]")
        raise typer.Exit(2)
    configure_service_logging(settings)
    console.print("ansinh is polling Telegram; stop with Ctrl-C.")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_polling(settings, stop=stop)

    asyncio.run(main())
