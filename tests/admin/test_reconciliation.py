"""Reconciliation lists: the payment kind and every flag, filters, pages and exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from models.officers.roles import Role
from models.payments.service import record_choice
from models.payments.tables import PaymentMethodChoice
from models.people.representations import request_representation, verify_representation
from models.people.service import add_contact_address, create_beneficiary, create_person
from models.people.tables import ContactAddress
from models.vocab import Category, PaymentMethod, RepresentationKind, Source
from tests.admin.helpers import PROTECTOR, add_beneficiary, add_officer, running, small_province
from tests.conftest import Database

URL = "/api/v1/reconciliation"


async def test_every_flag_and_kind(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        fine = await add_beneficiary(session, places.a, 1, method=PaymentMethod.BANK_ACCOUNT)
        no_method = await add_beneficiary(session, places.a, 2, phone=False)
        nobody = await create_person(session, protector=PROTECTOR, full_name="Không Giấy Tờ")
        no_cccd = await create_beneficiary(session, person=nobody, category=Category.NCC,
                                           commune_id=places.a.id, actor="t")  # fmt: skip
        session.add(PaymentMethodChoice(beneficiary_id=no_cccd.id, method="cash_point",
                                        source="import", confirmation_code="X", status="active"))  # fmt: skip
        await add_contact_address(session, person_id=nobody.id, address="tel:+84210000000")
        twin = await add_beneficiary(
            session, places.b, 3, method=PaymentMethod.BANK_ACCOUNT, account="888800000001"
        )  # same account as `fine`, commune B
        same_cccd = await create_person(session, protector=PROTECTOR, full_name="Trùng Số",
                                        cccd="020041000002")  # fmt: skip
        proxy = await create_person(session, protector=PROTECTOR, full_name="Người Được Ủy Quyền")
        lapsed = await request_representation(
            session, beneficiary_id=no_method.id, proxy_person_id=proxy.id,
            kind=RepresentationKind.AUTHORIZED, actor="t", valid_until=date(2020, 1, 1),
        )  # fmt: skip
        await verify_representation(session, representation_id=lapsed.id, officer="t")
        await record_choice(
            session, protector=PROTECTOR, beneficiary_id=no_method.id,
            method=PaymentMethod.BANK_ACCOUNT, source=Source.BOT, actor="bot",
            provider_code="VBA", account_number="99998888777", holder_name="NGUYEN VAN KHAC",
            expected_names=("Hoàng Văn Người 2",),
        )  # fmt: skip
        assert twin and same_cccd
    async with running(db) as app:
        answer = await app.client.get(URL, headers=app.as_officer(officer))
        assert answer.status_code == 200, answer.text
        lines = {i["beneficiary_id"]: i for i in answer.json()["items"]}
        assert set(lines) == {fine.id, no_method.id, no_cccd.id}  # commune B stays out
        assert lines[fine.id]["kind"] == "account"
        assert lines[fine.id]["flags"] == ["duplicate_account"]
        assert lines[no_cccd.id]["kind"] == "cash"
        assert set(lines[no_cccd.id]["flags"]) == {
            "no_cccd",
            "invalid_phone",
            "cash_without_reason",
        }
        assert set(lines[no_method.id]["flags"]) == {
            "no_phone",
            "duplicate_cccd",
            "proxy_expired",
            "holder_name_mismatch",
        }
        assert answer.json()["kinds"] == {"account": 2, "cash": 1}
        flagged = await app.client.get(URL, params={"flag": "no_cccd"},
                                       headers=app.as_officer(officer))  # fmt: skip
        assert [i["beneficiary_id"] for i in flagged.json()["items"]] == [no_cccd.id]
        cash = await app.client.get(URL, params={"kind": "cash", "limit": 1},
                                    headers=app.as_officer(officer))  # fmt: skip
        assert cash.json()["total"] == 1
        exported = await app.client.get(f"{URL}/export", headers=app.as_officer(officer))
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][-2:] == ["Cách chi trả", "Cần kiểm tra"]
        by_name = {r[1]: r for r in rows[1:]}
        assert by_name["Không Giấy Tờ"][-2] == "tiền mặt"
        assert "chưa có CCCD" in by_name["Không Giấy Tờ"][-1]
        assert [e.action for e in await app.audit() if e.entity == "reconciliation"] == ["export"]


async def test_an_unreachable_phone_is_flagged(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        person = await add_beneficiary(session, places.a, 1, method=PaymentMethod.CASH_POINT)
        contact = await session.get(ContactAddress, 1)
        assert contact is not None and contact.person_id == person.person_id
        contact.reachability = "unreachable"
    async with running(db) as app:
        answer = await app.client.get(URL, headers=app.as_officer(officer))
        assert answer.json()["items"][0]["flags"] == ["invalid_phone"]
