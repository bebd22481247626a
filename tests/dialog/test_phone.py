"""The phone: any common form, Telegram's share button, an SMS code with 3 tries in 5 minutes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.conversations.tables import VerificationCode
from models.people.tables import ContactAddress
from models.requests.tables import ReviewItem
from tests.dialog.conftest import (
    Chat,
    World,
    identify_as_proxy,
    identify_self,
    keys_of,
    verify_phone,
)


async def test_code_is_sent_by_sms_and_stored_hashed(telegram: Chat, world: World) -> None:
    outs = await identify_self(telegram, world.lam)
    ask = outs[-1]
    assert ask.key == "dialog.phone.ask" and ask.rendered.request_contact
    assert [c.value for c in ask.rendered.choices] == ["share_contact"]
    outs = await telegram.send("0912.345.678")
    assert keys_of(outs) == ["dialog.phone.ask_code"]
    assert "091****678" in outs[0].text and "5" in outs[0].text
    code = next(o for o in telegram.sent if o.key == "notice.verification_code")
    assert code.row.address == "tel:+84912345678" and code.row.message_class == "reply"
    assert code.row.channel == "sms" and code.row.expires_at is not None
    assert code.params["minutes"] == 5 and len(code.params["code"]) == 6
    async with world.db.sessions() as session:
        stored = (await session.scalars(select(VerificationCode))).one()
    assert stored.code_hash != code.params["code"] and len(stored.code_hash) == 64
    outs = await telegram.send(f" {code.params['code'][:3]} {code.params['code'][3:]} ")
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.pay.ask_method"]
    async with world.db.sessions() as session:
        contact = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == "tel:+84912345678")
        )
    assert contact is not None and contact.verified_at is not None
    assert contact.person_id == world.lam.person_id


async def test_telegram_share_button(telegram: Chat, world: World) -> None:
    await identify_self(telegram, world.lam)
    assert await telegram.keys(phone="+84912345678") == ["dialog.phone.ask_code"]


async def test_old_eleven_digit_number_is_converted_after_asking(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    outs = await zalo.send("01662 345 678")
    assert keys_of(outs) == ["id.phone.old_format"]
    assert "0362345678" in outs[0].text and outs[0].options == ["yes", "no"]
    assert await zalo.keys("Co") == ["dialog.phone.ask_code"]
    assert zalo.sent[-1].row.address == "tel:+84362345678"


async def test_old_number_refused_asks_again(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await zalo.send("01662345678")
    assert await zalo.keys("khong") == ["dialog.phone.ask"]


async def test_bad_numbers(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    assert await zalo.keys("02053812345") == ["id.phone.not_mobile"]
    assert await zalo.keys("+1 202 555 0143") == ["id.phone.foreign"]
    outs = await zalo.send("abcdef")
    assert keys_of(outs) == ["id.phone.invalid", "dialog.call_commune", "dialog.menu"]


async def test_wrong_code_three_times_then_a_new_code(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await zalo.send("0912345678")
    first = zalo.last_code()
    wrong = "000000" if first != "000000" else "111111"
    assert await zalo.keys(wrong) == ["dialog.phone.code_wrong"]
    outs = await zalo.send(wrong)
    assert keys_of(outs) == ["dialog.phone.code_wrong"] and "1" in outs[0].text
    outs = await zalo.send(wrong)
    assert keys_of(outs) == ["dialog.phone.code_locked"] and outs[0].options == ["resend", "other"]
    assert await zalo.keys(first) == ["dialog.phone.code_locked"]  # the right code no longer works
    assert await zalo.keys("1") == ["dialog.phone.ask_code"]
    assert zalo.last_code() != first or True
    outs = await zalo.send(zalo.last_code())
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.pay.ask_method"]


async def test_code_expires_after_five_minutes(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await zalo.send("0912345678")
    outs = await zalo.send(zalo.last_code(), after=timedelta(minutes=5, seconds=1))
    assert keys_of(outs) == ["dialog.phone.code_expired"]
    assert await zalo.keys("2") == ["dialog.phone.ask"]  # another number


async def test_code_format(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await zalo.send("0912345678")
    assert await zalo.keys("12345") == ["dialog.phone.code_format"]
    assert await zalo.keys("abc") == ["dialog.phone.code_format"]


async def test_codes_are_rate_limited(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    for _ in range(3):
        assert await zalo.keys("0912345678") == ["dialog.phone.ask_code"]
        await zalo.send("0")  # back to the number
    assert await zalo.keys("0912345678") == ["dialog.phone.too_many"]
    assert await zalo.keys("0987654321") == ["dialog.phone.too_many"]  # per address too
    later = await zalo.keys("0912345678", after=timedelta(minutes=16))
    assert later == ["dialog.phone.ask_code"]


async def test_sms_needs_no_code_for_its_own_number(sms: Chat, world: World) -> None:
    outs = await identify_self(sms, world.lam)
    assert keys_of(outs) == ["dialog.identify.found", "dialog.pay.ask_method"]
    async with world.db.sessions() as session:
        contact = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == sms.address)
        )
    assert contact is not None and contact.verified_at is not None


async def _with_a_proven_phone(zalo: Chat, world: World) -> None:
    """Nông Văn Lâm identifies himself on Zalo and proves 0912 345 678."""
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)


async def test_the_chat_where_a_phone_was_proven_goes_straight_on(zalo: Chat, world: World) -> None:
    await _with_a_proven_phone(zalo, world)
    await zalo.send("MENU")
    assert await zalo.keys("DK") == ["dialog.pay.ask_method"]


async def test_a_new_chat_proves_the_phone_on_record_before_a_method_is_chosen(
    zalo: Chat, telegram: Chat, world: World
) -> None:
    await _with_a_proven_phone(zalo, world)
    outs = await identify_self(telegram, world.lam)  # anyone who knows his CCCD and birth date
    assert keys_of(outs) == ["dialog.identify.found", "dialog.phone.ask_owner_code"]
    assert "091****678" in outs[-1].text and outs[-1].options == ["resend", "other"]
    code = next(o for o in telegram.sent if o.key == "notice.verification_code")
    assert code.row.address == "tel:+84912345678"  # to his phone, not to the chat
    # no way round it: leave, and ask to choose again
    await telegram.send("MENU")
    assert keys_of(await telegram.send("DK")) == ["dialog.phone.ask_owner_code"]
    outs = await telegram.send(telegram.last_code())
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.pay.ask_method"]
    await telegram.send("MENU")  # the chat is his now
    assert await telegram.keys("DK") == ["dialog.pay.ask_method"]


async def test_someone_without_the_phone_on_record_proves_another_and_is_flagged(
    zalo: Chat, telegram: Chat, world: World
) -> None:
    await _with_a_proven_phone(zalo, world)
    await identify_self(telegram, world.lam)
    assert await telegram.keys("2") == ["dialog.phone.ask"]  # "another number"
    outs = await verify_phone(telegram, "0987654321")
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.pay.ask_method"]
    await telegram.send("4")  # cash at the commune payment point
    await telegram.send("2")  # why: no ATM near
    await telegram.send("1")  # keep cash
    assert await telegram.keys("1") == ["dialog.pay.recorded", "dialog.menu"]
    async with world.db.sessions() as session:
        review = (await session.scalars(select(ReviewItem))).one()
        new = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == "tel:+84987654321")
        )
        chat = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == telegram.address)
        )
    assert review.payload["phone_on_record_unproven"] is True  # the officer checks it
    assert new is None  # not kept as his: it would prove him next time
    assert chat is not None and chat.verified_at is None
    await telegram.send("MENU")  # and the next choice asks the phone on record again
    assert keys_of(await telegram.send("DK")) == ["dialog.phone.ask_owner_code"]


async def test_an_sms_from_another_number_proves_the_phone_on_record(
    zalo: Chat, sms: Chat, world: World
) -> None:
    await _with_a_proven_phone(zalo, world)
    outs = await identify_self(sms, world.lam)  # from 0987 000 222
    assert keys_of(outs) == ["dialog.identify.found", "dialog.phone.ask_owner_code"]
    async with world.db.sessions() as session:
        sender = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == sms.address)
        )
    assert sender is not None and sender.verified_at is None


async def test_a_number_typed_after_too_many_codes_to_the_phone_on_record_is_not_his(
    zalo: Chat, telegram: Chat, world: World
) -> None:
    await _with_a_proven_phone(zalo, world)
    await identify_self(telegram, world.lam)  # a second code to 0912 345 678
    await telegram.send("1")  # a third
    assert await telegram.keys("1") == ["dialog.phone.too_many"]
    later = timedelta(minutes=16)
    outs = await telegram.send("0987654321", after=later)  # the number asked: another one
    assert keys_of(outs) == ["dialog.phone.ask_code"] and "ho so" not in outs[0].text.lower()
    outs = await telegram.send(telegram.last_code())
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.pay.ask_method"]
    assert (await telegram.conversation()).data.get("owner_unproven") is True  # flagged
    async with world.db.sessions() as session:
        kept = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == "tel:+84987654321")
        )
    assert kept is None


async def test_a_phone_on_the_officers_list_is_the_one_proven(zalo: Chat, world: World) -> None:
    outs = await identify_self(zalo, world.sau)  # his number 0912 000 111 is on the list
    assert keys_of(outs) == ["dialog.identify.found", "dialog.phone.ask_owner_code"]
    code = next(o for o in zalo.sent if o.key == "notice.verification_code")
    assert code.row.address == "tel:+84912000111"
    outs = await zalo.send(zalo.last_code())
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.pay.ask_method"]


async def test_a_proxy_choosing_before_the_paper_is_checked_is_flagged(
    zalo: Chat, world: World
) -> None:
    await identify_as_proxy(zalo, world.lam)
    await verify_phone(zalo, "0987654321")  # the proxy's own phone
    await zalo.send("4")  # cash at the commune payment point
    await zalo.send("2")
    await zalo.send("1")
    await zalo.send("1")
    async with world.db.sessions() as session:
        review = (
            await session.scalars(select(ReviewItem).where(ReviewItem.kind == "method_change"))
        ).one()
    assert review.payload["proxy_paper_unchecked"] is True
    assert review.payload["phone_on_record_unproven"] is False
