"""The registry through the API: search, masked and full reads, changes, death."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.messaging.service import enqueue
from models.messaging.tables import OutboxMessage
from models.officers.roles import Role
from models.people.representations import request_representation, verify_representation
from models.people.service import create_person
from models.people.tables import Beneficiary, Representation
from models.vocab import PaymentMethod, RepresentationKind
from tests.admin.helpers import (
    PROTECTOR,
    Places,
    add_beneficiary,
    add_officer,
    running,
    small_province,
)
from tests.conftest import Database

URL = "/api/v1/beneficiaries"


async def _world(db: Database) -> tuple[Places, Any, Any, list[Beneficiary]]:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        auditor = await add_officer(session, "kiem.toan", Role.AUDITOR, places.province)
        people = [
            await add_beneficiary(session, places.a, 1, name="Hoàng Văn Sáng",
                                  method=PaymentMethod.BANK_ACCOUNT),
            await add_beneficiary(session, places.a, 2, name="Nông Thị Mai",
                                  method=PaymentMethod.CASH_POINT),
            await add_beneficiary(session, places.b, 3, name="Hoàng Thị Sáng"),
        ]  # fmt: skip
    return places, officer, auditor, people


async def test_search_by_name_without_accents_stays_within_the_commune(db: Database) -> None:
    _, officer, auditor, people = await _world(db)
    async with running(db) as app:
        found = await app.client.post(
            f"{URL}/search", json={"name": "hoang van sang"}, headers=app.as_officer(officer)
        )
        assert found.status_code == 200, found.text
        assert [i["id"] for i in found.json()["items"]] == [people[0].id]
        item = found.json()["items"][0]
        assert item["cccd"] == "020******001" and item["phone"] == "091****001"
        assert item["method"] == "bank_account" and item["commune"]["code"] == "05977"
        sang = await app.client.post(
            f"{URL}/search", json={"name": "Sáng"}, headers=app.as_officer(auditor)
        )
        assert sang.json()["total"] == 2  # the province auditor sees both communes


async def test_search_by_cccd_and_phone_through_hashes(db: Database) -> None:
    _, officer, _, people = await _world(db)
    async with running(db) as app:
        headers = app.as_officer(officer)
        by_cccd = await app.client.post(
            f"{URL}/search", json={"cccd": "020 041 000 002"}, headers=headers
        )
        assert [i["id"] for i in by_cccd.json()["items"]] == [people[1].id]
        by_phone = await app.client.post(f"{URL}/search", json={"phone": "0910000001"},
                                         headers=headers)  # fmt: skip
        assert [i["id"] for i in by_phone.json()["items"]] == [people[0].id]
        elsewhere = await app.client.post(
            f"{URL}/search", json={"cccd": "020041000003"}, headers=headers
        )
        assert elsewhere.json()["total"] == 0  # commune B's person stays invisible
        bad = await app.client.post(f"{URL}/search", json={"phone": "12ab"}, headers=headers)
        assert bad.status_code == 422 and bad.json()["code"] == "id.phone.invalid"


async def test_list_filters_and_pages(db: Database) -> None:
    _, officer, auditor, people = await _world(db)
    async with running(db) as app:
        page = await app.client.get(f"{URL}?limit=1&offset=1", headers=app.as_officer(auditor))
        assert page.json()["total"] == 3 and len(page.json()["items"]) == 1
        cash = await app.client.get(f"{URL}?method=cash_point", headers=app.as_officer(officer))
        assert [i["id"] for i in cash.json()["items"]] == [people[1].id]
        none = await app.client.get(f"{URL}?method=none", headers=app.as_officer(auditor))
        assert [i["id"] for i in none.json()["items"]] == [people[2].id]
        bad = await app.client.get(f"{URL}?limit=0", headers=app.as_officer(auditor))
        assert bad.status_code == 422


async def test_a_full_read_needs_a_reason_and_is_audited(db: Database) -> None:
    _, officer, auditor, people = await _world(db)
    async with running(db) as app:
        masked = await app.client.get(f"{URL}/{people[0].id}", headers=app.as_officer(officer))
        assert masked.json()["full"] is False and masked.json()["cccd"] == "020******001"
        assert masked.json()["choice"]["account"] == "********0001"
        assert await app.audit("read_full") == []
        full = await app.client.get(
            f"{URL}/{people[0].id}",
            params={"reason": "Đối chiếu danh sách chi trả"},
            headers=app.as_officer(officer),
        )
        assert full.status_code == 200
        assert full.json()["cccd"] == "020041000001"
        assert full.json()["choice"]["account"] == "888800000001"
        [entry] = await app.audit("read_full")
        assert (entry.actor, entry.entity, entry.entity_id) == (
            "lan.nt",
            "beneficiary",
            str(people[0].id),
        )
        assert entry.reason == "Đối chiếu danh sách chi trả"
        assert entry.details == {"fields": ["cccd", "account"]}
        log = await app.client.get("/api/v1/audit?action=read_full",
                                   headers=app.as_officer(auditor))  # fmt: skip
        assert [e["actor"] for e in log.json()["items"]] == ["lan.nt"]
        short = await app.client.get(f"{URL}/{people[0].id}?reason=x",
                                     headers=app.as_officer(officer))  # fmt: skip
        assert short.status_code == 422
        denied = await app.client.get(f"{URL}/{people[0].id}?reason=kiểm tra đủ dài",
                                      headers=app.as_officer(auditor))  # fmt: skip
        assert denied.status_code == 403  # auditors read masked only


async def test_register_and_correct_a_beneficiary(db: Database) -> None:
    places, officer, _, _ = await _world(db)
    async with running(db) as app:
        headers = app.as_officer(officer)
        body = {"full_name": "Lương Văn Páo", "birth_date": "1945-05-01", "cccd": "020045009999",
                "phone": "0912 345 678", "category": "BTXH", "commune_id": places.a.id}  # fmt: skip
        made = await app.client.post(URL, json=body, headers=headers)
        assert made.status_code == 201, made.text
        new_id = made.json()["id"]
        assert made.json()["cccd"] == "020******999"
        again = await app.client.post(URL, json=body, headers=headers)
        assert again.status_code == 409
        assert again.json()["code"] == "admin.beneficiary.duplicate_cccd"
        wrong = await app.client.post(URL, json={**body, "cccd": "02004500999"}, headers=headers)
        assert wrong.status_code == 422 and wrong.json()["code"] == "id.cccd.length"
        other = await app.client.post(
            URL, json={**body, "cccd": "020045008888", "commune_id": places.b.id}, headers=headers
        )
        assert other.status_code == 404 and other.json()["code"] == "admin.area.not_found"
        fixed = await app.client.patch(
            f"{URL}/{new_id}",
            json={"village": "Thôn Nà Lầu", "monthly_amount": 540000},
            headers=headers,
        )
        assert fixed.status_code == 200 and fixed.json()["village"] == "Thôn Nà Lầu"
        moved = await app.client.patch(f"{URL}/{new_id}", json={"commune_id": places.b.id},
                                       headers=headers)  # fmt: skip
        assert moved.status_code == 404
        updates = await app.audit("update")
        assert updates[-1].details == {"village": "Thôn Nà Lầu", "monthly_amount": 540000}


async def test_suspend_resume_and_conflicts(db: Database) -> None:
    _, officer, _, people = await _world(db)
    async with running(db) as app:
        headers, target = app.as_officer(officer), f"{URL}/{people[0].id}"
        reason = {"reason": "Đi làm ăn xa sáu tháng"}
        suspended = await app.client.post(f"{target}/suspend", json=reason, headers=headers)
        assert suspended.json() == {"id": people[0].id, "status": "suspended"}
        twice = await app.client.post(f"{target}/suspend", json=reason, headers=headers)
        assert twice.status_code == 409
        assert "tạm dừng" in twice.json()["title"]
        resumed = await app.client.post(f"{target}/resume", json=reason, headers=headers)
        assert resumed.json()["status"] == "active"
        assert [e.action for e in await app.audit() if e.entity == "beneficiary"][-2:] == [
            "suspend",
            "resume",
        ]


async def test_a_death_ends_proxies_and_cancels_pending_notices(db: Database) -> None:
    _, officer, _, people = await _world(db)
    target = people[0]
    async with db.sessions() as session, session.begin():
        proxy = await create_person(session, protector=PROTECTOR, full_name="Hoàng Văn Con")
        representation = await request_representation(
            session, beneficiary_id=target.id, proxy_person_id=proxy.id,
            kind=RepresentationKind.AUTHORIZED, actor="test",
        )  # fmt: skip
        await verify_representation(session, representation_id=representation.id, officer="t")
    async with running(db) as app:
        async with app.app.state.sessions() as session, session.begin():
            notice = await enqueue(
                session, person_id=target.person_id, key="notice.safety_reminder", params={},
                message_class="notice", settings=app.settings,
            )  # fmt: skip
            reply = await enqueue(
                session, person_id=target.person_id, key="reply.unknown", params={},
                message_class="reply", settings=app.settings,
            )  # fmt: skip
            assert notice is not None and reply is not None
        answer = await app.client.post(
            f"{URL}/{target.id}/deceased",
            json={"reason": "Giấy báo tử số 12", "date_of_death": "2026-11-20"},
            headers=app.as_officer(officer),
        )
        assert answer.status_code == 200 and answer.json()["status"] == "deceased"
        async with app.app.state.sessions() as session:
            statuses = dict(
                (await session.execute(select(OutboxMessage.key, OutboxMessage.status))).all()
            )
            assert statuses == {"notice.safety_reminder": "cancelled", "reply.unknown": "pending"}
            ended = await session.get(Representation, representation.id)
            assert ended is not None and ended.status == "revoked"
        again = await app.client.post(f"{URL}/{target.id}/deceased", json={"reason": "lần nữa nhé"},
                                      headers=app.as_officer(officer))  # fmt: skip
        assert again.status_code == 409
