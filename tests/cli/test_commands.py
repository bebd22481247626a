"""The `ansinh` commands a newcomer and an operator run, against a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from models.settings import get_settings
from tests.conftest import TEST_KEY

CSV = (
    "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Đối tượng,Xã/Phường\n"
    "Hoàng Văn Sáng,12/03/1941,Nam,020041001234,0912 345 678,BTXH,Phường Đông Kinh\n"
    "Nông Thị Mai,01/01/1950,Nữ,020150004567,0163 123 4567,NCC,Xã Hoàng Văn Thụ\n"
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite file as the configured database."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("ANSINH_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("ANSINH_DATA_KEY", TEST_KEY)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_setup_commands_are_idempotent(env: Path) -> None:
    run("db", "upgrade")
    run("places", "load")
    run("places", "load")
    assert count(env, "areas") == 1 + 65 + 11 + 194
    assert "beneficiaries" in run("demo", "--if-empty", "--per-commune", "1")
    assert "left as it is" in run("demo", "--if-empty")
    assert count(env, "beneficiaries") == 65


def test_import_dry_run_then_real(env: Path, tmp_path: Path) -> None:
    run("db", "upgrade")
    run("places", "load")
    source = tmp_path / "danh-sach.csv"
    source.write_text(CSV, encoding="utf-8")
    dry = run("import", "beneficiaries", str(source), "--dry-run")
    assert "Dry run" in dry and count(env, "beneficiaries") == 0
    real = run("import", "beneficiaries", str(source))
    assert count(env, "beneficiaries") == 1  # the second row's 11-digit phone is reported
    assert "0331234567" in real  # the converted number is suggested to the officer


def test_bad_setting_stops_with_one_sentence(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSINH_DATABASE_URL", "mysql://nowhere")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "ANSINH_DATABASE_URL" in result.output


def test_keys_rotate_moves_values_to_the_new_key(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("db", "upgrade")
    run("places", "load")
    run("demo", "--per-commune", "1")
    with sqlite3.connect(env) as conn:
        before = conn.execute("SELECT cccd_hash FROM people ORDER BY id").fetchall()
    monkeypatch.setenv("ANSINH_DATA_KEY", "a-brand-new-data-key-0123456789abcdef")
    monkeypatch.setenv("ANSINH_DATA_OLD_KEYS", f'["{TEST_KEY}"]')
    get_settings.cache_clear()
    assert "encrypted values moved" in run("keys", "rotate")
    with sqlite3.connect(env) as conn:
        after = conn.execute("SELECT cccd_hash FROM people ORDER BY id").fetchall()
    assert len(after) == len(before) and all(a != b for a, b in zip(after, before, strict=True))
