"""Review queue, questions and personal-data requests, end to end through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from models.conversations.people import record_identification_failure
from models.conversations.tables import IdentificationFailure
from models.messaging.tables import OutboxMessage, SandboxMessage
from models.officers.roles import Role
from models.payments.service import record_choice
from models.payments.tables import PaymentMethodChoice
from models.people.consents import give_consent
from models.people.representations import request_representation
from models.people.service import add_contact_address, create_person
from models.people.tables import Beneficiary, Consent, ContactAddress, Person, Representation
from models.requests.service import (
    Applicant,
    DataRequestKind,
    ReviewKind,
    ask_question,
    create_data_request,
    create_registration_request,
    create_review_item,
)
from models.vocab import ConsentPurpose, PaymentMethod, RepresentationKind, Source
from scheduler.dispatcher import Dispatcher
from tests.admin.helpers import (
    NOW,
    PROTECTOR,
    Places,
    Running,
    add_beneficiary,
    add_officer,
    running,
    small_province,
)
from tests.conftest import Database

ALL_DAY = {"notice_hours": "00:00-00:00"}
LONG_AGO = datetime(2020, 1, 2, 3, 0, tzinfo=UTC)  # a Thursday: deadlines long past


async def _world(db: Database) -> tuple[Places, Any, Any]:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        admin = await add_officer(session, "admin", Role.PROVINCE_ADMIN, places.province)
    return places, officer, admin


async def _registration(db: Database, places: Places, address: str = "telegram:555001") -> int:
    async with db.sessions() as session, session.begin():
        request = await create_registration_request(
            session, protector=PROTECTOR,
            applicant=Applicant("Lường Thị Hoa", date(1948, 2, 1), None, "020148000777"),
            channel="telegram", address=address, phone="+84912000777", commune_id=places.a.id,
            village="Bản Khiếng", category_guess="BTXH", consent=("v1", NOW), now=NOW,
        )  # fmt: skip
        return request.id


async def _dispatch(app: Running) -> list[SandboxMessage]:
    state = app.app.state
    dispatcher = Dispatcher(state.settings, state.sessions, state.adapters, worker_id="test")
    while await dispatcher.run_once():
        pass
    async with state.sessions() as session:
        return list(
            (await session.scalars(select(SandboxMessage).order_by(SandboxMessage.id))).all()
        )


async def test_approving_a_registration_creates_the_beneficiary_and_tells_them(
    db: Database,
) -> None:
    places, officer, _ = await _world(db)
    await _registration(db, places)
    async with running(db, **ALL_DAY) as app:
        headers = app.as_officer(officer)
        queue = await app.client.get("/api/v1/reviews", headers=headers)
        [item] = queue.json()["items"]
        assert item["kind"] == "registration" and item["payload"]["cccd"] == "020******777"
        decided = await app.client.post(f"/api/v1/reviews/{item['id']}/decision",
                                        json={"approve": True}, headers=headers)  # fmt: skip
        assert decided.status_code == 200, decided.text
        beneficiary_id = decided.json()["beneficiary_id"]
        assert decided.json()["status"] == "approved" and decided.json()["notice_id"]
        record = await app.client.get(f"/api/v1/beneficiaries/{beneficiary_id}", headers=headers)
        assert record.json()["full_name"] == "Lường Thị Hoa"
        assert record.json()["commune"]["code"] == "05977" and record.json()["category"] == "BTXH"
        assert [c["address"][:4] for c in record.json()["contacts"]] == ["tel:", "tele"]
        assert [c["purpose"] for c in record.json()["consents"]] == ["processing"]
        sent = await _dispatch(app)
        assert [m.address for m in sent] == ["telegram:555001"]
        assert "duyệt" in sent[0].text
        twice = await app.client.post(f"/api/v1/reviews/{item['id']}/decision",
                                      json={"approve": True}, headers=headers)  # fmt: skip
        assert twice.status_code == 409 and twice.json()["code"] == "admin.review.decided"
        assert [e.action for e in await app.audit("approve")] == ["approve"]


async def test_rejecting_a_registration_tells_the_reason(db: Database) -> None:
    places, officer, _ = await _world(db)
    await _registration(db, places)
    async with running(db, **ALL_DAY) as app:
        headers = app.as_officer(officer)
        [item] = (await app.client.get("/api/v1/reviews", headers=headers)).json()["items"]
        no_reason = await app.client.post(f"/api/v1/reviews/{item['id']}/decision",
                                          json={"approve": False}, headers=headers)  # fmt: skip
        assert no_reason.status_code == 422
        decided = await app.client.post(
            f"/api/v1/reviews/{item['id']}/decision",
            json={"approve": False, "reason": "registration.reason.not_listed"},
            headers=headers,
        )
        assert decided.json()["status"] == "rejected" and decided.json()["beneficiary_id"] is None
        assert await app.count(Beneficiary) == 0
        sent = await _dispatch(app)
        assert "không có tên trong danh sách" in sent[0].text or "danh sách" in sent[0].text
        done = await app.client.get("/api/v1/reviews?status=all", headers=headers)
        assert done.json()["items"][0]["reason"] == "registration.reason.not_listed"


async def test_a_registration_without_commune_waits_for_the_province(db: Database) -> None:
    places, officer, admin = await _world(db)
    async with db.sessions() as session, session.begin():
        await create_registration_request(
            session, protector=PROTECTOR, applicant=Applicant("Vi Văn Tư", None, 1950, None),
            channel="sms", address="tel:+84912000888", phone="+84912000888", commune_id=None,
            village=None, category_guess=None, now=NOW,
        )  # fmt: skip
    async with running(db, **ALL_DAY) as app:
        mine = await app.client.get("/api/v1/reviews", headers=app.as_officer(officer))
        assert mine.json()["total"] == 0
        [item] = (await app.client.get("/api/v1/reviews", headers=app.as_officer(admin))).json()[
            "items"
        ]
        url = f"/api/v1/reviews/{item['id']}/decision"
        lacking = await app.client.post(url, json={"approve": True}, headers=app.as_officer(admin))
        assert lacking.status_code == 422 and lacking.json()["code"] == "admin.review.incomplete"
        done = await app.client.post(
            url,
            json={"approve": True, "category": "NCC", "commune_id": places.b.id},
            headers=app.as_officer(admin),
        )
        assert done.status_code == 200, done.text
        async with app.app.state.sessions() as session:
            made = await session.get(Beneficiary, done.json()["beneficiary_id"])
            assert made is not None and (made.commune_id, made.category) == (places.b.id, "NCC")


async def test_method_change_cash_home_and_proxy_approvals_apply(db: Database) -> None:
    places, officer, _ = await _world(db)
    async with db.sessions() as session, session.begin():
        bank = await add_beneficiary(session, places.a, 1, method=PaymentMethod.BANK_ACCOUNT)
        home = await add_beneficiary(session, places.a, 2, method=PaymentMethod.CASH_HOME)
        proxy = await create_person(session, protector=PROTECTOR, full_name="Hoàng Văn Con")
        await add_contact_address(session, person_id=proxy.id, address="zalo:77665544")
        representation = await request_representation(
            session, beneficiary_id=bank.id, proxy_person_id=proxy.id,
            kind=RepresentationKind.AUTHORIZED, actor="bot",
        )  # fmt: skip
        choices = dict((await session.execute(
            select(PaymentMethodChoice.beneficiary_id, PaymentMethodChoice.id))).all())  # fmt: skip
        items = {
            "method": await create_review_item(
                session, kind=ReviewKind.METHOD_CHANGE, payload={}, beneficiary_id=bank.id,
                commune_id=places.a.id, choice_id=choices[bank.id]),
            "home": await create_review_item(
                session, kind=ReviewKind.CASH_HOME, payload={}, beneficiary_id=home.id,
                commune_id=places.a.id, choice_id=choices[home.id]),
            "proxy": await create_review_item(
                session, kind=ReviewKind.PROXY, payload={}, beneficiary_id=bank.id,
                person_id=proxy.id, commune_id=places.a.id, representation_id=representation.id),
        }  # fmt: skip
        ids = {name: item.id for name, item in items.items()}
    async with running(db, **ALL_DAY) as app:
        for name in ("method", "home", "proxy"):
            answer = await app.client.post(f"/api/v1/reviews/{ids[name]}/decision",
                                           json={"approve": True},
                                           headers=app.as_officer(officer))  # fmt: skip
            assert answer.status_code == 200, answer.text
        async with app.app.state.sessions() as session:
            assert (await session.get(PaymentMethodChoice, choices[bank.id])).status == "verified"
            assert (await session.get(PaymentMethodChoice, choices[home.id])).status == "active"
            assert (await session.get(Beneficiary, home.id)).cash_at_home_allowed
            assert (await session.get(Representation, representation.id)).status == "active"
            sent = (await session.execute(select(OutboxMessage.key, OutboxMessage.address))).all()
            assert sorted(sent) == [
                ("notice.registration_approved", "tel:+84910000001"),
                ("notice.registration_approved", "tel:+84910000002"),
                ("notice.registration_approved", "zalo:77665544"),  # the proxy who asked
            ]


async def test_a_rejected_method_change_stops_being_the_current_choice(db: Database) -> None:
    places, officer, _ = await _world(db)
    async with db.sessions() as session, session.begin():
        person = await add_beneficiary(session, places.a, 1, method=PaymentMethod.CASH_POINT)
        await add_beneficiary(session, places.b, 9)  # another commune: untouched
        newer = await record_choice(
            session, protector=PROTECTOR, beneficiary_id=person.id, method=PaymentMethod.BANK_ACCOUNT,
            source=Source.BOT, actor="bot", provider_code="VBA", account_number="123456789",
        )  # fmt: skip
        item = await create_review_item(
            session, kind=ReviewKind.METHOD_CHANGE, payload={}, beneficiary_id=person.id,
            commune_id=places.a.id, choice_id=newer.id,
        )  # fmt: skip
    async with running(db, **ALL_DAY) as app:
        headers = app.as_officer(officer)
        before = await app.client.get(f"/api/v1/beneficiaries/{person.id}", headers=headers)
        assert before.json()["method"] == "bank_account"
        await app.client.post(f"/api/v1/reviews/{item.id}/decision",
                              json={"approve": False, "reason": "Số tài khoản không đúng tên"},
                              headers=headers)  # fmt: skip
        after = await app.client.get(f"/api/v1/beneficiaries/{person.id}", headers=headers)
        assert after.json()["method"] == "cash_point"


async def test_answering_a_question_replies_on_the_person_s_channel(db: Database) -> None:
    places, officer, _ = await _world(db)
    async with db.sessions() as session, session.begin():
        person = await add_beneficiary(session, places.a, 1)
        question = await ask_question(
            session, channel="zalo", address="zalo:99887766", text="Khi nào có tiền tháng này?",
            person_id=person.person_id, beneficiary_id=person.id, commune_id=places.a.id, now=NOW,
        )  # fmt: skip
    async with running(db, **ALL_DAY) as app:
        headers = app.as_officer(officer)
        listed = await app.client.get("/api/v1/questions", headers=headers)
        [shown] = listed.json()["items"]
        assert shown["address"] == "zalo:99****66" and shown["answer_due_by"] == "2026-12-01"
        answered = await app.client.post(
            f"/api/v1/questions/{question.id}/answer",
            json={"answer": "Ông/Bà nhận tiền vào ngày 10."},
            headers=headers,
        )
        assert answered.status_code == 200 and answered.json()["status"] == "answered"
        async with app.app.state.sessions() as session:
            [message] = (await session.scalars(select(OutboxMessage))).all()
            assert (message.key, message.address, message.message_class) == (
                "admin.question_answer",
                "zalo:99887766",
                "reply",
            )
        closed = await app.client.post(f"/api/v1/questions/{question.id}/close", json={},
                                       headers=headers)  # fmt: skip
        assert closed.json()["status"] == "closed"
        late = await app.client.post(f"/api/v1/questions/{question.id}/answer",
                                     json={"answer": "Thêm"}, headers=headers)  # fmt: skip
        assert late.status_code == 409


async def test_data_requests_list_deadlines_export_and_delete(db: Database) -> None:
    places, officer, admin = await _world(db)
    async with db.sessions() as session, session.begin():
        person = await add_beneficiary(session, places.a, 1, method=PaymentMethod.BANK_ACCOUNT)
        await add_contact_address(session, person_id=person.person_id, address="telegram:4242")
        await give_consent(session, person_id=person.person_id, purpose=ConsentPurpose.PROCESSING,
                           notice_version="v1", channel="telegram")  # fmt: skip
        await record_identification_failure(session, person_id=person.person_id,
                                            address="zalo:1", now=LONG_AGO)  # fmt: skip
        old = await create_data_request(
            session, kind=DataRequestKind.ACCESS, channel="telegram", address="telegram:4242",
            person_id=person.person_id, now=LONG_AGO,
        )  # fmt: skip
    async with running(db) as app:
        headers, admin_headers = app.as_officer(officer), app.as_officer(admin)
        made = await app.client.post("/api/v1/data-requests", headers=headers,
                                     json={"beneficiary_id": person.id, "kind": "deletion"})  # fmt: skip
        assert made.status_code == 201, made.text
        deletion = made.json()
        assert deletion["overdue"] is False and deletion["channel"] == "office"
        listed = (await app.client.get("/api/v1/data-requests", headers=headers)).json()
        assert [i["id"] for i in listed["items"]] == [old.id, deletion["id"]]  # by deadline
        assert (listed["items"][0]["acknowledge_by"], listed["items"][0]["due_by"]) == (
            "2020-01-06",
            "2020-01-12",
        )
        late = await app.client.get("/api/v1/data-requests?overdue=true", headers=headers)
        assert [i["id"] for i in late.json()["items"]] == [old.id]
        forbidden = await app.client.get(f"/api/v1/data-requests/{old.id}/export", headers=headers)
        assert forbidden.status_code == 403  # a commune officer cannot export everything
        exported = await app.client.get(f"/api/v1/data-requests/{old.id}/export",
                                        headers=admin_headers)  # fmt: skip
        assert exported.status_code == 200, exported.text
        tables = exported.json()["tables"]
        assert tables["people"][0]["cccd_enc"] == "020041000001"
        assert "cccd_hash" not in tables["people"][0]
        assert tables["payment_method_choices"][0]["account_enc"] == "888800000001"
        assert {"beneficiaries", "contact_addresses", "consents", "data_requests"} <= set(tables)
        assert [e.entity for e in await app.audit("export_full")] == ["person"]
        wrong = await app.client.post(f"/api/v1/data-requests/{old.id}/anonymise",
                                      headers=admin_headers)  # fmt: skip
        assert wrong.status_code == 409
        gone = await app.client.post(f"/api/v1/data-requests/{deletion['id']}/anonymise",
                                     headers=admin_headers)  # fmt: skip
        assert gone.status_code == 200, gone.text
        async with app.app.state.sessions() as session:
            anonymous = await session.get(Person, person.person_id)
            assert anonymous is not None and anonymous.full_name == "Đã xoá"
            assert (anonymous.cccd_enc, anonymous.cccd_hash, anonymous.birth_date) == (None,) * 3
            assert (await session.scalars(select(ContactAddress))).all() == []
            assert (await session.scalars(select(IdentificationFailure))).all() == []
            assert len((await session.scalars(select(Consent))).all()) == 1
            assert len((await session.scalars(select(PaymentMethodChoice))).all()) == 1
            kept = await session.get(Beneficiary, person.id)
            assert kept is not None and kept.status == "exited"
        done = await app.client.get(f"/api/v1/data-requests/{deletion['id']}", headers=headers)
        assert done.json()["status"] == "completed"
        patched = await app.client.patch(f"/api/v1/data-requests/{old.id}", headers=headers,
                                         json={"status": "acknowledged"})  # fmt: skip
        assert patched.json()["acknowledged_at"] and patched.json()["status"] == "acknowledged"
        finished = await app.client.patch(f"/api/v1/data-requests/{deletion['id']}",
                                          headers=headers, json={"status": "rejected"})  # fmt: skip
        assert finished.status_code == 409
