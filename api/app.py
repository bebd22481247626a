"""The FastAPI application: health, webhooks, the sandbox, and the routers of the admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from api import errors, operations, sandbox, webhooks
from api.limits import BodyLimit
from api.metrics import HttpMetrics
from api.routers import admin as admin_api
from api.routers import admin_payments
from api.security import SecurityHeaders
from bot.channels.registry import build_adapters, close_adapters
from models.db import make_engine, make_sessionmaker
from models.protection import DataProtector
from models.settings import Settings, get_settings
from scheduler.clock import start_scheduler, stop_scheduler


@asynccontextmanager
async def _running(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Engine, adapters and scheduler for the life of the process, closed in reverse order."""
    state = app.state
    state.settings = settings
    state.engine = make_engine(settings)
    state.sessions = make_sessionmaker(state.engine)
    state.protector = DataProtector.from_settings(settings)
    state.adapters = build_adapters(settings, state.sessions)
    try:
        state.webhooks = webhooks.build_webhook_adapters(settings, state.sessions, state.adapters)
        if settings.run_scheduler:
            start_scheduler(state)
        yield
    finally:
        await stop_scheduler(state)
        if hasattr(state, "webhooks"):
            await state.webhooks.aclose()
        await close_adapters(state.adapters)
        await state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ansinh web application for `settings`."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _running(app, settings):
            yield

    app = FastAPI(
        title="ansinh",
        summary="Messaging service of Lạng Sơn's cashless welfare-payment programme.",
        version="0.1.0",
        lifespan=lifespan,
    )
    errors.install(app)
    # The last added runs first: headers on every answer, then counting, then body limits.
    app.add_middleware(BodyLimit)
    app.add_middleware(HttpMetrics, providers=frozenset(webhooks.PROVIDERS))
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    https = settings.public_url.startswith("https://")
    app.add_middleware(SecurityHeaders, docs_paths=[p for p in docs if p], https=https)
    app.include_router(operations.router)
    app.include_router(webhooks.router)
    app.include_router(admin_api.router)
    app.include_router(admin_payments.router)
    if settings.sandbox:
        app.include_router(sandbox.router)

    @app.get("/health", tags=["operations"], summary="Liveness and database check")
    async def health() -> dict[str, str]:
        async with app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
