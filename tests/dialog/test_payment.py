"""Choosing how to be paid: accounts with fuzzy bank names, wallets, cash, no account yet."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from models.messaging.tables import OutboxMessage
from models.outreach.sessions import create_session
from models.outreach.tables import SessionAttendee
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Consent
from models.requests.tables import ReviewItem
from tests.dialog.conftest import (
    Chat,
    Someone,
    World,
    identify_as_proxy,
    identify_self,
    keys_of,
    verify_phone,
)


async def _at_method(chat: Chat, someone: Someone) -> None:
    await identify_self(chat, someone)
    if chat.channel != "sms":
        await verify_phone(chat)


async def _choices(world: World) -> list[PaymentMethodChoice]:
    async with world.db.sessions() as session:
        return list((await session.scalars(select(PaymentMethodChoice))).all())


async def _reviews(world: World) -> list[ReviewItem]:
    async with world.db.sessions() as session:
        return list((await session.scalars(select(ReviewItem).order_by(ReviewItem.id))).all())


async def test_bank_account_with_a_typo_in_the_bank(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    assert await zalo.keys("1") == ["dialog.pay.ask_bank"]
    outs = await zalo.send("agribak")
    assert keys_of(outs) == ["dialog.pay.bank_confirm"] and "Agribank" in outs[0].text
    assert await zalo.keys("Vâng ạ") == ["dialog.pay.ask_account"]
    assert await zalo.keys("12 34") == ["id.account.invalid"]
    assert await zalo.keys("0123-4567-8901") == ["dialog.pay.ask_holder"]
    outs = await zalo.send("NONG VAN LAM")
    assert keys_of(outs) == ["dialog.pay.summary_account"]
    assert "****8901" in outs[0].text and "012345678901" not in str(outs[0].params)
    outs = await zalo.send("1")
    assert keys_of(outs) == ["dialog.pay.recorded", "dialog.menu"]
    (choice,) = await _choices(world)
    assert (choice.method, choice.provider_code, choice.source) == (
        "bank_account",
        "AGRIBANK",
        "bot",
    )
    assert choice.holder_name_matches is True and choice.holder == "beneficiary"
    assert world.protector.decrypt(choice.account_enc or b"") == "012345678901"
    assert choice.confirmation_code in outs[0].text
    # the beneficiary chose here: the reply says it, and no notice repeats it to this chat
    assert not [o for o in zalo.sent if o.key == "notice.method_confirmed"]
    review = (await _reviews(world))[-1]
    assert (review.kind, review.choice_id, review.beneficiary_id) == (
        "method_change",
        choice.id,
        world.lam.id,
    )
    assert review.payload["account"] == "********8901"
    conversation = await zalo.conversation()
    assert not any(key.endswith("_enc") for key in conversation.data)


async def test_bank_by_bin_ambiguous_and_unknown(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("1")
    outs = await zalo.send("Ngân hàng hoa hồng")
    assert keys_of(outs) == ["dialog.pay.bank_unknown"]
    assert "Agribank" in outs[0].text and "KHÔNG" in outs[0].text  # an example, a way out
    outs = await zalo.send("viet")
    assert keys_of(outs) == ["dialog.pay.bank_pick"]
    assert outs[0].options[-1] == "other" and len(outs[0].options) > 2
    assert await zalo.keys(str(len(outs[0].options))) == ["dialog.pay.ask_bank"]
    outs = await zalo.send("970405")
    assert keys_of(outs) == ["dialog.pay.bank_confirm"] and "Agribank" in outs[0].text
    assert await zalo.keys("ko") == ["dialog.pay.ask_bank"]
    await zalo.send("Ngân hàng hoa hồng")
    assert await zalo.keys("không") == ["dialog.pay.ask_method"]  # another way to be paid


@pytest.mark.parametrize(
    "typed", ["Agribank Lạng Sơn", "agribank chi nhanh Loc Binh", "Ngân hàng Agribank CN Lạng Sơn"]
)
async def test_a_bank_named_with_its_branch_or_place(zalo: Chat, world: World, typed: str) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("1")
    outs = await zalo.send(typed)
    assert keys_of(outs) == ["dialog.pay.bank_confirm"] and "Agribank" in outs[0].text


@pytest.mark.parametrize("before", [[], ["agribank", "không"]])  # a bank refused first
async def test_no_bank_goes_back_to_the_methods(
    zalo: Chat, world: World, before: list[str]
) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("1")
    for text in before:
        await zalo.send(text)
    outs = await zalo.send("không có")
    assert keys_of(outs) == ["dialog.pay.ask_method"]
    assert "no_account" in outs[0].options


async def test_holder_name_that_differs_is_flagged(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("1")
    await zalo.send("Vietcombank")
    await zalo.send("1")
    await zalo.send("1234567890")
    outs = await zalo.send("Trần Văn Khác")
    assert keys_of(outs) == ["dialog.pay.holder_differs", "dialog.pay.summary_account"]
    await zalo.send("1")
    (choice,) = await _choices(world)
    assert choice.holder_name_matches is False and choice.holder == "other"


async def test_mobile_money(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    outs = await zalo.send("2")
    assert keys_of(outs) == ["dialog.pay.ask_wallet"]
    assert outs[0].options == ["VIETTEL_MONEY", "VNPT_MONEY", "MOBIFONE_MONEY"]
    assert await zalo.keys("viettel money") == ["dialog.pay.ask_account"]
    await zalo.send("0912345678")
    await zalo.send("Nông Văn Lâm")
    await zalo.send("1")
    (choice,) = await _choices(world)
    assert (choice.method, choice.provider_code) == ("mobile_money", "VIETTEL_MONEY")


async def test_cash_asks_why_and_explains_accounts(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    outs = await zalo.send("4")  # cash at the commune (no cash at home offered)
    assert keys_of(outs) == ["dialog.pay.ask_cash_reason"]
    assert "cash_home" not in (await zalo.conversation()).data.get("_offered", [])
    outs = await zalo.send("2")
    assert keys_of(outs) == ["dialog.pay.cash_benefits"]
    assert outs[0].options == ["keep_cash", "choose_account"]
    outs = await zalo.send("1")
    assert keys_of(outs) == ["dialog.pay.summary_cash"]
    await zalo.send("1")
    (choice,) = await _choices(world)
    assert (choice.method, choice.cash_reason, choice.account_enc) == ("cash_point", "no_atm", None)


async def test_cash_at_home_only_where_allowed_and_reviewed(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.thao)
    offered = [o["value"] for o in (await zalo.conversation()).data["_offered"]]
    assert offered == [
        "bank_account",
        "mobile_money",
        "social_security_account",
        "cash_point",
        "cash_home",
        "no_account",
    ]
    await zalo.send("5")
    outs = await zalo.send("1")  # ill, bedridden: no talk of ATMs
    assert keys_of(outs) == ["dialog.pay.cash_benefits_ill"]
    assert "ATM" not in outs[0].text and "mau khỏe" in outs[0].text
    await zalo.send("1")  # keep cash
    outs = await zalo.send("1")
    assert keys_of(outs) == ["dialog.pay.recorded", "dialog.pay.home_review", "dialog.menu"]
    assert (await _reviews(world))[-1].kind == "cash_home"


@pytest.mark.parametrize("channel", ["zalo", "sms"])
async def test_someone_ill_at_the_payment_point_hears_of_payment_at_home(
    channel: str, world: World, request: pytest.FixtureRequest
) -> None:
    chat: Chat = request.getfixturevalue(channel)
    await _at_method(chat, world.lam)
    await chat.send("4")  # cash at the commune: cash at home is not offered to this person
    outs = await chat.send("1")  # ill, bedridden
    assert keys_of(outs) == ["dialog.pay.cash_benefits_ill_home"]
    text = outs[0].text
    assert "ATM" not in text and ("tại nhà" in text or "tai nha" in text)
    if channel == "sms":
        assert len(text) <= 160 and text.isascii()


async def test_choosing_an_account_after_all(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("4")
    await zalo.send("1")
    assert await zalo.keys("2") == ["dialog.pay.ask_method"]


async def test_no_account_yet_puts_the_person_on_the_list(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    outs = await zalo.send("5")
    assert keys_of(outs) == ["dialog.pay.bank_consent"]
    outs = await zalo.send("1")
    assert keys_of(outs) == ["dialog.pay.opening_listed", "dialog.menu"]
    assert "Phường Đông Kinh" in outs[0].text
    review = (await _reviews(world))[-1]
    assert (review.kind, review.commune_id) == ("account_opening", world.home_id)
    async with world.db.sessions() as session:
        purposes = set((await session.scalars(select(Consent.purpose))).all())
    assert "bank_sharing" in purposes
    # asking again adds nothing to the officer's queue
    await zalo.send("1")
    await zalo.send("5")
    await zalo.send("1")
    assert [r.kind for r in await _reviews(world)].count("account_opening") == 1


async def test_no_account_yet_is_told_the_planned_session_and_status_says_so(
    sms: Chat, world: World
) -> None:
    chat = Chat(world, "tel:+84912000111", "sms")  # Lý Văn Sáu, known by his number
    await chat.send("xin chao")
    await chat.send("1")
    await chat.send("co")  # consent
    await chat.send("1")  # it is him writing
    await chat.send("5")  # no account yet
    await chat.send("1")  # the commune may give the bank his ID and phone
    assert await chat.keys("TT") == [
        "dialog.status.opening_waiting_state",
        "dialog.status.no_payment",
    ]
    async with world.db.sessions() as session, session.begin():
        planned = await create_session(
            session, commune_id=world.home_id, held_on=date(2026, 11, 20), start_time=time(8),
            end_time=time(11), place="UBND phường", documents="CCCD", actor="test",
            bank_code="AGRIBANK",
        )  # fmt: skip
    await identify_self(sms, world.lam)  # Nông Văn Lâm, the same commune
    await sms.send("5")
    outs = await sms.send("1")
    assert keys_of(outs) == ["dialog.pay.opening_session"]
    assert outs[0].text == (
        "Da ghi ten. Moi Ong/Ba mo tai khoan Agribank luc 08:00 ngay 20/11/2026 tai UBND phuong. "
        "Mang theo CCCD."
    )
    async with world.db.sessions() as session:
        attendee = (await session.scalars(select(SessionAttendee))).one()
    assert (attendee.session_id, attendee.beneficiary_id) == (planned.id, world.lam.id)
    assert attendee.source == "review" and attendee.invited_at is not None  # told: invited
    assert attendee.review_item_id == (await _reviews(world))[-1].id
    outs = await sms.send("TT")
    assert keys_of(outs)[0] == "dialog.status.opening_session_state"
    assert "08:00 ngay 20/11/2026 tai UBND phuong" in outs[0].text


async def test_no_account_without_bank_sharing_consent(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("5")
    assert await zalo.keys("2") == ["dialog.pay.opening_declined", "dialog.menu"]
    assert [r.kind for r in await _reviews(world)] == []


async def test_summary_refused_records_nothing(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    await zalo.send("4")
    await zalo.send("4")
    await zalo.send("1")
    assert await zalo.keys("2") == ["dialog.pay.cancelled", "dialog.menu"]
    assert await _choices(world) == []


async def test_by_sms_the_source_is_sms_and_replies_fit_one_sms(sms: Chat, world: World) -> None:
    await _at_method(sms, world.lam)
    for text in ["3", "1234567890", "Nong Van Lam"]:
        await sms.send(text)
    outs = await sms.send("1")
    assert keys_of(outs) == ["dialog.pay.recorded"]
    (choice,) = await _choices(world)
    assert (choice.method, choice.source) == ("social_security_account", "sms")
    for out in sms.sent:
        assert out.rendered.encoding == "GSM-7", out.text
        if not out.params.get("_choices"):
            assert out.rendered.segments == 1, out.text


async def test_outbox_never_holds_a_clear_number(zalo: Chat, world: World) -> None:
    await _at_method(zalo, world.lam)
    for text in ["1", "BIDV", "1", "9876543210123", "Nông Văn Lâm", "1"]:
        await zalo.send(text)
    async with world.db.sessions() as session:
        params = [str(p) for p in (await session.scalars(select(OutboxMessage.params))).all()]
    assert not any("9876543210123" in p or world.lam.cccd in p for p in params)


async def test_a_choice_made_by_a_proxy_is_told_to_the_beneficiary_on_their_phone(
    zalo: Chat, world: World
) -> None:
    await identify_as_proxy(zalo, world.sau)
    await verify_phone(zalo, "0987654321")
    await zalo.send("4")  # cash at the commune
    await zalo.send("3")  # reason
    await zalo.send("1")  # keep cash
    outs = await zalo.send("1")
    assert keys_of(outs)[0] == "dialog.pay.recorded"
    (choice,) = await _choices(world)
    (notice,) = [o for o in zalo.sent if o.key == "notice.method_confirmed"]
    assert notice.row.address == "tel:+84912000111"  # the beneficiary's own phone
    assert notice.row.person_id == world.sau.person_id and notice.row.message_class == "notice"
    assert notice.params == {"method": "method.cash_point", "code": choice.confirmation_code}
    assert choice.confirmation_code in notice.text


async def test_a_session_over_earlier_today_is_not_offered(zalo: Chat, world: World) -> None:
    async with world.db.sessions() as session, session.begin():
        for day, start, end in ((10, 7, 8), (20, 14, 16)):  # 10/11 07:00-08:00 is over at 09:00
            await create_session(
                session, commune_id=world.home_id, held_on=date(2026, 11, day),
                start_time=time(start), end_time=time(end), place="UBND phường",
                documents="CCCD", actor="test", bank_code="AGRIBANK",
            )  # fmt: skip
    await _at_method(zalo, world.lam)  # 09:00 in Lạng Sơn on 10/11
    await zalo.send("5")
    outs = await zalo.send("1")
    assert keys_of(outs)[0] == "dialog.pay.opening_session"
    assert "14:00" in outs[0].text and "20/11/2026" in outs[0].text
