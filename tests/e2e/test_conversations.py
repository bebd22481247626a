"""A short conversation on every channel, through webhooks, the engine, the outbox and the
dispatcher to the fake providers: start → language → consent → an ATM found by commune name."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.support import (
    Running,
    gateway_settings,
    running_app,
    telegram_settings,
    twilio_settings,
    zalo_settings,
)
from tests.conftest import Database
from tests.e2e.channels import (
    GatewayPerson,
    Person,
    SandboxPerson,
    TelegramPerson,
    TwilioPerson,
    ZaloPerson,
    labels,
    plain,
)
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.zalo import FakeZaloBot


async def start_to_atm(
    person: Person, *, language: Callable[[], str], yes: Callable[[], str]
) -> list[str]:
    """The scripted conversation; every text delivered, in order."""
    delivered: list[str] = []
    welcome = await person.say("Xin chào")
    assert any("english" in plain(t) for t in welcome), welcome  # the language question
    consent = await person.say(language())
    assert any("cccd" in plain(t) for t in consent), consent  # what is kept, and why
    who = await person.say(yes())
    assert any("ai dang nhan tin" in plain(t) for t in who), who
    atm = await person.say("ATM Đông Kinh")
    assert any("agribank" in plain(t) and "so 2 le loi" in plain(t) for t in atm), atm
    for texts in (welcome, consent, who, atm):
        delivered += texts
    return delivered


def _first(value: str) -> Callable[[], str]:
    return lambda: value


async def test_telegram_buttons(places: Database, fake_telegram: FakeTelegram) -> None:
    async with running_app(places, **telegram_settings(fake_telegram)) as app:
        person = TelegramPerson(app, fake_telegram)
        await start_to_atm(person, language=person.first_button, yes=person.first_button)
    sent = fake_telegram.messages_sent()
    buttons = [label for m in sent for label in labels(m.get("reply_markup"))]
    assert {"Tiếng Việt", "English", "Có", "Không"} <= set(buttons)  # tapped, not typed
    assert {m["parse_mode"] for m in sent} == {"HTML"}


async def test_zalo_numbered_menus(places: Database, fake_zalo: FakeZaloBot) -> None:
    async with running_app(places, **zalo_settings(fake_zalo)) as app:
        texts = await start_to_atm(
            ZaloPerson(app, fake_zalo), language=_first("1"), yes=_first("1")
        )
    assert any("1. Tiếng Việt" in t for t in texts)
    assert all(len(t) <= 2000 for t in texts)


async def test_sms_through_twilio(places: Database, fake_twilio: FakeTwilio) -> None:
    async with running_app(places, **twilio_settings(fake_twilio)) as app:
        texts = await start_to_atm(
            TwilioPerson(app, fake_twilio), language=_first("1"), yes=_first("co")
        )
    assert all(t.isascii() for t in texts)  # brandname SMS without diacritics


async def test_sms_through_the_gateway(places: Database, fake_sms_gateway: FakeSmsGateway) -> None:
    async with running_app(places, **gateway_settings(fake_sms_gateway)) as app:
        person = GatewayPerson(app, fake_sms_gateway)
        texts = await start_to_atm(person, language=_first("1"), yes=_first("1"))
    assert all(t.isascii() for t in texts)


async def test_sandbox_api_answers_what_the_dispatcher_delivers(places: Database) -> None:
    async with running_app(places) as app:
        person = SandboxPerson(app)
        answered = await start_to_atm(person, language=_first("1"), yes=_first("1"))
        await app.dispatch()
        inbox = await _delivered(app, person.address)
    assert inbox == answered


async def _delivered(app: Running, address: str) -> list[str]:
    response = await app.client.get(
        "/api/v1/sandbox/inbox", params={"address": address, "limit": 200}
    )
    return [m["text"] for m in response.json()["messages"] if m["direction"] == "out"]
