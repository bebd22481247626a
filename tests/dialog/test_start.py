"""Start: language, explanation, explicit consent; without consent nothing personal is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.conversations.tables import Conversation
from models.people.consents import give_consent
from models.people.tables import Consent, Person
from models.vocab import ConsentPurpose
from tests.dialog.conftest import Chat, World, keys_of


async def _count(world: World, table: type) -> int:
    async with world.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_first_message_welcomes_and_asks_the_language(zalo: Chat) -> None:
    outs = await zalo.send("Xin chào")
    assert keys_of(outs) == ["dialog.start.welcome", "dialog.language.ask"]
    assert outs[1].options == ["vi", "en"]
    assert outs[1].text.endswith("1. Tiếng Việt\n2. English")
    assert "chính thức" in outs[0].text  # the official channel


async def test_consent_question_preselects_nothing(zalo: Chat) -> None:
    await zalo.send("hi")
    outs = await zalo.send("1")
    assert keys_of(outs) == ["dialog.start.explain", "dialog.start.consent"]
    assert outs[1].options == ["yes", "no"]
    assert "CCCD" in outs[1].text and outs[1].text.endswith("1. Có\n2. Không")


@pytest.mark.parametrize(
    "answer",
    ["Có", "co", "CÓ!", "yes", "1", "Vâng ạ", "dạ có", "dạ vâng", "OK", "đúng rồi", "có ạ", "C"],
)
async def test_yes_in_any_spelling(zalo: Chat, answer: str) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    assert await zalo.keys(answer) == ["dialog.who.ask"]


@pytest.mark.parametrize("answer", ["Không", "không ạ", "ko", "k", "No", "chưa", "dạ không"])
async def test_no_in_any_spelling(zalo: Chat, answer: str) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    assert await zalo.keys(answer) == ["dialog.start.declined", "dialog.menu"]


@pytest.mark.parametrize("answer", ["Có?", "Dạ?", "dạ", "Đã", "ừ"])
async def test_a_question_back_or_a_word_of_two_meanings_is_not_consent(
    zalo: Chat, answer: str
) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    assert await zalo.keys(answer) == ["dialog.not_understood", "dialog.start.consent"]
    assert "consent" not in (await zalo.conversation()).data


async def test_a_yes_word_does_not_answer_a_question_that_is_not_yes_or_no(zalo: Chat) -> None:
    await zalo.send("hi")
    # not understood, and the question again without the welcome before it
    assert await zalo.keys("vâng") == ["dialog.not_understood", "dialog.language.ask"]


async def test_english_conversation(zalo: Chat) -> None:
    await zalo.send("hello")
    outs = await zalo.send("English")
    assert outs[0].row.locale == "en" and "Do you agree?" in outs[1].text
    outs = await zalo.send("yes")
    assert outs[0].text.startswith("Who is writing?")
    assert "1. I receive the allowance" in outs[0].text


async def test_no_consent_keeps_nothing_but_atms_and_help_work(zalo: Chat, world: World) -> None:
    people = await _count(world, Person)
    await zalo.send("hi")
    await zalo.send("1")
    outs = await zalo.send("Không")
    assert keys_of(outs) == ["dialog.start.declined", "dialog.menu"]
    assert outs[1].options == ["register", "atm", "help", "language"]
    assert "dialog.atm.point" in await zalo.keys("ATM Đông Kinh")
    assert await zalo.keys("TRO GIUP") == ["dialog.help.topics"]
    assert await zalo.keys("1") == ["dialog.faq.what"]
    # anything personal asks for consent first
    assert await zalo.keys("MENU") == ["dialog.menu"]
    assert await zalo.keys("TT") == ["dialog.status.not_registered", "dialog.menu"]
    assert await zalo.keys("DK") == ["dialog.start.explain", "dialog.start.consent"]
    assert await _count(world, Person) == people
    assert await _count(world, Consent) == 0
    conversation = await zalo.conversation()
    assert conversation.person_id is None and "consent" not in conversation.data


async def test_state_is_kept_per_channel_and_address(world: World) -> None:
    first = Chat(world, "zalo:first", "zalo")
    second = Chat(world, "zalo:second", "zalo")
    await first.send("hi")
    await first.send("2")
    await second.send("hi")
    assert (await first.conversation()).locale == "en"
    assert (await second.conversation()).locale == "vi"
    assert await _count(world, Conversation) == 2


async def test_a_language_not_understood_is_asked_again_in_one_sms(sms: Chat) -> None:
    await sms.send("hi")
    outs = await sms.send("xyz")
    assert keys_of(outs) == ["dialog.not_understood", "dialog.language.ask"]
    assert outs[0].row is outs[1].row  # one SMS: the question, not the welcome again (was 3)
    outs = await sms.send("1")
    assert keys_of(outs) == ["dialog.start.explain", "dialog.start.consent"]
    outs = await sms.send("xyz")  # the consent question again, without what it covers
    assert keys_of(outs) == ["dialog.not_understood", "dialog.start.consent"]


async def test_consent_of_someone_known_by_their_number_is_recorded_when_given(
    world: World,
) -> None:
    chat = Chat(world, "tel:+84912000111", "sms")  # Lý Văn Sáu's number on record
    await chat.send("xin chao")
    await chat.send("1")
    outs = await chat.send("co")
    assert keys_of(outs) == ["dialog.start.known_as"]  # a family phone: is it really him?
    assert "Ly V. S. dung so" in outs[0].text and outs[0].options == ["yes", "no"]
    assert await chat.keys("co") == ["dialog.pay.ask_method"]  # yes, as people say it
    async with world.db.sessions() as session:
        consents = (
            await session.scalars(select(Consent).where(Consent.person_id == world.sau.person_id))
        ).all()
    assert sorted((c.purpose, c.channel, c.notice_version) for c in consents) == [
        ("messaging", "sms", "2026-01"),
        ("processing", "sms", "2026-01"),
    ]


async def test_someone_else_on_a_known_number_is_not_taken_for_its_owner(world: World) -> None:
    chat = Chat(world, "tel:+84912000111", "sms")  # Lý Văn Sáu's number; his daughter writes
    await chat.send("DK")
    await chat.send("co")
    assert await chat.keys("2") == ["dialog.who.ask"]  # not him: who is writing?
    conversation = await chat.conversation()
    assert (conversation.person_id, conversation.acting_for_beneficiary_id) == (None, None)
    async with world.db.sessions() as session:
        assert not (await session.scalars(select(Consent))).all()  # nothing recorded for him
    assert await chat.keys("0") == ["dialog.start.known_as"]  # back


async def test_a_known_number_is_asked_who_writes_however_the_method_is_reached(
    world: World,
) -> None:
    chat = Chat(world, "tel:+84912000111", "sms")  # Lý Văn Sáu's number, consent on record
    async with world.db.sessions() as session, session.begin():
        await give_consent(session, person_id=world.sau.person_id,
                           purpose=ConsentPurpose.PROCESSING, notice_version="2026-01",
                           channel="sms")  # fmt: skip
    await chat.send("xin chao")
    await chat.send("1")
    await chat.send("MENU")
    assert await chat.keys("1") == ["dialog.start.known_as"]  # the menu's method, not around it
    not_him = await chat.keys("2")
    assert not_him == ["dialog.start.explain", "dialog.start.consent"]  # his is not hers
    assert await chat.keys("co") == ["dialog.who.ask"]
    assert "dialog.start.known_as" not in await chat.keys("0")  # back: no empty name shown
