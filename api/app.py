"""The FastAPI application: health, OpenAPI docs, and the routers later issues add."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from models.db import make_engine, make_sessionmaker
from models.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ansinh web application for `settings`."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        yield
        await engine.dispose()

    app = FastAPI(
        title="ansinh",
        summary="Messaging service of Lạng Sơn's cashless welfare-payment programme.",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.get("/health", tags=["operations"], summary="Liveness and database check")
    async def health() -> dict[str, str]:
        async with app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
