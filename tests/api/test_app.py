"""The application: health, documentation, lifespan (adapters, scheduler), error format."""

from __future__ import annotations

import asyncio

from api.limits import BodyLimit
from scheduler.clock import SchedulerHandle
from tests.api.support import running_app
from tests.conftest import Database

WEBHOOKS = {
    "/webhooks/telegram",
    "/webhooks/zalo",
    "/webhooks/twilio/sms",
    "/webhooks/twilio/status",
    "/webhooks/sms-gateway/mo",
    "/webhooks/sms-gateway/dlr",
    "/webhooks/zns",
}


async def test_health_docs_and_openapi(db: Database) -> None:
    async with running_app(db) as app:
        health = await app.client.get("/health")
        docs = await app.client.get("/docs")
        spec = (await app.client.get("/openapi.json")).json()
    assert health.json() == {"status": "ok"}
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert set(spec["paths"]) >= WEBHOOKS
    assert {"/api/v1/sandbox/inbound", "/api/v1/sandbox/inbox"} <= set(spec["paths"])
    examples = spec["components"]["schemas"]["SandboxInbound"]["examples"]
    assert examples[0]["address"].startswith("tel:")


async def test_unknown_paths_are_problems(db: Database) -> None:
    async with running_app(db) as app:
        response = await app.client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_scheduler_runs_with_the_app_and_stops_with_it(db: Database) -> None:
    async with running_app(db, run_scheduler=True) as app:
        handle = app.app.state.scheduler
        assert isinstance(handle, SchedulerHandle)
        assert handle.scheduler.running
        assert {job.id for job in handle.scheduler.get_jobs()} >= {"lead", "expire", "reclaim"}
        assert handle.dispatching is not None and not handle.dispatching.done()
    assert handle.dispatching.done()
    for _ in range(100):  # AsyncIOScheduler shuts down on the loop's next turn
        if not handle.scheduler.running:
            break
        await asyncio.sleep(0.01)
    assert not handle.scheduler.running


async def test_without_the_scheduler_nothing_is_started(db: Database) -> None:
    async with running_app(db, run_scheduler=False) as app:
        assert getattr(app.app.state, "scheduler", None) is None


def test_body_limits_by_path() -> None:
    limits = BodyLimit(app=None)  # type: ignore[arg-type]
    assert limits.limit_for("/webhooks/telegram") == 64 * 1024
    assert limits.limit_for("/api/v1/sandbox/inbound") == 64 * 1024
    assert limits.limit_for("/api/v1/imports") == limits.default > 64 * 1024
