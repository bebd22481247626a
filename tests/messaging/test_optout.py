"""Opting out by keyword: the words, the addresses it stops, what still goes."""

from __future__ import annotations

import pytest

from models.db import transaction
from models.messaging.optout import opt_in, opt_out, parse_keyword
from models.messaging.service import enqueue
from tests.conftest import Database
from tests.messaging.helpers import NOON_VN, add_person, contact, outbox, settings_for


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Huỷ", "Hủy", "HUY", "tu choi", "TỪ CHỐI", "Từ chối.", "  Stop! ", "tuchoi"],
)
def test_stop_words(text: str) -> None:
    assert parse_keyword(text) == "stop"


@pytest.mark.parametrize("text", ["START", "start", "DK", "dk!", " Đăng ký ", "ĐK"])
def test_start_words(text: str) -> None:
    assert parse_keyword(text) == "start"


@pytest.mark.parametrize("text", ["", None, "stop sending me the bill", "huy bo", "1", "stoppp"])
def test_other_texts_are_not_keywords(text: str | None) -> None:
    assert parse_keyword(text) is None


async def test_opt_out_stops_campaigns_to_that_address_but_not_notices(db: Database) -> None:
    settings = settings_for(db)
    phone = "tel:+84912345678"
    async with transaction(db.sessions) as session:
        mother = await add_person(session, phone, locale="en")
        son = await add_person(session, phone)  # one phone shared by two people
        other = await add_person(session, "telegram:5")
        for person in (mother, son, other):
            await enqueue(
                session, person_id=person.id, key="campaign.text", params={"text": "Xin chào"},
                message_class="campaign", settings=settings, now=NOON_VN,
            )  # fmt: skip
    async with transaction(db.sessions) as session:
        confirmation = await opt_out(session, address=phone, settings=settings, now=NOON_VN)
    assert confirmation is not None
    assert (confirmation.key, confirmation.address, confirmation.message_class) == (
        "reply.opted_out", phone, "reply",
    )  # fmt: skip
    assert confirmation.person_id == mother.id and confirmation.locale == "en"
    async with transaction(db.sessions) as session:
        statuses = [(r.address, r.key, r.status) for r in await outbox(session)]
        assert (await contact(session, phone)).opted_out_at == NOON_VN
        later = await enqueue(
            session, person_id=son.id, key="campaign.text", params={"text": "x"},
            message_class="campaign", settings=settings, now=NOON_VN,
        )  # fmt: skip
        notice = await enqueue(
            session, person_id=son.id, key="notice.payment_credited",
            params={"amount": 500_000, "period": "2026-03", "account": "0123456789",
                    "date": "2026-03-05"},
            message_class="notice", settings=settings, now=NOON_VN,
        )  # fmt: skip
    assert statuses[:3] == [
        (phone, "campaign.text", "cancelled"),
        (phone, "campaign.text", "cancelled"),
        ("telegram:5", "campaign.text", "pending"),
    ]
    assert later is not None and later.status == "suppressed"
    assert notice is not None and (notice.status, notice.address) == ("pending", phone)


async def test_opt_in_allows_campaigns_again(db: Database) -> None:
    settings = settings_for(db)
    async with transaction(db.sessions) as session:
        person = await add_person(session, "zalo:z1")
        await opt_out(session, address="zalo:z1", settings=settings, now=NOON_VN)
        confirmation = await opt_in(session, address="zalo:z1", settings=settings, now=NOON_VN)
        campaign = await enqueue(
            session, person_id=person.id, key="campaign.text", params={"text": "x"},
            message_class="campaign", settings=settings, now=NOON_VN,
        )  # fmt: skip
        assert (await contact(session, "zalo:z1")).opted_out_at is None
    assert confirmation is not None and confirmation.key == "reply.opted_in"
    assert campaign is not None and campaign.status == "pending"
