"""`ansinh officer create` makes the first administrator, who can then sign in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from models.db import make_engine, make_sessionmaker
from models.settings import get_settings
from tests.admin.helpers import running, small_province
from tests.conftest import TEST_KEY, Database, make_test_settings

PASSWORD = "một mật khẩu thật dài"


@pytest.fixture
def env(db: Database) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"ANSINH_DATABASE_URL": db.url, "ANSINH_DATA_KEY": TEST_KEY, "ANSINH_ENVIRONMENT": "test"}
    get_settings.cache_clear()


def _run(env: dict[str, str], *args: str, password: str = PASSWORD) -> Any:
    get_settings.cache_clear()  # each run reads its own environment
    return CliRunner().invoke(app, ["officer", *args], input=password + "\n", env=env)


async def _province(url: str) -> None:
    engine = make_engine(make_test_settings(url))
    async with make_sessionmaker(engine)() as session, session.begin():
        await small_province(session)
    await engine.dispose()


async def _sign_in(url: str) -> int:
    async with running(url) as started:
        form = {"username": "admin", "password": PASSWORD}
        return (await started.client.post("/api/v1/auth/token", data=form)).status_code


def test_create_the_first_admin_and_sign_in(db: Database, env: dict[str, str]) -> None:
    asyncio.run(_province(db.url))
    stdin = ("--password-stdin",)
    made = _run(env, "create", "--username", "Admin", "--role", "province_admin",
                "--area", "20", *stdin)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "officer admin created" in made.output
    assert asyncio.run(_sign_in(db.url)) == 200
    again = _run(env, "create", "--username", "admin", "--role", "auditor", "--area", "20", *stdin)
    assert again.exit_code == 1 and "đã có người dùng" in again.output
    legacy = _run(env, "create", "--username", "x.y", "--role", "auditor", "--area", "06160",
                  *stdin)  # fmt: skip
    assert legacy.exit_code == 1 and "đơn vị cũ" in legacy.output
    short = _run(env, "create", "--username", "x.z", "--role", "auditor", "--area", "20", *stdin,
                 password="ngắn")  # fmt: skip
    assert short.exit_code == 1 and "ít nhất 10" in short.output
    payer = _run(env, "create", "--username", "x.w", "--role", "payer", "--area", "20", *stdin)
    assert payer.exit_code == 1


def test_an_api_key_is_printed_once(db: Database, env: dict[str, str]) -> None:
    asyncio.run(_province(db.url))
    key = _run(env, "api-key", "--name", "Agribank", "--area", "05977")
    assert key.exit_code == 0 and "ask_" in key.output
