"""Shared fixtures: a real, migrated database (SQLite or PostgreSQL) and a network guard."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.db import make_engine, make_sessionmaker
from models.migrate import upgrade
from models.registry import Base
from models.settings import Settings, load_settings

# The fake providers (tests/fakes), served for any test that asks for one.
pytest_plugins = ["tests.fakes.fixtures"]

PG_URL = os.environ.get("ANSINH_TEST_DATABASE_URL", "").strip()
TEST_KEY = "test-data-key-0123456789abcdef0123456789"


# --- no network ---------------------------------------------------------------------------
_real_connect = socket.socket.connect


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in ("localhost", "::1") or host.startswith("127.")
    return True  # unix sockets


def _guarded_connect(self: socket.socket, address: object) -> object:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """Any test that reaches beyond loopback fails."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


# --- databases ----------------------------------------------------------------------------
@dataclass
class Database:
    """A migrated, empty database for one test."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def url(self) -> str:
        return self.settings.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.settings.is_sqlite


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        _reset_postgres_schema()
        upgrade(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url


def _reset_postgres_schema() -> None:
    import asyncio

    async def reset() -> None:
        engine = make_engine(load_settings(database_url=PG_URL))
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


async def _truncate_postgres(engine: AsyncEngine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        # replica role skips the audit log's append-only trigger for test cleanup only
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def make_test_settings(url: str, **overrides: object) -> Settings:
    """Settings for tests: the given database, a fixed data key, test environment."""
    values: dict[str, object] = {"database_url": url, "data_key": TEST_KEY, "environment": "test"}
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
async def db(template_db: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database of its own for each test."""
    if PG_URL:
        url = template_db
    else:
        source = Path(template_db.split("///", 1)[1])
        target = tmp_path / "ansinh.db"
        shutil.copyfile(source, target)
        url = f"sqlite+aiosqlite:///{target}"
    settings = make_test_settings(url)
    engine = make_engine(settings)
    if PG_URL:
        await _truncate_postgres(engine)
    yield Database(settings, engine, make_sessionmaker(engine))
    await engine.dispose()
