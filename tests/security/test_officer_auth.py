"""Officer endpoints without a valid token, and with another area's scope: one endpoint per router.

tests/admin and tests/admin_payments hold the full role x area x endpoint matrix; this table
checks that no router was left outside authentication and that each scoped router answers a
row of another commune exactly like a row that does not exist.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from models.base import utcnow
from models.officers.roles import Role
from models.officers.tables import Officer, OfficerArea
from models.officers.tokens import issue_access_token
from models.settings import DEV_KEY
from tests.admin_payments.api_support import CHEAP_HASH, App, running
from tests.conftest import Database, make_test_settings
from tests.security.support import admin_rows, snapshot


@dataclass(frozen=True)
class Route:
    """The representative endpoint of one router; `scoped` when it reads one area's row."""

    router: str
    method: str
    path: str
    scoped: bool = False


ROUTES = [
    Route("auth", "GET", "/auth/me"),
    Route("access", "GET", "/officers"),
    Route("beneficiaries", "GET", "/beneficiaries/{person}", scoped=True),
    Route("transfers", "GET", "/beneficiaries/export"),
    Route("reviews", "GET", "/reviews/{review}", scoped=True),
    Route("reconciliation", "GET", "/reconciliation"),
    Route("data_requests", "GET", "/data-requests/{data_request}", scoped=True),
    Route("questions", "GET", "/questions/{question}", scoped=True),
    Route("audit", "GET", "/audit"),
    Route("payment_lists", "GET", "/payment-lists/{approved}", scoped=True),
    Route("payment_results", "POST", "/payment-results"),
    Route("campaigns", "GET", "/campaigns/{campaign}", scoped=True),
    Route("sessions", "GET", "/account-opening-sessions/{session}", scoped=True),
    Route("service_points", "GET", "/service-points"),
    Route("reports", "GET", "/reports/monthly?period=2026-03&commune_id={commune}", scoped=True),
]


async def _targets(app: App) -> dict[str, dict[str, Any]]:
    """One row of each scoped kind in commune A (own) and commune B (other)."""
    found: dict[str, dict[str, Any]] = {}
    async with app.session() as session, session.begin():
        for label, area, number in (("own", app.a, 11), ("other", app.b, 12)):
            found[label] = await admin_rows(session, area, number)
    return found


async def _officer_of_a(app: App) -> Officer:
    async with app.session() as session, session.begin():
        officer = Officer(username="security.a", display_name="security.a",
                          password_hash=CHEAP_HASH, role=Role.PROVINCE_ADMIN.value)  # fmt: skip
        session.add(officer)
        await session.flush()
        session.add(OfficerArea(officer_id=officer.id, area_id=app.place.province.id))
        return officer


def _unsigned_token(officer_id: int) -> str:
    """A token with alg 'none': claims anyone could write."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(utcnow().timestamp())
    claims = {"sub": f"officer:{officer_id}", "role": "province_admin", "iat": now,
              "exp": now + 600, "iss": "ansinh", "aud": "ansinh-admin"}  # fmt: skip
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bad_credentials(app: App, officer: Officer) -> dict[str, dict[str, str]]:
    """Every way of not being signed in, for a province admin who does exist."""
    settings = app.app.state.settings
    other = make_test_settings(settings.database_url, auth_secret="another-secret-" + "x" * 32)

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    expired = issue_access_token(settings, officer_id=officer.id, role=officer.role,
                                 now=utcnow() - timedelta(hours=2))  # fmt: skip
    foreign = issue_access_token(other, officer_id=officer.id, role=officer.role)
    guessed = jwt.encode({"sub": f"officer:{officer.id}"}, DEV_KEY, algorithm="HS256")
    return {
        "none": {},
        "expired": bearer(expired.token),
        "other secret": bearer(foreign.token),
        "alg none": bearer(_unsigned_token(officer.id)),
        "guessed key": bearer(guessed),
        "garbage": bearer("not-a-token"),
        "basic": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "unknown api key": {"X-API-Key": "ask_" + "A" * 43},
    }


def _path(route: Route, target: dict[str, Any]) -> str:
    return route.path.format(**target)


async def test_every_router_refuses_requests_without_a_valid_token(db: Database) -> None:
    async with running(db) as app:
        targets = await _targets(app)
        officer = await _officer_of_a(app)
        valid = app.app.state.settings
        good = issue_access_token(valid, officer_id=officer.id, role=officer.role)
        before = await snapshot(app.app.state.sessions)
        wrong: list[tuple[str, str, int]] = []
        for route in ROUTES:
            for name, headers in _bad_credentials(app, officer).items():
                path = "/api/v1" + _path(route, targets["own"])
                response = await app.client.request(route.method, path, headers=headers)
                if response.status_code != 401 or "www-authenticate" not in response.headers:
                    wrong.append((route.router, name, response.status_code))
        after = await snapshot(app.app.state.sessions)
        me = await app.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {good.token}"}
        )
    assert wrong == []
    assert after == before  # a refused request leaves no trace (no audit entry, no message)
    assert me.status_code == 200  # the same officer with a genuine token is let in


async def test_scoped_routers_answer_another_area_s_rows_as_missing(db: Database) -> None:
    async with running(db) as app:
        targets = await _targets(app)
        answers: dict[str, tuple[int, int, int]] = {}
        for route in (r for r in ROUTES if r.scoped):
            own, other = _path(route, targets["own"]), _path(route, targets["other"])
            mine = await app.call("commune_officer", route.method, own)
            theirs = await app.call("commune_officer", route.method, other)
            province = await app.call("province", route.method, other)
            answers[route.router] = (mine.status_code, theirs.status_code, province.status_code)
    assert answers == {router: (200, 404, 200) for router in answers}, answers
