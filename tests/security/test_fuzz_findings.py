"""What the OpenAPI fuzzing found, pinned: each was a 500 or an undocumented status before.

The fuzzer's inputs are random; these are the same inputs written down, so a regression shows
on every run and on both databases.
"""

from __future__ import annotations

import pytest

from models.vocab import PaymentMethod
from tests.admin_payments.api_support import App, running
from tests.admin_payments.helpers import beneficiary
from tests.conftest import Database

ADMIN = "province_admin"
TOO_BIG = [2**31, 2**63, 10**30, 0, -1]


async def _person(app: App) -> int:
    async with app.session() as session, session.begin():
        made = await beneficiary(session, commune_id=app.a.id, number=1,
                                 method=PaymentMethod.CASH_POINT)  # fmt: skip
        return made.id


async def test_unreadable_bodies_are_422_not_an_undocumented_400(db: Database) -> None:
    async with running(db) as app:
        headers = {**app.headers[ADMIN], "content-type": "application/json"}
        not_utf8 = await app.client.post(
            "/api/v1/beneficiaries", content=b"\xff\xfe", headers=headers
        )
        broken = await app.client.post(
            "/api/v1/beneficiaries/import", content=b"--x\r\nnonsense",
            headers={**app.headers[ADMIN], "content-type": "multipart/form-data; boundary=x"},
        )  # fmt: skip
    for response in (not_utf8, broken):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("number", TOO_BIG)
async def test_ids_the_database_cannot_hold_are_422(db: Database, number: int) -> None:
    async with running(db) as app:
        person = await _person(app)
        answers = [
            await app.call(ADMIN, "GET", f"/beneficiaries/{number}"),
            await app.call(ADMIN, "GET", f"/beneficiaries?commune_id={number}"),
            await app.call(ADMIN, "PATCH", f"/beneficiaries/{person}", json={"commune_id": number}),
            await app.call(
                ADMIN, "POST", "/data-requests", json={"beneficiary_id": number, "kind": "access"}
            ),
        ]
        offset = await app.call(ADMIN, "GET", f"/audit?offset={2**63}")
    assert [a.status_code for a in answers] == [422] * 4, [a.text for a in answers]
    assert offset.status_code == 422


async def test_nul_characters_are_422_on_every_database(db: Database) -> None:
    async with running(db) as app:
        person = await _person(app)
        answers = [
            await app.call(ADMIN, "GET", "/audit?actor=a%00b"),
            await app.call(ADMIN, "GET", f"/beneficiaries/{person}?reason=ki%E1%BB%83m%00tra"),
            await app.call(
                ADMIN, "PATCH", f"/beneficiaries/{person}", json={"village": "Nà\x00Lầu"}
            ),
            await app.call(
                ADMIN, "POST", "/campaigns", json={"title": "T\x00", "text_vi": "Nội dung"}
            ),
            await app.client.post(
                "/api/v1/auth/token", data={"username": "a\x00", "password": "x"}
            ),
        ]
    assert [a.status_code for a in answers] == [422] * 5, [a.text for a in answers]


async def test_a_null_where_the_column_is_not_nullable_is_422(db: Database) -> None:
    async with running(db) as app:
        made = await app.call(
            ADMIN, "POST", "/campaigns", json={"title": "T", "text_vi": "Nội dung"}
        )
        campaign = made.json()["id"]
        null = await app.call(
            ADMIN, "PATCH", f"/campaigns/{campaign}", json={"requires_approval": None}
        )
        omitted = await app.call(ADMIN, "PATCH", f"/campaigns/{campaign}", json={"title": "Mới"})
    assert null.status_code == 422
    assert omitted.status_code == 200 and omitted.json()["requires_approval"] is False


async def test_preview_of_a_campaign_filtered_by_channel_and_method(db: Database) -> None:
    async with running(db) as app:
        await _person(app)
        body = {"title": "T", "text_vi": "Nội dung", "commune_ids": [app.a.id],
                "channel": "sms", "method": "cash_point"}  # fmt: skip
        made = await app.call(ADMIN, "POST", "/campaigns", json=body)
        preview = await app.call(ADMIN, "GET", f"/campaigns/{made.json()['id']}/preview")
    assert preview.status_code == 200, preview.text
    assert preview.json()["audience"] == 1
