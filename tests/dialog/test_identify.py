"""Identifying the beneficiary: CCCD + birth date, found and linked, or a registration request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.conversations.tables import Conversation, IdentificationFailure
from models.people.tables import Consent, ContactAddress, Person
from models.requests.tables import RegistrationRequest, ReviewItem
from tests.dialog.conftest import Chat, World, identify_self, keys_of, verify_phone


async def _at_cccd(chat: Chat) -> None:
    await chat.send("hi")
    await chat.send("1")
    await chat.send("1")
    await chat.send("1")


async def test_beneficiary_is_found_linked_and_consent_recorded(zalo: Chat, world: World) -> None:
    outs = await identify_self(zalo, world.lam)
    assert keys_of(outs) == ["dialog.identify.found", "dialog.phone.ask"]
    assert "Nông V. L." in outs[0].text and "Lâm" not in outs[0].text
    conversation = await zalo.conversation()
    assert conversation.person_id == world.lam.person_id
    assert conversation.acting_for_beneficiary_id == world.lam.id
    assert not any(key.endswith("_enc") for key in conversation.data)
    async with world.db.sessions() as session:
        consents = (await session.scalars(select(Consent).order_by(Consent.purpose))).all()
        contact = await session.scalar(
            select(ContactAddress).where(ContactAddress.address == zalo.address)
        )
    assert [c.purpose for c in consents] == ["messaging", "processing"]
    assert {(c.notice_version, c.channel, c.given_by_person_id) for c in consents} == {
        ("2026-01", "zalo", world.lam.person_id)
    }
    assert consents[0].given_at < conversation.updated_at  # when "yes" was said, not later
    assert contact is not None and contact.person_id == world.lam.person_id


async def test_the_language_chosen_becomes_the_persons_once_identified(
    zalo: Chat, world: World
) -> None:
    outs = await identify_self(zalo, world.lam, language="2")
    assert {out.row.locale for out in outs} == {"en"}
    assert outs[-1].text.startswith("Please send a mobile number")
    async with world.db.sessions() as session:
        person = await session.get(Person, world.lam.person_id)
    assert person is not None and person.locale == "en"  # notices follow the choice too


@pytest.mark.parametrize("typed", ["5 tháng 3 năm 1950", "ngày 05/03/1950", "March 5, 1950"])
async def test_birth_date_written_in_words(zalo: Chat, world: World, typed: str) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    assert await zalo.keys(typed) == ["dialog.identify.found", "dialog.phone.ask"]


@pytest.mark.parametrize(
    "typed", ["020 050 001 234", "020.050.001.234", "０２００５０００１２３４"]
)
async def test_cccd_written_in_common_ways(zalo: Chat, world: World, typed: str) -> None:
    await _at_cccd(zalo)
    assert await zalo.keys(typed) == ["dialog.identify.ask_birth"]
    assert await zalo.keys("5/3/1950") == ["dialog.identify.found", "dialog.phone.ask"]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("12345", "id.cccd.length"),
        ("abc", "id.cccd.not_digits"),
        ("😀😀", "id.cccd.not_digits"),
        ("021234589", "id.cccd.cmnd_given"),
        ("099050001234", "id.cccd.province"),
        ("020950001234", "id.cccd.century"),
        ("x" * 5000, "id.cccd.not_digits"),
    ],
)
async def test_wrong_cccd_is_explained_and_asked_again(
    zalo: Chat, typed: str, problem: str
) -> None:
    await _at_cccd(zalo)
    outs = await zalo.send(typed)
    assert keys_of(outs) == [problem]
    assert "{" not in outs[0].text


async def test_three_wrong_cccds_suggest_calling_the_commune(zalo: Chat) -> None:
    await _at_cccd(zalo)
    await zalo.send("123")
    await zalo.send("456")
    outs = await zalo.send("789")
    assert keys_of(outs) == ["id.cccd.length", "dialog.call_commune", "dialog.menu"]
    assert (await zalo.conversation()).flow == "menu"


async def test_birth_year_that_disagrees_with_the_cccd_is_questioned(
    zalo: Chat, world: World
) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    outs = await zalo.send("05/03/1951")
    assert keys_of(outs) == ["dialog.identify.year_differs"]
    assert "1950" in outs[0].text and outs[0].options == ["keep", "retype"]
    assert await zalo.keys("2") == ["dialog.identify.ask_birth"]
    assert await zalo.keys("05-03-1950") == ["dialog.identify.found", "dialog.phone.ask"]


@pytest.mark.parametrize(
    "typed",
    ["31/02/1950", "hôm qua", "01/01/2090", "2090", "1899", "0000", "sinh năm 0000", "tháng 3"],
)
async def test_unreadable_or_impossible_birth_dates(zalo: Chat, world: World, typed: str) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    outs = await zalo.send(typed)
    assert keys_of(outs) == ["dialog.identify.bad_birth"]
    assert "1950" in outs[0].text  # the forms that will do, the year alone among them
    assert (await zalo.conversation()).step == "birth"


async def test_birth_date_that_disagrees_with_the_record(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    for attempt in range(3):
        await zalo.send(world.lam.cccd)
        outs = await zalo.send("06/03/1950")
        if attempt < 2:
            assert keys_of(outs) == ["dialog.identify.no_match", "dialog.identify.ask_cccd_self"]
    assert keys_of(outs) == ["dialog.identify.no_match", "dialog.call_commune", "dialog.menu"]
    assert (await zalo.conversation()).person_id is None


async def test_guessing_the_birth_date_from_conversation_after_conversation_is_stopped(
    zalo: Chat, telegram: Chat, world: World
) -> None:
    for guess in range(3):  # three wrong dates: the commune office is suggested
        if guess == 0:
            await _at_cccd(zalo)
        await zalo.send(world.lam.cccd)
        await zalo.send(f"0{guess + 1}/01/1950")
    await _at_cccd(telegram)  # and the guessing goes on from another chat
    for guess in range(2):
        await telegram.send(world.lam.cccd)
        await telegram.send(f"0{guess + 4}/01/1950")
    await telegram.send(world.lam.cccd)
    outs = await telegram.send(world.lam.birth)  # the right date, after five wrong ones today
    assert keys_of(outs) == ["dialog.identify.locked", "dialog.menu"]
    assert (await telegram.conversation()).person_id is None
    assert not any(key.endswith("_enc") for key in (await telegram.conversation()).data)
    async with world.db.sessions() as session:
        failures = (await session.scalars(select(IdentificationFailure))).all()
    assert {f.person_id for f in failures} == {world.lam.person_id} and len(failures) == 5
    assert {f.address for f in failures} == {zalo.address, telegram.address}
    # a day later the right details are taken again
    await telegram.send(world.lam.cccd, after=timedelta(days=1, minutes=1))
    await telegram.send("1")  # the conversation expired meanwhile: language, consent, role
    await telegram.send("1")
    await telegram.send("1")
    await telegram.send(world.lam.cccd)
    assert (await telegram.keys(world.lam.birth))[0] == "dialog.identify.found"


async def test_a_record_with_only_a_birth_year(zalo: Chat, world: World) -> None:
    outs = await identify_self(zalo, world.sau)  # types "1938": all the papers say
    assert world.sau.birth == "1938"
    assert keys_of(outs)[0] == "dialog.identify.found"


@pytest.mark.parametrize("typed", ["năm 1938", "12/08/1938"])
async def test_a_record_with_only_a_year_takes_the_year_in_words_or_a_whole_date(
    zalo: Chat, world: World, typed: str
) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.sau.cccd)
    assert (await zalo.keys(typed))[0] == "dialog.identify.found"


async def test_the_year_alone_for_a_record_with_the_whole_date(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    assert "1950" in (await zalo.send(world.lam.cccd))[0].text  # "... or the year, e.g. 1950"
    outs = await zalo.send("1950")
    assert keys_of(outs) == ["dialog.identify.full_date_needed"]
    assert "05/03/1950" in outs[0].text and "chỉ ghi năm" not in outs[0].text
    assert await zalo.keys("5/3/1950") == ["dialog.identify.found", "dialog.phone.ask"]


async def test_the_year_alone_twice_for_a_record_with_the_whole_date(
    zalo: Chat, world: World
) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    assert await zalo.keys("sinh năm 1950") == ["dialog.identify.full_date_needed"]
    outs = await zalo.send("1950")  # does not know the day: the card or the commune office
    assert keys_of(outs) == ["dialog.identify.full_date_unknown", "dialog.menu"]
    assert "UBND" in outs[0].text
    conversation = await zalo.conversation()
    assert conversation.flow == "menu" and "full_date_asked" not in conversation.data
    assert not any(key.endswith("_enc") for key in conversation.data)
    async with world.db.sessions() as session:
        assert len((await session.scalars(select(IdentificationFailure))).all()) == 1


async def test_after_the_date_was_asked_an_unreadable_one_is_not_told_the_year_will_do(
    zalo: Chat, world: World
) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    await zalo.send("1950")
    assert await zalo.keys("hôm qua") == ["id.date.invalid"]


async def test_the_year_alone_asks_the_date_whether_the_year_is_right_or_not(
    zalo: Chat, world: World
) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    await zalo.keys("1951")  # the CCCD says 1950: kept anyway
    assert await zalo.keys("1") == ["dialog.identify.full_date_needed"]  # nothing told


async def test_another_cccd_after_back_starts_its_details_afresh(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd)
    assert await zalo.keys("1950") == ["dialog.identify.full_date_needed"]
    assert await zalo.keys("0") == ["dialog.identify.ask_cccd_self"]  # back
    await zalo.send(world.sau.cccd)  # a record with the year only: the year alone will do
    assert (await zalo.keys(world.sau.birth))[0] == "dialog.identify.found"


async def test_a_wrong_year_alone_is_a_mismatch(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.sau.cccd)
    assert await zalo.keys("1939") == ["dialog.identify.year_differs"]
    outs = await zalo.send("1")  # keep it
    assert keys_of(outs) == ["dialog.identify.no_match", "dialog.identify.ask_cccd_self"]


async def test_a_registration_with_only_a_birth_year(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send("020060009999")
    assert await zalo.keys("1960") == ["dialog.identify.not_found"]
    await zalo.send("2")  # send a registration request
    await zalo.send("Trần Văn Mới")
    await zalo.send("Na Sầm")
    await zalo.send("1")  # no village
    await zalo.send("1")  # social assistance
    outs = await verify_phone(zalo)
    assert "dialog.register.received" in keys_of(outs)
    async with world.db.sessions() as session:
        request = (await session.scalars(select(RegistrationRequest))).one()
    assert (request.birth_date, request.birth_year) == (None, 1960)


async def test_a_mistyped_cccd_can_be_typed_again(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send(world.lam.cccd[:-1] + ("0" if world.lam.cccd[-1] != "0" else "1"))
    assert await zalo.keys(world.lam.birth) == ["dialog.identify.not_found"]
    assert await zalo.keys("1") == ["dialog.identify.ask_cccd_self"]  # type it again
    await zalo.send(world.lam.cccd)
    outs = await zalo.send(world.lam.birth)
    assert keys_of(outs) == ["dialog.identify.found", "dialog.phone.ask"]


async def test_the_right_cccd_typed_at_once_after_not_found(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send("020060009999")
    assert await zalo.keys("10/10/1960") == ["dialog.identify.not_found"]
    assert await zalo.keys(world.lam.cccd) == ["dialog.identify.ask_birth"]  # no "1" first
    outs = await zalo.send(world.lam.birth)
    assert keys_of(outs) == ["dialog.identify.found", "dialog.phone.ask"]


async def test_back_after_typing_again_does_not_reach_the_number_let_go(zalo: Chat) -> None:
    await _at_cccd(zalo)
    await zalo.send("020060009999")
    await zalo.send("10/10/1960")
    assert await zalo.keys("1") == ["dialog.identify.ask_cccd_self"]
    outs = await zalo.send("0")  # BACK: not to the birth date of the number let go
    assert "dialog.identify.ask_birth" not in keys_of(outs)
    assert "dialog.error" not in keys_of(outs)


async def test_typing_an_unknown_cccd_again_and_again_suggests_the_commune_office(
    zalo: Chat,
) -> None:
    await _at_cccd(zalo)
    for attempt in range(3):
        await zalo.send("020060009999")
        assert await zalo.keys("10/10/1960") == ["dialog.identify.not_found"]
        outs = await zalo.send("1")
        if attempt < 2:
            assert keys_of(outs) == ["dialog.identify.ask_cccd_self"]
    assert keys_of(outs) == ["dialog.call_commune", "dialog.menu"]
    assert not any(key.endswith("_enc") for key in (await zalo.conversation()).data)


async def test_not_found_becomes_a_registration_request(zalo: Chat, world: World) -> None:
    await _at_cccd(zalo)
    await zalo.send("020060009999")
    outs = await zalo.send("10/10/1960")
    assert keys_of(outs) == ["dialog.identify.not_found"]
    assert outs[0].options == ["retype", "send_registration"]
    assert "020******999" in outs[0].text and "020060009999" not in outs[0].text
    assert await zalo.keys("2") == ["dialog.register.ask_name"]
    assert await zalo.keys("Trần Văn Mới") == ["dialog.register.ask_commune"]
    outs = await zalo.send("hoang van thu")  # several communes, old and new, bear this name
    assert keys_of(outs) == ["dialog.commune.pick"]
    assert "Phường Hoàng Văn Thụ, Thành phố Lạng Sơn -> Phường Kỳ Lừa" in outs[0].text
    assert outs[0].options[-1] == "none"
    assert await zalo.keys("2") == ["dialog.register.ask_village"]
    assert await zalo.keys("Khối 5") == [
        "dialog.register.ask_category_self"
    ]  # "you", not "that person"
    assert await zalo.keys("1") == ["dialog.phone.ask"]
    outs = await verify_phone(zalo)
    assert keys_of(outs) == ["dialog.phone.verified", "dialog.register.received", "dialog.menu"]
    async with world.db.sessions() as session:
        request = (await session.scalars(select(RegistrationRequest))).one()
        review = (await session.scalars(select(ReviewItem))).one()
        conversation = (await session.scalars(select(Conversation))).one()
    assert (request.full_name, request.cccd_masked, request.phone) == (
        "Trần Văn Mới",
        "020******999",
        "+84912345678",
    )
    assert request.cccd_enc and world.protector.decrypt(request.cccd_enc) == "020060009999"
    assert request.village == "Khối 5" and request.category_guess == "BTXH"
    assert request.consent_version == "2026-01" and request.commune_id is not None
    assert (review.kind, review.registration_request_id) == ("registration", request.id)
    assert "020060009999" not in str(review.payload)
    assert conversation.data["registration_id"] == request.id
    assert f"DK{request.id}" in outs[1].text
    assert await zalo.keys("TT") == ["dialog.status.registration", "dialog.menu"]
    # the reference sent back asks the same
    assert await zalo.keys(f"DK{request.id}") == ["dialog.status.registration", "dialog.menu"]
    assert "dialog.status.registration" not in await zalo.keys(f"DK{request.id + 1}")


async def test_registration_by_sms_needs_no_code(sms: Chat) -> None:
    await _at_cccd(sms)
    await sms.send("020060009999")
    await sms.send("10/10/1960")
    await sms.send("2")  # not found: send a registration request
    await sms.send("Tran Van Moi")
    assert await sms.keys("Na Sam") == ["dialog.register.ask_village"]  # one commune: no question
    await sms.send("1")  # skip
    assert await sms.keys("3") == ["dialog.register.received"]  # SMS: no menu after it
    assert not [o for o in sms.sent if o.key == "notice.verification_code"]


async def test_commune_not_found_is_asked_again(zalo: Chat) -> None:
    await _at_cccd(zalo)
    await zalo.send("020060009999")
    await zalo.send("10/10/1960")
    await zalo.send("2")
    await zalo.send("Trần Văn Mới")
    assert await zalo.keys("qqqqzzzz") == ["dialog.commune.unknown"]
    assert await zalo.keys("Tam Thanh") == ["dialog.register.ask_village"]
