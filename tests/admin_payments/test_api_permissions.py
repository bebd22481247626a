"""Every role × own area / other area × the payment endpoints: allowed, 403, or 404 (no leak).

Each caller answers for commune A. A target in commune B is answered like a target that does
not exist (404), and a refused request leaves nothing behind (no audit entry, no message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from models.messaging.tables import OutboxMessage
from models.outreach.campaigns import create_campaign
from models.outreach.sessions import create_session
from models.paylists.service import generate_list
from models.paylists.workflow import approve_list, submit_list
from models.places.points import add_service_point
from models.vocab import PaymentMethod
from tests.admin_payments.api_support import App, running
from tests.admin_payments.helpers import NOW, beneficiary
from tests.conftest import Database

OFFICERS = {"province_admin", "province_officer", "commune_officer"}
READERS = OFFICERS | {"auditor"}
CALLERS = ("province_admin", "province_officer", "commune_officer", "auditor", "payer")


@dataclass
class Case:
    """One endpoint: how to call it for a target area, and who may."""

    method: str
    path: str
    allowed: set[str]
    body: dict[str, Any] | None = None
    scoped: bool = True  # False: the data is public to every allowed caller


async def _targets(app: App) -> dict[str, dict[str, Any]]:
    """A list (draft and approved), campaign, session, point and beneficiary per commune."""
    found: dict[str, dict[str, Any]] = {}
    async with app.session() as session, session.begin():
        for label, area, number in (("own", app.a, 1), ("other", app.b, 2)):
            person = await beneficiary(
                session, commune_id=area.id, number=number, method=PaymentMethod.BANK_ACCOUNT
            )
            draft = await generate_list(session, commune_id=area.id, period="2026-03", actor="m")
            earlier = await generate_list(session, commune_id=area.id, period="2026-02", actor="m")
            await submit_list(session, list_id=earlier.id, actor="m")
            await approve_list(session, list_id=earlier.id, actor="c", now=NOW)
            campaign = await create_campaign(
                session, actor="m", title="T", text_vi="Nội dung", commune_ids=[area.id]
            )
            meeting = await create_session(
                session,
                commune_id=area.id,
                held_on=NOW.date(),
                start_time=time(8),
                end_time=time(11),
                place="UBND",
                documents="CCCD",
                actor="m",
                bank_code="AGRIBANK",
            )
            point = await add_service_point(
                session, kind="atm", name="ATM", address="Số 1", commune_id=area.id
            )
            found[label] = {
                "commune": area.id,
                "draft": draft.id,
                "approved": earlier.id,
                "campaign": campaign.id,
                "session": meeting.id,
                "point": point.id,
                "person": person.id,
            }
    return found


SESSION = {
    "held_on": "2026-12-03",
    "start_time": "08:00",
    "end_time": "11:00",
    "place": "UBND",
    "documents": "CCCD",
    "bank_code": "AGRIBANK",
}
CASES = [
    Case("GET", "/payment-lists/{approved}", READERS | {"payer"}),
    Case("GET", "/payment-lists/{approved}/lines", READERS | {"payer"}),
    Case("GET", "/payment-lists/{approved}/removals", READERS | {"payer"}),
    Case("POST", "/payment-lists/{approved}/export", OFFICERS | {"payer"}, {"format": "csv"}),
    Case("POST", "/payment-lists", OFFICERS, {"period": "2026-04", "commune_id": "{commune}"}),
    Case("POST", "/payment-lists/{draft}/submit", OFFICERS),
    Case("POST", "/payment-lists/{draft}/return", OFFICERS, {"reason": "Sai số tiền"}),
    Case("POST", "/payment-lists/{draft}/approve", OFFICERS, {}),
    Case("POST", "/payment-lists/{draft}/reconcile", OFFICERS),
    Case("POST", "/payment-lists/{draft}/close", OFFICERS),
    Case("GET", "/campaigns/{campaign}", READERS),
    Case("GET", "/campaigns/{campaign}/preview", READERS),
    Case("GET", "/campaigns/{campaign}/stats", READERS),
    Case("GET", "/campaigns/{campaign}/failures", OFFICERS),
    Case(
        "POST",
        "/campaigns",
        OFFICERS,
        {"title": "T", "text_vi": "Nội dung", "commune_ids": ["{commune}"]},
    ),
    Case("PATCH", "/campaigns/{campaign}", OFFICERS, {"title": "Mới"}),
    Case("POST", "/campaigns/{campaign}/approve", OFFICERS),
    Case("POST", "/campaigns/{campaign}/schedule", OFFICERS, {"starts_at": "2026-12-01T01:00:00Z"}),
    Case("POST", "/campaigns/{campaign}/launch", OFFICERS),
    Case("POST", "/campaigns/{campaign}/pause", OFFICERS),
    Case("POST", "/campaigns/{campaign}/resend", OFFICERS),
    Case("POST", "/campaigns/{campaign}/cancel", OFFICERS),
    Case("GET", "/account-opening-sessions/{session}", READERS),
    Case("GET", "/account-opening-sessions/{session}/attendees", READERS),
    Case("POST", "/account-opening-sessions", OFFICERS, {**SESSION, "commune_id": "{commune}"}),
    Case("POST", "/account-opening-sessions/{session}/invitations", OFFICERS),
    Case(
        "POST",
        "/account-opening-sessions/{session}/attendees",
        OFFICERS,
        {"beneficiary_id": "{person}"},
    ),
    Case(
        "PUT",
        "/account-opening-sessions/{session}/attendees/{person}",
        OFFICERS,
        {"attended": False},
    ),
    Case("POST", "/account-opening-sessions/{session}/cancel", OFFICERS),
    Case("GET", "/service-points/{point}", READERS, scoped=False),
    Case(
        "POST",
        "/service-points",
        OFFICERS,
        {"kind": "atm", "name": "ATM 2", "address": "Số 2", "commune_id": "{commune}"},
    ),
    Case("PATCH", "/service-points/{point}", OFFICERS, {"opening_hours": "24/7"}),
    Case("POST", "/service-points/{point}/announce", OFFICERS),
    Case("GET", "/reports/monthly?period=2026-03&commune_id={commune}", READERS),
    Case(
        "POST",
        "/reports/monthly/submit",
        OFFICERS,
        {"commune_id": "{commune}", "period": "2026-03"},
    ),
    Case(
        "POST",
        "/officer-contacts",
        OFFICERS,
        {"address": "tel:+84912345678", "commune_id": "{commune}"},
    ),
]


def _fill(value: Any, target: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return target[value[1:-1]]
    if isinstance(value, str):
        return value.format(**target)
    if isinstance(value, list):
        return [_fill(v, target) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, target) for k, v in value.items()}
    return value


async def _refused(app: App, who: str, case: Case, target: dict[str, Any]) -> int:
    """The status of a request expected to be refused, checking it left nothing behind."""
    before = (await app.audits(), await app.count(OutboxMessage))
    response = await app.call(
        who, case.method, _fill(case.path, target), json=_fill(case.body, target)
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await app.audits(), await app.count(OutboxMessage)) == before, (who, case.path)
    return response.status_code


async def test_every_role_on_other_areas_and_forbidden_endpoints(db: Database) -> None:
    async with running(db) as app:
        targets = await _targets(app)
        failures = []
        for case in CASES:
            for who in CALLERS:
                if who not in case.allowed:
                    for label in ("own", "other"):
                        got = await _refused(app, who, case, targets[label])
                        if got != 403:
                            failures.append((who, case.method, case.path, label, got, 403))
                elif case.scoped:
                    got = await _refused(app, who, case, targets["other"])
                    if got != 404:
                        failures.append((who, case.method, case.path, "other", got, 404))
        assert failures == []


async def test_every_allowed_role_reaches_its_own_area(db: Database) -> None:
    async with running(db) as app:
        targets = await _targets(app)
        failures = []
        for case in CASES:
            for who in sorted(case.allowed):
                path, body = _fill(case.path, targets["own"]), _fill(case.body, targets["own"])
                response = await app.call(who, case.method, path, json=body)
                # a step refused by the workflow (409, 422) still passed the permission check
                if response.status_code in (401, 403, 404) or response.status_code >= 500:
                    failures.append((who, case.method, case.path, response.status_code))
        assert failures == []


async def test_unauthenticated_calls_are_refused(db: Database) -> None:
    async with running(db) as app:
        response = await app.client.get("/api/v1/payment-lists")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_deleting_a_point_needs_an_officer_of_its_commune(db: Database) -> None:
    async with running(db) as app:
        targets = await _targets(app)
        own, other = targets["own"]["point"], targets["other"]["point"]
        assert (await app.call("auditor", "DELETE", f"/service-points/{own}")).status_code == 403
        assert (await app.call("payer", "DELETE", f"/service-points/{own}")).status_code == 403
        assert (
            await app.call("commune_officer", "DELETE", f"/service-points/{other}")
        ).status_code == 404
        assert (
            await app.call("commune_officer", "DELETE", f"/service-points/{own}")
        ).status_code == 204
        assert (await app.call("province", "DELETE", f"/service-points/{other}")).status_code == 204
