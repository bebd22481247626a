"""Signing in: tokens, expiry, API keys, deactivation, and the failed-login limit."""

from __future__ import annotations

from datetime import timedelta

from models.base import utcnow
from models.officers.roles import Role
from models.officers.tables import LoginAttempt, Officer
from models.officers.tokens import issue_access_token
from tests.admin.helpers import (
    PASSWORD,
    Places,
    add_officer,
    payer_key,
    running,
    small_province,
)
from tests.conftest import Database


async def _setup(db: Database) -> tuple[Places, Officer, str]:
    async with db.sessions() as session, session.begin():
        places = await small_province(session)
        officer = await add_officer(session, "lan.nt", Role.COMMUNE_OFFICER, places.a)
        key = await payer_key(session, places.province)
    return places, officer, key


async def test_password_sign_in_gives_a_token_that_works(db: Database) -> None:
    await _setup(db)
    async with running(db) as app:
        answer = await app.client.post(
            "/api/v1/auth/token", data={"username": "Lan.NT", "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
        me = await app.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.status_code == 200
        assert me.json()["name"] == "lan.nt" and me.json()["role"] == "commune_officer"
        assert [a["code"] for a in me.json()["areas"]] == ["05977"]
        assert [e.action for e in await app.audit("login")] == ["login"]


async def test_wrong_password_and_unknown_user_get_the_same_answer(db: Database) -> None:
    await _setup(db)
    async with running(db) as app:
        wrong = await app.client.post(
            "/api/v1/auth/token", data={"username": "lan.nt", "password": "sai mật khẩu"}
        )
        unknown = await app.client.post(
            "/api/v1/auth/token", data={"username": "nobody", "password": "sai mật khẩu"}
        )
        for answer in (wrong, unknown):
            assert answer.status_code == 401
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["code"] == "admin.auth.bad_credentials"
        assert await app.count(LoginAttempt) == 2


async def test_failed_logins_are_limited_per_username(db: Database) -> None:
    await _setup(db)
    async with running(db) as app:
        form = {"username": "lan.nt", "password": "wrong password"}
        codes = [
            (await app.client.post("/api/v1/auth/token", data=form)).status_code for _ in range(5)
        ]
        assert codes == [401] * 5
        blocked = await app.client.post(
            "/api/v1/auth/token", data={"username": "lan.nt", "password": PASSWORD}
        )
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "admin.auth.too_many_attempts"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60 + 1
        other = await app.client.post(
            "/api/v1/auth/token", data={"username": "someone.else", "password": "x" * 12}
        )
        assert other.status_code == 401  # the limit is per username, this client may go on


async def test_failed_logins_are_limited_per_client(db: Database) -> None:
    await _setup(db)
    recent = utcnow() - timedelta(minutes=1)
    async with db.sessions() as session, session.begin():
        session.add_all(
            LoginAttempt(at=recent, username=f"guess{n}", client="198.51.100.7", success=False)
            for n in range(19)
        )
    async with running(db) as app:
        last = {"username": "guess19", "password": "wrong password"}
        assert (await app.client.post("/api/v1/auth/token", data=last)).status_code == 401
        blocked = await app.client.post(
            "/api/v1/auth/token", data={"username": "lan.nt", "password": PASSWORD}
        )
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers


async def test_old_failures_no_longer_count(db: Database) -> None:
    await _setup(db)
    long_ago = utcnow() - timedelta(hours=2)
    async with db.sessions() as session, session.begin():
        session.add_all(
            LoginAttempt(at=long_ago, username="lan.nt", client="198.51.100.7", success=False)
            for _ in range(10)
        )
    async with running(db) as app:
        answer = await app.client.post(
            "/api/v1/auth/token", data={"username": "lan.nt", "password": PASSWORD}
        )
        assert answer.status_code == 200


async def test_expired_and_forged_tokens_are_refused(db: Database) -> None:
    _, officer, _ = await _setup(db)
    async with running(db) as app:
        old = issue_access_token(
            app.settings,
            officer_id=officer.id,
            role=officer.role,
            now=utcnow() - timedelta(hours=2),
        )
        expired = await app.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {old.token}"}
        )
        assert expired.status_code == 401 and expired.json()["code"] == "admin.auth.token_expired"
        assert expired.headers["WWW-Authenticate"] == "Bearer"
        forged = await app.client.get(
            "/api/v1/auth/me", headers={"Authorization": "Bearer " + old.token[:-4] + "AAAA"}
        )
        assert forged.status_code == 401
        missing = await app.client.get("/api/v1/auth/me")
        assert missing.status_code == 401 and missing.json()["code"] == "admin.auth.missing"


async def test_a_deactivated_officer_s_token_stops_working(db: Database) -> None:
    places, officer, _ = await _setup(db)
    async with db.sessions() as session, session.begin():
        admin = await add_officer(session, "admin", Role.PROVINCE_ADMIN, places.province)
    async with running(db) as app:
        headers = app.as_officer(officer)
        assert (await app.client.get("/api/v1/auth/me", headers=headers)).status_code == 200
        off = await app.client.patch(
            f"/api/v1/officers/{officer.id}", json={"active": False}, headers=app.as_officer(admin)
        )
        assert off.status_code == 200 and off.json()["active"] is False
        after = await app.client.get("/api/v1/auth/me", headers=headers)
        assert after.status_code == 401


async def test_api_keys_work_until_revoked(db: Database) -> None:
    places, _, key = await _setup(db)
    async with db.sessions() as session, session.begin():
        admin = await add_officer(session, "admin", Role.PROVINCE_ADMIN, places.province)
    async with running(db) as app:
        me = await app.client.get("/api/v1/auth/me", headers={"X-API-Key": key})
        assert me.status_code == 200 and me.json()["role"] == "payer"
        listed = await app.client.get("/api/v1/api-keys", headers=app.as_officer(admin))
        assert listed.json()["total"] == 1
        assert key.startswith(listed.json()["items"][0]["prefix"])
        assert "key" not in listed.json()["items"][0]
        key_id = listed.json()["items"][0]["id"]
        revoked = await app.client.delete(
            f"/api/v1/api-keys/{key_id}", headers=app.as_officer(admin)
        )
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        after = await app.client.get("/api/v1/auth/me", headers={"X-API-Key": key})
        assert after.status_code == 401 and after.json()["code"] == "admin.auth.api_key_invalid"
        bogus = await app.client.get("/api/v1/auth/me", headers={"X-API-Key": "ask_nothing"})
        assert bogus.status_code == 401


async def test_a_new_api_key_is_shown_once(db: Database) -> None:
    places, _, _ = await _setup(db)
    async with db.sessions() as session, session.begin():
        admin = await add_officer(session, "admin", Role.PROVINCE_ADMIN, places.province)
    async with running(db) as app:
        made = await app.client.post(
            "/api/v1/api-keys",
            json={"name": "Agribank", "area_codes": ["05977"]},
            headers=app.as_officer(admin),
        )
        assert made.status_code == 201, made.text
        secret = made.json()["key"]
        assert secret.startswith(made.json()["prefix"]) and len(secret) > 40
        me = await app.client.get("/api/v1/auth/me", headers={"X-API-Key": secret})
        assert [a["code"] for a in me.json()["areas"]] == ["05977"]
