"""Pytest fixtures: one uvicorn server per provider for the session, a fresh fake per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from tests.fakes.base import FakeProvider
from tests.fakes.server import serve
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.zalo import FakeZaloBot
from tests.fakes.zns import FakeZns

F = TypeVar("F", bound=FakeProvider)


class Switchboard:
    """An ASGI app that hands each request to the current test's fake."""

    def __init__(self) -> None:
        self.url = ""
        self.target: FakeProvider | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.target is None:
            raise RuntimeError("no fake provider attached")
        await self.target.app(scope, receive, send)


def _board() -> Iterator[Switchboard]:
    board = Switchboard()
    with serve(board) as server:
        board.url = server.url
        yield board


def _attach(board: Switchboard, fake: F) -> Iterator[F]:
    fake.url = board.url
    board.target = fake
    yield fake
    fake.closing = True  # cut short any delayed answer still running


@pytest.fixture(scope="session")
def telegram_board() -> Iterator[Switchboard]:
    yield from _board()


@pytest.fixture(scope="session")
def zalo_board() -> Iterator[Switchboard]:
    yield from _board()


@pytest.fixture(scope="session")
def zns_board() -> Iterator[Switchboard]:
    yield from _board()


@pytest.fixture(scope="session")
def twilio_board() -> Iterator[Switchboard]:
    yield from _board()


@pytest.fixture(scope="session")
def sms_gateway_board() -> Iterator[Switchboard]:
    yield from _board()


@pytest.fixture
def fake_telegram(telegram_board: Switchboard) -> Iterator[FakeTelegram]:
    """A fresh fake Telegram Bot API, served."""
    yield from _attach(telegram_board, FakeTelegram())


@pytest.fixture
def fake_zalo(zalo_board: Switchboard) -> Iterator[FakeZaloBot]:
    """A fresh fake Zalo Bot API, served."""
    yield from _attach(zalo_board, FakeZaloBot())


@pytest.fixture
def fake_zns(zns_board: Switchboard) -> Iterator[FakeZns]:
    """A fresh fake ZNS + Zalo OAuth, served."""
    yield from _attach(zns_board, FakeZns())


@pytest.fixture
def fake_twilio(twilio_board: Switchboard) -> Iterator[FakeTwilio]:
    """A fresh fake Twilio REST API, served."""
    yield from _attach(twilio_board, FakeTwilio())


@pytest.fixture
def fake_sms_gateway(sms_gateway_board: Switchboard) -> Iterator[FakeSmsGateway]:
    """A fresh fake SMS gateway, served."""
    yield from _attach(sms_gateway_board, FakeSmsGateway())
