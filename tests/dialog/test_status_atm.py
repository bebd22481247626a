"""Status (state, method, payments, next date) and ATMs (my commune, a name, my location)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from messages import reserved
from models.conversations.status import next_payment_due
from models.db import transaction
from models.places.service import add_service_point
from scheduler.dispatcher import render_outbox
from tests.dialog.conftest import (
    ATM_AT,
    Chat,
    World,
    commune_named,
    identify_self,
    keys_of,
    verify_phone,
)


async def test_status_of_a_linked_beneficiary(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    for text in ["1", "Agribank", "1", "1234567890", "Nông Văn Lâm", "1"]:
        await zalo.send(text)
    outs = await zalo.send("TT")
    assert keys_of(outs) == [
        "dialog.status.method_account_state",
        "dialog.status.no_payment",
        "dialog.menu",
    ]
    assert "đang chờ xác minh" in outs[0].text and "****7890" in outs[0].text
    assert "chờ cán bộ kiểm tra" in outs[0].text
    assert "15/11/2026" in outs[1].text  # paid before the 15th


async def test_status_without_a_method(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    outs = await zalo.send("tinh trang")
    assert keys_of(outs)[:2] == ["dialog.status.no_method_state", "dialog.status.no_payment"]


async def test_sms_user_known_by_their_number_asks_status_at_once(world: World) -> None:
    chat = Chat(world, "tel:+84912000111", "sms")  # Lý Văn Sáu's number on record
    outs = await chat.send("TT")
    assert keys_of(outs) == ["dialog.status.no_method_state", "dialog.status.no_payment"]
    assert outs[0].rendered.segments == 1 and outs[1].rendered.segments == 1
    assert "Chua chon cach nhan tien" in outs[0].text  # SMS: no diacritics
    # the two go as one SMS, one under the other: one is paid for, not two
    assert outs[0].row is outs[1].row and outs[0].row.key == reserved.JOINED
    sent = render_outbox(outs[0].row, world.db.settings)
    assert sent.text == f"{outs[0].text}\n{outs[1].text}"
    assert (sent.segments, sent.encoding) == (1, "GSM-7")


async def test_status_for_someone_unknown(sms: Chat) -> None:
    assert await sms.keys("TT") == ["dialog.status.not_registered"]


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (datetime(2026, 11, 10, 2, tzinfo=UTC), date(2026, 11, 15)),
        (datetime(2026, 11, 14, 16, 59, tzinfo=UTC), date(2026, 11, 15)),  # 23:59 in Vietnam
        (datetime(2026, 11, 14, 17, 0, tzinfo=UTC), date(2026, 12, 15)),  # the 15th has begun
        (datetime(2026, 12, 20, tzinfo=UTC), date(2027, 1, 15)),
    ],
)
def test_next_payment_is_before_the_15th_in_vietnam(now: datetime, due: date) -> None:
    assert next_payment_due(now) == due


async def test_atm_shortcut_with_a_commune_name(sms: Chat) -> None:
    outs = await sms.send("ATM dong kinh")
    assert keys_of(outs) == ["dialog.atm.point", "dialog.atm.point"]
    assert outs[0].text == "ATM Agribank: So 2 Le Loi. Gio mo cua: 24/7."
    assert "Diem chi tra" in outs[1].text and "chua ro" in outs[1].text
    assert outs[0].row is outs[1].row  # one SMS


async def test_replies_that_do_not_fit_one_sms_together_go_apart(sms: Chat) -> None:
    await sms.send("HD")
    outs = await sms.send("qqq")  # not understood, and the 149-letter list again
    assert keys_of(outs) == ["dialog.not_understood", "dialog.help.topics"]
    assert outs[0].row is not outs[1].row and outs[1].row.key == "dialog.help.topics"


async def test_a_messenger_shows_the_answer_and_the_menu_as_one_message(
    zalo: Chat, world: World
) -> None:
    outs = await zalo.send("ATM dong kinh")
    assert keys_of(outs) == ["dialog.atm.point", "dialog.atm.point", "dialog.menu"]
    assert len({o.row.id for o in outs}) == 1
    shown = render_outbox(outs[0].row, world.db.settings)
    assert shown.text.startswith("ATM Agribank") and "\n\nĐiểm chi trả" in shown.text
    assert [c.value for c in shown.choices] == outs[2].options  # the menu's buttons


async def test_atm_in_my_commune(zalo: Chat, world: World) -> None:
    await identify_self(zalo, world.lam)
    await verify_phone(zalo)
    await zalo.send("MENU")
    outs = await zalo.send("3")
    assert keys_of(outs) == ["dialog.atm.ask"] and outs[0].options == ["mine", "other"]
    assert keys_of(await zalo.send("1")) == ["dialog.atm.point", "dialog.atm.point", "dialog.menu"]


async def test_atm_in_a_commune_typed_with_a_typo(zalo: Chat) -> None:
    await zalo.send("ATM")
    outs = await zalo.send("dong kin")  # a typo: choose among the communes that look alike
    assert keys_of(outs) == ["dialog.commune.pick"]
    assert keys_of(await zalo.send("1"))[0] == "dialog.atm.point"


async def test_atm_where_there_is_none(zalo: Chat) -> None:
    outs = await zalo.send("ATM Na Sầm")  # a first message that asks at once: no welcome
    assert keys_of(outs) == ["dialog.atm.none", "dialog.menu"]
    assert "Xã Na Sầm" in outs[0].text


async def test_nearest_to_a_shared_location(telegram: Chat) -> None:
    await telegram.send("hi")
    await telegram.send("1")
    await telegram.send("2")  # no consent: ATMs still work
    outs = await telegram.send("2")
    assert keys_of(outs) == ["dialog.atm.ask"]
    assert outs[0].rendered.request_location and "share_location" in outs[0].options
    outs = await telegram.send(location=(ATM_AT[0] + 0.001, ATM_AT[1]))
    assert keys_of(outs)[:2] == ["dialog.atm.near", "dialog.atm.near"]
    assert "cách 0,1 km" in outs[0].text and "Agribank" in outs[0].text
    assert "cách 1,0 km" in outs[1].text


async def test_location_shared_outside_the_atm_question(telegram: Chat) -> None:
    outs = await telegram.send(location=ATM_AT)
    assert keys_of(outs)[0] == "dialog.atm.near"
    far = await telegram.send(location=(10.77, 106.70))  # Hồ Chí Minh City: still the nearest
    assert keys_of(far)[0] == "dialog.atm.near"
    bad = await telegram.send(location=(123.0, 500.0))
    assert keys_of(bad)[0] == "dialog.atm.none_near"


async def test_atm_commune_unknown(sms: Chat) -> None:
    assert await sms.keys("ATM qqqzzz") == ["dialog.commune.unknown"]


async def test_atm_in_a_commune_named_with_its_former_district(sms: Chat) -> None:
    outs = await sms.send("ATM Hoàng Văn Thụ, Bình Gia")  # since 2025 part of Xã Bình Gia
    assert keys_of(outs) == ["dialog.atm.none"] and "Xa Binh Gia" in outs[0].text
    outs = await sms.send("ATM Hoang Van Thu, Khong Co")  # no such district: today's commune
    assert keys_of(outs) == ["dialog.atm.none"] and "Xa Hoang Van Thu" in outs[0].text


async def _post_office_in_na_sam(world: World, at: tuple[float, float] | None) -> None:
    """Xã Na Sầm's one place to get money: a post office (on the map `at`, or not)."""
    async with transaction(world.db.sessions) as session:
        await add_service_point(
            session,
            kind="post_office",
            name="Bưu điện Na Sầm",
            commune_id=(await commune_named(session, "Xã Na Sầm")).id,
            address="Khối 3",
            latitude=at[0] if at else None,
            longitude=at[1] if at else None,
        )


