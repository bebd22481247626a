"""`ansinh chat` with scripted input, and `ansinh telegram poll` against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.telegram import run_polling
from models.settings import get_settings
from tests.api.support import telegram_settings
from tests.conftest import TEST_KEY, Database, make_test_settings
from tests.fakes.telegram import FakeTelegram, text_update

PHONE = "+84912345678"


@pytest.fixture
def env(places: Database) -> Iterator[dict[str, str]]:
    """The environment `ansinh` reads, pointing at the test database."""
    get_settings.cache_clear()
    yield {
        "ANSINH_DATABASE_URL": places.url,
        "ANSINH_DATA_KEY": TEST_KEY,
        "ANSINH_ENVIRONMENT": "test",
        "ANSINH_SANDBOX": "true",
    }
    get_settings.cache_clear()


def chat(env: dict[str, str], address: str, lines: list[str]) -> Any:
    get_settings.cache_clear()  # each run reads its own environment
    runner = CliRunner()
    return runner.invoke(app, ["chat", "--as", address], input="\n".join(lines) + "\n", env=env)


def test_chat_as_a_basic_phone_finds_an_atm(env: dict[str, str]) -> None:
    result = chat(env, f"tel:{PHONE}", ["Xin chào", "1", "1", "ATM Đông Kinh", "/quit"])
    assert result.exit_code == 0, result.output
    assert f"Chatting as tel:{PHONE} on sms" in result.output
    screen = " ".join(result.output.split())  # panels wrap lines
    assert "1. Tieng Viet" in screen and "Ong/Ba dong y khong?" in screen
    assert "Ai dang nhan tin?" in screen and "ATM Agribank: So 2 Le Loi" in screen
    assert "1 SMS · GSM-7" in screen
    assert "Đông" not in screen and "Tiếng" not in screen  # SMS goes without diacritics


def test_chat_on_telegram_shows_the_buttons(env: dict[str, str]) -> None:
    result = chat(env, "telegram:42", ["Xin chào", "Tiếng Việt"])
    assert result.exit_code == 0, result.output
    assert "[ Tiếng Việt ]" in result.output and "[ Có ]" in result.output


def test_chat_understands_location_and_phone_commands(env: dict[str, str]) -> None:
    result = chat(
        env, "telegram:42", ["/location 21.85 106.76", "/phone 0912345678", "/location x"]
    )
    assert result.exit_code == 0, result.output  # the end of input ends the chat
    assert "Telegram" in result.output
    assert "write /location LATITUDE LONGITUDE" in result.output


def test_chat_refuses_a_bad_address_or_real_providers(env: dict[str, str]) -> None:
    assert chat(env, "0912345678", []).exit_code == 2
    assert chat({**env, "ANSINH_SANDBOX": "false"}, f"tel:{PHONE}", []).exit_code == 2


async def test_telegram_polling_answers_through_the_bot_api(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    values = {**telegram_settings(fake_telegram), "dispatch_interval_seconds": 0.05}
    settings = make_test_settings(db.url, **values)
    fake_telegram.updates.append(text_update(1, 777, "/start"))
    fake_telegram.webhook = {"url": "https://old.example/webhooks/telegram"}
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(settings, stop=stop, poll_interval=0.02, long_poll=0))
    try:
        for _ in range(500):
            if fake_telegram.messages_sent() or task.done():
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    sent = fake_telegram.messages_sent()
    assert sent and str(sent[0]["chat_id"]) == "777"
    assert fake_telegram.webhook == {}  # polling removed the webhook first
