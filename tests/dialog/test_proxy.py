"""Proxies: a family member or guardian acting for one or several beneficiaries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.db import transaction
from models.people.consents import give_consent
from models.people.representations import request_representation, verify_representation
from models.people.service import add_contact_address, create_person
from models.people.tables import Consent, Person, Representation
from models.requests.tables import ReviewItem
from models.vocab import ConsentPurpose, RepresentationKind
from tests.dialog.conftest import Chat, Someone, World, keys_of, start_as_proxy, verify_phone

PROXY_CCCD = "020090004321"  # a man born in 1990


async def _proxy_identifies(chat: Chat, someone: Someone, name: str) -> list[str]:
    assert await chat.keys("1") == ["dialog.identify.ask_cccd"]  # relationship: child
    await chat.send(someone.cccd)
    assert await chat.keys(someone.birth) == ["dialog.identify.ask_name"]
    return await chat.keys(name)


async def test_proxy_acts_for_two_beneficiaries(zalo: Chat, world: World) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("co")
    assert await zalo.keys("2") == ["dialog.proxy.ask_name"]  # authorized family member
    assert await zalo.keys("Nông Văn Bình") == ["dialog.proxy.ask_cccd"]
    outs = await zalo.send(PROXY_CCCD)
    assert keys_of(outs) == ["dialog.proxy.ask_relationship"]
    assert outs[0].options == ["child", "spouse", "grandchild", "sibling", "other"]
    # the name without accents and in capitals still matches "Nông Văn Lâm"
    found = await _proxy_identifies(zalo, world.lam, "NONG VAN LAM")
    assert found == ["dialog.identify.found", "dialog.proxy.pending", "dialog.phone.ask"]
    await verify_phone(zalo)
    # a second beneficiary
    assert await zalo.keys("MENU") == ["dialog.menu"]
    outs = await zalo.send("6")  # act for someone else
    assert keys_of(outs) == ["dialog.proxy.pick"]
    assert outs[0].options == [f"b{world.lam.id}", "new"]
    assert "Nông V. L. (1950)" in outs[0].text and "Lâm" not in outs[0].text
    assert await zalo.keys("2") == ["dialog.proxy.ask_relationship"]
    found = await _proxy_identifies(zalo, world.thao, "Hoang Thi Phuong Thao")
    assert found == ["dialog.identify.found", "dialog.proxy.pending", "dialog.pay.ask_method"]
    # choose between them
    await zalo.send("MENU")
    outs = await zalo.send("6")
    assert outs[0].options == [f"b{world.lam.id}", f"b{world.thao.id}", "new"]
    assert await zalo.keys("1") == ["dialog.proxy.acting_for", "dialog.menu"]
    conversation = await zalo.conversation()
    assert conversation.acting_for_beneficiary_id == world.lam.id
    # days later the proxy chooses again whom they act for, then gets what was asked
    outs = await zalo.send("TT", after=timedelta(days=3, minutes=1))
    assert keys_of(outs) == ["dialog.proxy.pick"]
    outs = await zalo.send("2")
    assert keys_of(outs)[:3] == [
        "dialog.proxy.acting_for",
        "dialog.status.whose",  # a proxy of two is told whose record follows
        "dialog.status.no_method_state",
    ]
    assert outs[1].text == "Hồ sơ của Hoàng T. P. T.:"
    assert "chờ kiểm tra giấy ủy quyền" in outs[2].text
    # asked again, whose record it is still comes first
    assert (await zalo.keys("TT"))[:2] == ["dialog.status.whose", "dialog.status.no_method_state"]
    # the same proxy on Telegram is not known there: Zalo's address is theirs only
    assert (await zalo.conversation()).acting_for_beneficiary_id == world.thao.id
    async with world.db.sessions() as session:
        proxy = (
            await session.scalars(select(Person).where(Person.id == conversation.person_id))
        ).one()
        representations = (await session.scalars(select(Representation))).all()
        reviews = (await session.scalars(select(ReviewItem))).all()
        consents = (await session.scalars(select(Consent))).all()
    assert (proxy.full_name, proxy.cccd_masked, proxy.birth_year) == (
        "Nông Văn Bình",
        "020******321",
        1990,
    )
    assert {(r.beneficiary_id, r.status, r.kind, r.relationship_to) for r in representations} == {
        (world.lam.id, "pending", "authorized", "child"),
        (world.thao.id, "pending", "authorized", "child"),
    }
    assert sorted(r.kind for r in reviews) == ["proxy", "proxy"]
    # consent for the beneficiaries given by the proxy; the proxy's own by themselves
    given = {(c.person_id, c.given_by_person_id) for c in consents}
    assert (world.lam.person_id, proxy.id) in given and (world.thao.person_id, proxy.id) in given
    assert (proxy.id, proxy.id) in given


async def test_a_proxy_who_knows_only_the_year_is_asked_the_date_not_the_name_again(
    zalo: Chat, world: World
) -> None:
    await start_as_proxy(zalo)
    assert await zalo.keys("1") == ["dialog.identify.ask_cccd"]  # relationship: child
    await zalo.send(world.lam.cccd)
    assert await zalo.keys("1950") == ["dialog.identify.ask_name"]
    assert await zalo.keys("Nông Văn Lâm") == ["dialog.identify.full_date_needed"]
    found = await zalo.keys(world.lam.birth)
    assert found == ["dialog.identify.found", "dialog.proxy.pending", "dialog.phone.ask"]


async def test_the_year_alone_tells_a_proxy_nothing_of_the_name_given(
    zalo: Chat, world: World
) -> None:
    await start_as_proxy(zalo)
    await zalo.send("1")  # child
    await zalo.send(world.lam.cccd)
    await zalo.send("1950")
    assert await zalo.keys("Người Khác Hẳn") == ["dialog.identify.full_date_needed"]
    assert await zalo.keys(world.lam.birth) == [
        "dialog.identify.no_match",
        "dialog.identify.ask_cccd",
    ]


async def test_a_proxy_typing_another_cccd_after_back_is_asked_the_name_again(
    zalo: Chat, world: World
) -> None:
    await start_as_proxy(zalo)
    await zalo.send("1")  # child
    await zalo.send("020060009999")  # nobody's
    await zalo.send("10/10/1960")
    assert await zalo.keys("Trần Văn Mới") == ["dialog.identify.not_found"]
    for _ in range(3):
        await zalo.send("0")  # back to the number
    assert (await zalo.conversation()).step == "cccd"
    await zalo.send(world.thao.cccd)
    assert await zalo.keys(world.thao.birth) == ["dialog.identify.ask_name"]


async def test_guardian_with_wrong_beneficiary_name(zalo: Chat, world: World) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("1")
    await zalo.send("3")  # legal guardian
    await zalo.send("Hoàng Văn Giám")
    await zalo.send(PROXY_CCCD)
    keys = await _proxy_identifies(zalo, world.lam, "Trần Thị Khác")
    assert keys == ["dialog.identify.no_match", "dialog.identify.ask_cccd"]


async def test_proxy_whose_cccd_belongs_to_someone_else(zalo: Chat, world: World) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("1")
    await zalo.send("2")
    await zalo.send("Nông Văn Bình")
    outs = await zalo.send(world.thao.cccd)  # the mother's number, typed as the proxy's own
    assert keys_of(outs) == ["dialog.proxy.cccd_not_theirs"]
    assert "của chính Ông/Bà" in outs[0].text and "ngày sinh" not in outs[0].text
    assert await zalo.keys("not a name 123") == ["id.cccd.not_digits"]
    assert await zalo.keys(PROXY_CCCD) == ["dialog.proxy.ask_relationship"]


async def test_proxy_name_must_be_a_name(zalo: Chat) -> None:
    await zalo.send("hi")
    await zalo.send("1")
    await zalo.send("1")
    await zalo.send("2")
    assert await zalo.keys("12345") == ["dialog.name.invalid"]
    assert await zalo.keys("😀") == ["dialog.name.invalid"]
    third = await zalo.keys("x" * 5000)
    assert third == ["dialog.name.invalid", "dialog.call_commune", "dialog.menu"]


async def test_a_known_proxy_writing_from_a_new_address_chooses_first(world: World) -> None:
    async with world.db.sessions() as session, session.begin():
        proxy = await create_person(
            session, protector=world.protector, full_name="Nông Văn Bình", cccd=PROXY_CCCD
        )
        for someone in (world.lam, world.thao):
            await request_representation(
                session,
                beneficiary_id=someone.id,
                proxy_person_id=proxy.id,
                kind=RepresentationKind.AUTHORIZED,
                actor="officer",
            )
        await give_consent(
            session,
            person_id=proxy.id,
            purpose=ConsentPurpose.PROCESSING,
            notice_version="2025-12",
            channel="paper",
        )
        await add_contact_address(session, person_id=proxy.id, address="tel:+84988777666")
    chat = Chat(world, "tel:+84988777666", "sms")
    await chat.send("Xin chao")
    outs = await chat.send("1")  # Vietnamese: consent is on record, so whom for?
    assert keys_of(outs) == ["dialog.proxy.pick"]
    assert outs[0].options == [f"b{world.lam.id}", f"b{world.thao.id}", "new"]
    assert await chat.keys("1") == ["dialog.proxy.acting_for"]
    assert (await chat.conversation()).data["consent"]["version"] == "2025-12"


async def test_a_proxy_whose_paper_is_checked_is_not_asked_for_it_again(
    zalo: Chat, world: World
) -> None:
    await start_as_proxy(zalo, cccd=PROXY_CCCD)
    found = await _proxy_identifies(zalo, world.lam, "Nông Văn Lâm")
    assert found == ["dialog.identify.found", "dialog.proxy.pending", "dialog.phone.ask"]
    await verify_phone(zalo)
    async with transaction(world.db.sessions) as session:
        (representation,) = (await session.scalars(select(Representation))).all()
        await verify_representation(
            session, representation_id=representation.id, officer="officer:1"
        )
    # the proxy names the same beneficiary again: found, and no word of the paper
    await zalo.send("MENU")
    await zalo.send("6")
    await zalo.send("2")  # someone not listed
    found = await _proxy_identifies(zalo, world.lam, "Nông Văn Lâm")
    assert found == ["dialog.identify.found", "dialog.pay.ask_method"]