async def test_a_commune_without_an_atm_says_so_and_names_the_nearest(
    sms: Chat, world: World
) -> None:
    await _post_office_in_na_sam(world, (ATM_AT[0] + 0.2, ATM_AT[1]))  # 22 km north of the ATM
    outs = await sms.send("ATM Na Sam")
    assert keys_of(outs) == ["dialog.atm.no_atm_here", "dialog.atm.point"]
    assert outs[0].text == (
        "Chua co ATM o Xa Na Sam. ATM gan nhat: Agribank, 22,2 km: So 2 Le Loi. Mo cua: 24/7."
    )
    assert "Buu dien" not in outs[0].text and "Khoi 3" in outs[1].text


async def test_a_commune_without_an_atm_nor_a_place_on_the_map(sms: Chat, world: World) -> None:
    await _post_office_in_na_sam(world, None)
    outs = await sms.send("ATM Na Sam")  # no nearest ATMs promised that would not follow
    assert keys_of(outs) == ["dialog.atm.no_atm_at_all", "dialog.atm.point"]


async def test_atm_in_the_former_city_offers_its_wards_today(sms: Chat) -> None:
    outs = await sms.send("ATM tp Lang Son")
    assert keys_of(outs) == ["dialog.commune.pick"]
    assert outs[0].rendered.segments == 1
    for ward in ("Phuong Dong Kinh", "Phuong Ky Lua", "Phuong Luong Van Tri", "Phuong Tam Thanh"):
        assert ward in outs[0].text
    assert "Son" not in outs[0].text.partition("\n")[2]  # no An Sơn, Lâm Sơn, Công Sơn
