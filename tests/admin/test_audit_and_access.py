"""The audit log's filters and pages, managing officers, and the OpenAPI description."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from models.audit.service import record
from models.base import utcnow
from models.officers.roles import Role
from tests.admin.helpers import add_officer, running, small_province
from tests.conftest import Database

OURS = tuple(f"/api/v1/{root}" for root in (
    "auth", "officers", "api-keys", "beneficiaries", "reviews", "reconciliation",
    "data-requests", "questions", "audit"))  # fmt: skip
ERRORS = {"401", "403", "404", "409", "413", "422", "429"}


async def test_audit_filters_pages_and_cannot_be_changed(db: Database) -> None:
    now = utcnow()
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        auditor = await add_officer(session, "kiem.toan", Role.AUDITOR, places.province)
        for n in range(5):
            await record(session, actor="lan.nt", action="read_full", entity="beneficiary",
                         entity_id=n, reason="Đối chiếu")  # fmt: skip
        await record(session, actor="minh.vd", action="update", entity="beneficiary", entity_id=1)
    async with running(db) as app:
        headers = app.as_officer(auditor)
        page = await app.client.get("/api/v1/audit", params={"actor": "lan.nt", "limit": 2},
                                    headers=headers)  # fmt: skip
        assert page.json()["total"] == 5 and [e["entity_id"] for e in page.json()["items"]] == [
            "4", "3"]  # fmt: skip
        one = await app.client.get("/api/v1/audit", headers=headers,
                                   params={"entity": "beneficiary", "entity_id": "1"})  # fmt: skip
        assert {e["action"] for e in one.json()["items"]} == {"read_full", "update"}
        later = await app.client.get("/api/v1/audit", headers=headers,
                                     params={"since": (now + timedelta(hours=1)).isoformat()})  # fmt: skip
        assert later.json()["total"] == 0
        window = await app.client.get("/api/v1/audit", headers=headers, params={
            "since": (now - timedelta(hours=1)).isoformat(),
            "until": (now + timedelta(hours=1)).isoformat(), "action": "update"})  # fmt: skip
        assert window.json()["total"] == 1
        for method in ("PUT", "PATCH", "DELETE"):
            assert (
                await app.client.request(method, "/api/v1/audit", headers=headers)
            ).status_code == 405
    with pytest.raises(Exception, match="append-only"):
        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_log"))


async def test_an_admin_manages_officers_within_their_areas(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        admin = await add_officer(session, "admin.a", Role.PROVINCE_ADMIN, places.a)
        elsewhere = await add_officer(session, "lan.b", Role.COMMUNE_OFFICER, places.b)
    async with running(db) as app:
        headers = app.as_officer(admin)
        body = {"username": "moi.a", "display_name": "Cán Bộ Mới", "role": "commune_officer",
                "area_codes": ["05977"], "password": "mật khẩu đủ dài"}  # fmt: skip
        made = await app.client.post("/api/v1/officers", json=body, headers=headers)
        assert made.status_code == 201 and made.json()["areas"][0]["code"] == "05977"
        assert "password" not in made.text
        wider = await app.client.post("/api/v1/officers", headers=headers,
                                      json={**body, "username": "moi.b", "area_codes": ["06001"]})  # fmt: skip
        assert wider.status_code == 404 and wider.json()["code"] == "admin.area.not_found"
        province = await app.client.post("/api/v1/officers", headers=headers,
                                         json={**body, "username": "moi.c", "area_codes": ["20"]})  # fmt: skip
        assert province.status_code == 404  # cannot grant more than one holds
        legacy = await app.client.post("/api/v1/officers", headers=headers,
                                       json={**body, "username": "moi.d", "area_codes": ["06160"]})  # fmt: skip
        assert legacy.status_code == 422 and legacy.json()["code"] == "admin.area.legacy"
        payer = await app.client.post("/api/v1/officers", headers=headers,
                                      json={**body, "username": "moi.e", "role": "payer"})  # fmt: skip
        assert payer.status_code == 422 and payer.json()["code"] == "admin.officer.role_invalid"
        taken = await app.client.post("/api/v1/officers", json=body, headers=headers)
        assert taken.status_code == 409
        listed = await app.client.get("/api/v1/officers", headers=headers)
        assert {o["username"] for o in listed.json()["items"]} == {"admin.a", "moi.a"}
        hidden = await app.client.get(f"/api/v1/officers/{elsewhere.id}", headers=headers)
        assert hidden.status_code == 404
        reset = await app.client.patch(f"/api/v1/officers/{made.json()['id']}", headers=headers,
                                       json={"password": "mật khẩu mới đủ dài"})  # fmt: skip
        assert reset.status_code == 200
        signed = await app.client.post("/api/v1/auth/token",
                                       data={"username": "moi.a", "password": "mật khẩu mới đủ dài"})  # fmt: skip
        assert signed.status_code == 200
        [change] = [e for e in await app.audit("update") if e.entity == "officer"]
        assert change.details == {"password": "changed"}


async def test_every_admin_route_is_documented(db: Database) -> None:
    async with running(db) as app:
        schema = (await app.client.get("/openapi.json")).json()
    routes = {p: ops for p, ops in schema["paths"].items() if p.startswith(OURS)}
    assert len(routes) >= 20
    for path, operations in routes.items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("tags"), where
            assert set(operation["responses"]) >= ERRORS, where
            problem = operation["responses"]["404"]["content"]["application/problem+json"]
            assert problem["example"]["status"] == 404, where
            ok = next(code for code in operation["responses"] if code.startswith("2"))
            assert operation["responses"][ok].get("content"), where
    assert "X-API-Key" in str(schema["components"]["securitySchemes"])
