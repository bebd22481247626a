"""GET /ready: the database answers and, where it runs, the scheduler runs (and who leads)."""

from __future__ import annotations

from pathlib import Path

from tests.api.support import running_app
from tests.conftest import Database


async def test_ready_without_a_scheduler(db: Database) -> None:
    async with running_app(db) as app:
        response = await app.client.get("/ready")
        health = await app.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "scheduler": {"enabled": False, "running": False, "leader": False},
    }
    assert health.status_code == 200


async def test_ready_reports_the_running_scheduler_and_its_lead(db: Database) -> None:
    async with running_app(db, run_scheduler=True) as app:
        response = await app.client.get("/ready")
    body = response.json()
    assert response.status_code == 200
    assert body["scheduler"]["enabled"] and body["scheduler"]["running"]
    # SQLite: the one process leads; PostgreSQL: the advisory lock is taken by the first job run
    assert isinstance(body["scheduler"]["leader"], bool)
    assert body["scheduler"]["leader"] or not db.is_sqlite


async def test_not_ready_when_the_database_does_not_answer(tmp_path: Path) -> None:
    garbage = tmp_path / "ansinh.db"
    garbage.write_bytes(b"this is not a database file " * 100)
    async with running_app(_Url(f"sqlite+aiosqlite:///{garbage}")) as app:  # type: ignore[arg-type]
        response = await app.client.get("/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


class _Url:
    """Just the URL of a database, for running_app."""

    def __init__(self, url: str) -> None:
        self.url = url
