"""The engine: global words at every step, STOP/START, resuming, expiry, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.dialog.words import global_word, normalize, shortcut
from models.conversations.service import forget_stale_data
from models.conversations.tables import Conversation
from models.messaging.tables import InboundEvent
from models.people.tables import ContactAddress
from tests.dialog.conftest import Chat, World, identify_self, keys_of, verify_phone


async def _at_cccd(chat: Chat) -> None:
    for text in ("hi", "1", "1", "1"):
        await chat.send(text)


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("MENU", "menu"),
        ("/menu", "menu"),
        ("Trợ giúp", "help"),
        ("TRO GIUP", "help"),
        ("help", "help"),
        ("HD", "help"),
        ("Quay lại", "back"),
        ("QUAY LAI", "back"),
        ("0", "back"),
        ("Back!", "back"),
        ("Ngôn ngữ", "language"),
        ("LANGUAGE", "language"),
        ("english", "en"),
        ("Tiếng Việt", "vi"),
        ("menu please", None),
        ("10", None),
    ],
)
def test_global_words_in_any_spelling(typed: str, word: str | None) -> None:
    assert global_word(normalize(typed)) == word


def test_shortcuts() -> None:
    assert shortcut("DK") == ("register", "")
    assert shortcut("đăng ký") == ("register", "")
    assert shortcut("tt") == ("status", "")
    assert shortcut("ATM  Na Sầm ") == ("atm", "Na Sầm")
    assert shortcut("atm") == ("atm", "")
    assert shortcut("atmosphere") is None
    assert shortcut("DK12", 12) == shortcut("dk 12", 12) == shortcut("Đk12.", 12) == ("status", "")
    assert shortcut("DK12") is None and shortcut("DK15", 12) is None  # not this person's
    assert shortcut("DK 12345678", 12) is None  # an account number after DK, say


@pytest.mark.parametrize("word", ["MENU", "TRO GIUP", "QUAY LAI", "NGON NGU"])
async def test_global_words_work_in_the_middle_of_a_flow(zalo: Chat, word: str) -> None:
    await _at_cccd(zalo)
    first = (await zalo.keys(word))[0]
    assert (
        first
        == {
            "MENU": "dialog.menu",
            "TRO GIUP": "dialog.help.topics",
            "QUAY LAI": "dialog.who.ask",
            "NGON NGU": "dialog.language.ask",
        }[word]
    )


async def test_back_after_help_and_language_returns_to_the_step(zalo: Chat) -> None:
    await _at_cccd(zalo)
    await zalo.send("HELP")
    assert await zalo.keys("0") == ["dialog.identify.ask_cccd_self"]
    await zalo.send("language")
    outs = await zalo.send("2")
    assert keys_of(outs) == ["dialog.language.set", "dialog.identify.ask_cccd_self"]
    assert outs[1].text.startswith("Please send your ID")
    outs = await zalo.send("Tiếng Việt")
    assert keys_of(outs) == ["dialog.language.set", "dialog.identify.ask_cccd_self"]
    assert outs[0].row.locale == "vi"


@pytest.mark.parametrize("word", ["STOP", "Huỷ", "HUY", "TỪ CHỐI", "tu choi"])
async def test_stop_words_opt_out_and_leave_the_flow(zalo: Chat, world: World, word: str) -> None:
    await identify_self(zalo, world.lam)
    assert await zalo.keys(word) == ["reply.opted_out"]
    async with world.db.sessions() as session:
        contact = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == zalo.address)
        )
    assert contact is not None and contact.opted_out_at is not None
    assert (await zalo.conversation()).flow is None
    # the phone is still to be proven: leaving the flow is no way round it
    assert await zalo.keys("DK") == ["reply.opted_in", "dialog.phone.ask"]


async def test_start_word_only_confirms_when_opted_out(zalo: Chat) -> None:
    assert await zalo.keys("/start") == ["dialog.start.welcome", "dialog.language.ask"]


async def test_a_pause_resumes_where_it_stopped(zalo: Chat) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("1")  # now: who is writing?
    later = timedelta(hours=20)
    assert await zalo.keys("1", after=later) == ["dialog.identify.ask_cccd_self"]


async def test_nonsense_after_a_pause_recalls_the_question(zalo: Chat) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("1")
    outs = await zalo.send("ơ, tôi đang làm gì nhỉ", after=timedelta(hours=2))
    assert keys_of(outs) == ["dialog.resume", "dialog.who.ask"]
    assert (await zalo.conversation()).failures == 0


async def test_sensitive_steps_expire_after_thirty_idle_minutes(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    conversation = await zalo.conversation()
    assert "cccd_enc" in conversation.data and conversation.sensitive_until is not None
    outs = await zalo.send(world.lam.birth, after=timedelta(minutes=29))
    assert keys_of(outs)[0] == "dialog.identify.found"  # within the limit it goes on
    await verify_phone(zalo)  # then a method: the account number is sensitive
    await zalo.send("1")
    await zalo.send("Agribank")
    await zalo.send("1")  # yes, Agribank: now the account number
    outs = await zalo.send("0123456789", after=timedelta(minutes=31))
    assert keys_of(outs) == ["dialog.expired.sensitive", "dialog.menu"]
    conversation = await zalo.conversation()
    assert conversation.flow == "menu" and conversation.sensitive_until is None
    assert conversation.person_id == world.lam.person_id  # identity and consent stay
    assert "consent" in conversation.data


async def test_a_typed_cccd_is_forgotten_after_thirty_minutes(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    outs = await zalo.send(world.lam.birth, after=timedelta(minutes=31))
    assert keys_of(outs) == ["dialog.expired.sensitive", "dialog.menu"]
    assert not any(k.endswith("_enc") for k in (await zalo.conversation()).data)


async def test_a_conversation_expires_after_three_idle_days(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await zalo.send("MENU")
    await zalo.send("3")  # ATMs: where?
    outs = await zalo.send("1", after=timedelta(days=3, minutes=1))
    assert keys_of(outs) == ["dialog.expired.conversation", "dialog.menu"]


async def test_an_idle_menu_is_reset_silently(zalo: Chat, world: World) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("2")  # declined: the menu
    assert await zalo.keys("2", after=timedelta(days=4)) == ["dialog.menu"]  # no "expired"


async def test_stale_sensitive_data_is_cleared_by_the_job(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    async with world.db.sessions() as session, session.begin():
        assert await forget_stale_data(session, now=zalo.now + timedelta(minutes=10)) == 0
        assert await forget_stale_data(session, now=zalo.now + timedelta(minutes=31)) == 1
    conversation = await zalo.conversation()
    assert conversation.flow is None and "cccd_enc" not in conversation.data
    assert "consent" in conversation.data


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀🙏🏻", "x" * 5000, "\x00\x01 null", "<b>html</b>", "99999999999999999999"],
)
async def test_strange_input_is_answered_politely(zalo: Chat, text: str) -> None:
    await zalo.send("hi")
    outs = await zalo.send(text)
    assert outs and "{" not in outs[0].text
    await _at_cccd(zalo)
    assert await zalo.send(text)


async def test_an_unexpected_failure_answers_error_and_resets(zalo: Chat, world: World) -> None:
    await zalo.send("hi")
    async with world.db.sessions() as session, session.begin():  # a corrupted state
        await session.execute(
            update(Conversation).values(
                flow="identify",
                step="name",
                data={"cccd_enc": "bm90IGVuY3J5cHRlZA==", "birth": "1950-03-05"},
            )
        )
    outs = await zalo.send("Nông Văn Lâm")
    assert keys_of(outs) == ["dialog.error", "dialog.menu"]
    conversation = await zalo.conversation()
    assert conversation.flow == "menu" and conversation.data.get("cccd_enc") is None
    # two messages, two events: the failing one was taken in twice (without its savepoint,
    # then with it) but recorded once
    async with world.db.sessions() as session:
        recorded = select(func.count()).where(InboundEvent.address == zalo.address)
        assert await session.scalar(recorded) == 2


async def test_sms_menus_fit_one_message(sms: Chat, world: World) -> None:
    outs = await identify_self(sms, world.thao)  # six ways to be paid: cash at home allowed
    assert keys_of(outs) == ["dialog.identify.found", "dialog.pay.ask_method"]
    assert len(outs[1].options) == 6
    outs += await sms.send("MENU") + await sms.send("HD") + await sms.send("NGON NGU")
    for out in outs:
        assert (out.rendered.encoding, out.rendered.segments) == ("GSM-7", 1), out.text
