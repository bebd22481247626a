"""Migrations run up and down on the database under test, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from models.registry import Base
from tests.conftest import Database


async def test_schema_matches_models(db: Database) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_audit_log_refuses_update_and_delete(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, entity, details) "
                "VALUES (CURRENT_TIMESTAMP, 'test', 'create', 'x', '{}')"
            )
        )
    for statement in ("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            async with db.engine.begin() as conn:
                await conn.execute(text(statement))


def test_one_head() -> None:
    """Parallel branches are always merged, so `ansinh db upgrade` has one target."""
    from alembic.script import ScriptDirectory

    from models.migrate import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_down_and_up_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every migration can be undone and redone (on a scratch SQLite file)."""
    from models.migrate import downgrade, upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)
