"""What every command shares: settings, a database session, a clean exit on bad config."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.db import make_engine, make_sessionmaker
from models.settings import ConfigurationError, Settings, get_settings

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)


def settings_or_exit() -> Settings:
    """The settings, or a one-sentence explanation and exit code 2."""
    try:
        return get_settings()
    except ConfigurationError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def settle_heap() -> None:
    """Take what start-up made (modules, classes, the app) out of the cyclic collector's walks.

    A long-running process otherwise re-examines those hundreds of thousands of objects at
    every full collection, a pause of tens of milliseconds in the middle of some request.
    Reference counting still frees them; only cycles among them would be kept.
    """
    gc.collect()
    gc.freeze()


def run_with_sessions(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run `work` with a sessionmaker on the configured database, then close the engine."""
    settings = settings_or_exit()

    async def main() -> T:
        engine = make_engine(settings)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())
