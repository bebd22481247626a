"""What operators and orchestrators ask the process: is it ready, and its Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.errors import problem
from api.metrics import exposition, token_matches
from scheduler.clock import scheduler_status
from scheduler.metrics import refresh_depth

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 3.0

router = APIRouter(tags=["operations"])


class SchedulerState(BaseModel):
    """The scheduled jobs of this process."""

    enabled: bool = Field(description="This process is configured to run the jobs.")
    running: bool = Field(description="The scheduler is running.")
    leader: bool = Field(description="This process leads: it runs the jobs (one process does).")


class Readiness(BaseModel):
    """Whether this process can serve: its database and its scheduler."""

    database: str = Field(description="ok, or unavailable.", examples=["ok"])
    scheduler: SchedulerState


async def _database_answers(request: Request) -> bool:
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:
        log.warning("readiness: the database does not answer", exc_info=True)
        return False
    return True


@router.get(
    "/ready",
    summary="Readiness: the database answers and the scheduler runs",
    description="200 when the database answers within a few seconds and, where this process "
    "is configured to run the scheduled jobs, the scheduler is running; 503 otherwise. "
    "`leader` tells which of several processes runs the jobs. /health stays a cheap liveness "
    "check.",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: see the body."}},
)
async def ready(request: Request) -> JSONResponse:
    """The database and scheduler state of this process."""
    enabled = bool(request.app.state.settings.run_scheduler)
    running, leader = scheduler_status(request.app.state)
    database = await _database_answers(request)
    body = Readiness(
        database="ok" if database else "unavailable",
        scheduler=SchedulerState(enabled=enabled, running=running, leader=leader),
    )
    status = 200 if database and (running or not enabled) else 503
    return JSONResponse(body.model_dump(), status_code=status)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition of this process's metrics (the queue measured now)."""
    token = request.app.state.settings.metrics_token
    if token is not None and not token_matches(
        request.headers.get("authorization"), token.get_secret_value()
    ):
        refused = problem(401, "GET /metrics needs the metrics token.")
        refused.headers["WWW-Authenticate"] = "Bearer"
        return refused
    await refresh_depth(request.app.state.sessions)
    body, content_type = exposition(request.headers.get("accept", ""))
    return Response(body, media_type=content_type)
