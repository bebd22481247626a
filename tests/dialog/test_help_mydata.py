"""Help (FAQ, safety, a question for the officer) and my data (see, withdraw, correct, delete)."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select

from bot.dialog.words import shortcut
from models.people.tables import Consent
from models.requests.service import working_days_after
from models.requests.tables import DataRequest, Question
from tests.dialog.conftest import Chat, World, identify_self, keys_of, verify_phone


async def test_faq_answers_and_the_list_stays(sms: Chat) -> None:
    outs = await sms.send("HD")
    assert keys_of(outs) == ["dialog.help.topics"]
    assert outs[0].options == ["what", "why_account", "safe", "fees", "contact", "officer"]
    assert await sms.keys("1") == ["dialog.faq.what"]
    safe = await sms.send("3")  # the list is still in force after an answer
    assert keys_of(safe) == ["dialog.faq.safe"]
    assert "PIN" in safe[0].text and safe[0].rendered.segments == 1  # the safety line
    fees = await sms.send("4")
    assert "PIN" in fees[0].text
    assert await sms.keys("5") == ["dialog.faq.contact"]


async def test_contact_names_the_commune_office(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("help")
    outs = await zalo.send("5")
    assert keys_of(outs) == ["dialog.faq.contact_commune"]
    assert "UBND Phường Đông Kinh" in outs[0].text


async def test_question_for_the_officer(
    zalo: Chat, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("bot", "models", "messages"):  # ours (drivers log SQL at DEBUG)
        caplog.set_level(logging.DEBUG, logger=name)
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("Trợ giúp")
    assert await zalo.keys("6") == ["dialog.help.ask_question"]
    assert await zalo.keys("ok") == ["dialog.help.question_empty"]
    secret = "Tháng này tôi chưa nhận được tiền, tài khoản 0123456789 có vấn đề gì không?"
    outs = await zalo.send(secret)
    assert keys_of(outs) == ["dialog.help.question_received", "dialog.menu"]
    due = working_days_after(date(2026, 11, 10), 2)
    assert due == date(2026, 11, 12) and "12/11/2026" in outs[0].text
    async with world.db.sessions() as session:
        question = (await session.scalars(select(Question))).one()
    assert question.text == secret and question.status == "open"
    assert (question.person_id, question.commune_id) == (world.lam.person_id, world.home_id)
    assert "chưa nhận được tiền" not in caplog.text


@pytest.mark.parametrize(
    "typed", ["Gặp cán bộ", "toi muon noi chuyen voi can bo", "Talk to an officer"]
)
async def test_the_officer_asked_for_in_words_at_any_question(zalo: Chat, typed: str) -> None:
    await zalo.send("xin chào")
    await zalo.send("1")  # the consent question now
    assert await zalo.keys(typed) == ["dialog.help.ask_question"]
    assert (await zalo.keys("0"))[-1] == "dialog.start.consent"  # back where it was
    assert shortcut("can bo") == ("officer", "")


def test_working_days_skip_the_weekend() -> None:
    friday = date(2026, 11, 13)
    assert working_days_after(friday, 2) == date(2026, 11, 17)


async def test_my_data_is_shown_masked(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("MENU")
    outs = await zalo.send("5")
    assert keys_of(outs) == ["dialog.mydata.ask"]
    outs = await zalo.send("1")
    assert keys_of(outs) == [
        "dialog.mydata.person",
        "dialog.mydata.ids",
        "dialog.status.no_method",
        "dialog.mydata.consent",
        "dialog.mydata.consent",
    ]
    text = "\n".join(o.text for o in outs)
    assert "Nông V. L." in text and "1950" in text and "Phường Đông Kinh" in text
    assert "020******234" in text and "091****678" in text
    assert world.lam.cccd not in text and "0912345678" not in text and "Lâm" not in text


async def test_withdrawing_consent_stops_personal_questions(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("MENU")
    await zalo.send("5")
    assert await zalo.keys("2") == ["dialog.mydata.withdraw_confirm"]
    outs = await zalo.send("1")
    assert keys_of(outs) == ["dialog.mydata.withdrawn", "dialog.menu"]
    assert outs[1].options == ["register", "atm", "help", "language"]
    async with world.db.sessions() as session:
        consents = (await session.scalars(select(Consent))).all()
    assert consents and all(c.withdrawn_at is not None for c in consents)
    conversation = await zalo.conversation()
    assert conversation.person_id is None and "consent" not in conversation.data
    outs = await zalo.send("TT")  # not "send DK to register": they are on the list
    assert keys_of(outs) == ["dialog.status.withdrawn", "dialog.menu"]
    assert "vẫn được trả" in outs[0].text
    assert await zalo.keys("DK") == ["dialog.start.explain", "dialog.start.consent"]
    await zalo.send("1")  # agrees again
    assert "withdrawn" not in (await zalo.conversation()).data


async def test_keeping_consent_goes_back(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("MENU")
    await zalo.send("5")
    await zalo.send("2")
    assert await zalo.keys("2") == ["dialog.mydata.ask"]


@pytest.mark.parametrize(
    ("choices", "text", "kind", "days"),
    [
        (["3"], "Ngày sinh đúng là 05/03/1951", "correction", 10),
        (["4", "1"], "1", "deletion", 20),  # sure? yes; then no reason given
    ],
)
async def test_correction_and_deletion_requests(
    zalo: Chat, world: World, choices: list[str], text: str, kind: str, days: int
) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("MENU")
    await zalo.send("5")
    for choice in choices:
        await zalo.send(choice)
    outs = await zalo.send(text)
    assert keys_of(outs) == ["dialog.mydata.request_received", "dialog.menu"]
    async with world.db.sessions() as session:
        request = (await session.scalars(select(DataRequest))).one()
    assert (request.kind, request.person_id, request.status) == (
        kind,
        world.lam.person_id,
        "received",
    )
    assert request.acknowledge_by == date(2026, 11, 12)
    assert (request.due_by - date(2026, 11, 10)).days == days
    assert request.details == (None if kind == "deletion" else text)
    assert "12/11/2026" in outs[0].text


async def test_a_deletion_request_is_sent_only_when_the_person_says_so(
    zalo: Chat, world: World
) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("MENU")
    await zalo.send("5")
    outs = await zalo.send("4")
    assert keys_of(outs) == ["dialog.mydata.delete_confirm"]
    assert outs[0].options == ["yes", "no"] and "cán bộ xã" in outs[0].text
    assert await zalo.keys("2") == ["dialog.mydata.ask"]  # no: back to my data, nothing sent
    await zalo.send("4")
    outs = await zalo.send("có")
    assert keys_of(outs) == ["dialog.mydata.ask_deletion"]
    assert outs[0].text.endswith("1. Gửi, không ghi lý do")
    async with world.db.sessions() as session:
        assert (await session.scalars(select(DataRequest))).all() == []
    assert keys_of(await zalo.send("Tôi chuyển đi nơi khác")) == [
        "dialog.mydata.request_received",
        "dialog.menu",
    ]
    async with world.db.sessions() as session:
        (request,) = (await session.scalars(select(DataRequest))).all()
    assert (request.kind, request.details) == ("deletion", "Tôi chuyển đi nơi khác")


async def test_my_data_of_someone_who_never_agreed(zalo: Chat) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("2")
    assert await zalo.keys("MENU") == ["dialog.menu"]
    await zalo.send("register")
    assert (await zalo.conversation()).step == "consent"
