"""Every role x own area / other area x every admin endpoint: allowed, 403, or 404 with no leak.

Each principal answers for commune A. A target in commune B must be answered exactly like a
target that does not exist (404), lists must not show B's rows, and a refused request must
leave no trace in the audit log (every write is audited, so nothing was written).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from models.audit.tables import AuditEntry
from models.db import make_engine, make_sessionmaker
from models.officers.keys import create_api_key
from models.officers.roles import (
    ADMIN,
    AUDIT,
    OFFICERS,
    PRIVACY,
    READERS,
    RECONCILE_FULL,
    RECONCILERS,
    Role,
)
from models.officers.tables import Officer
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary
from models.places.tables import Area
from models.requests.service import (
    DataRequestKind,
    ReviewKind,
    ask_question,
    create_data_request,
    create_review_item,
)
from models.vocab import PaymentMethod
from tests.admin.helpers import (
    NOW,
    Places,
    Running,
    add_beneficiary,
    add_officer,
    csv_bytes,
    running,
    small_province,
)
from tests.conftest import PG_URL, _truncate_postgres, make_test_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROLES = (Role.PROVINCE_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.AUDITOR, Role.PAYER)
WHERE = ("own", "other")
REASON = "Kiểm tra quyền truy cập"
_numbers = count(100)


@dataclass
class World:
    """The running app, the two communes and one principal of each role answering for A."""

    app: Running
    places: Places
    headers: dict[Role, dict[str, str]] = field(default_factory=dict)

    async def make(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        """Run `work(session)` in its own committed transaction."""
        async with self.app.app.state.sessions() as session, session.begin():
            return await work(session)

    async def audit_count(self) -> int:
        async with self.app.app.state.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def _fresh_url(template: str, tmp: Path) -> str:
    if PG_URL:
        engine = make_engine(make_test_settings(template))
        await _truncate_postgres(engine)
        await engine.dispose()
        return template
    target = tmp / "matrix.db"
    shutil.copyfile(Path(template.split("///", 1)[1]), target)
    return f"sqlite+aiosqlite:///{target}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    url = await _fresh_url(template_db, tmp_path_factory.mktemp("matrix"))
    engine = make_engine(make_test_settings(url))
    async with make_sessionmaker(engine)() as session, session.begin():
        places = await small_province(session)
        officers = {
            role: await add_officer(session, f"{role.value.replace('_', '.')}.a", role, places.a)
            for role in ROLES
            if role != Role.PAYER
        }
        _, key = await create_api_key(session, name="bank", area_ids=[places.a.id], actor="test")
    await engine.dispose()
    async with running(url) as app:
        found = World(app, places)
        for role, officer in officers.items():
            found.headers[role] = app.as_officer(officer)
        found.headers[Role.PAYER] = {"X-API-Key": key}
        yield found


# --- targets ------------------------------------------------------------------------------------
def _area(world: World, where: str) -> Area:
    return world.places.a if where == "own" else world.places.b


async def beneficiary(world: World, where: str, number: int | None = None, **kw: Any) -> int:
    area, number = _area(world, where), number or next(_numbers)
    made = await world.make(lambda s: add_beneficiary(s, area, number, **kw))
    return int(made.id)


async def suspended(world: World, where: str) -> int:
    target = await beneficiary(world, where)

    async def suspend(session: Any) -> None:
        found = await session.get(Beneficiary, target)
        found.status = "suspended"

    await world.make(suspend)
    return target


async def review(world: World, where: str) -> int:
    area, number = _area(world, where), next(_numbers)

    async def work(session: Any) -> int:
        person = await add_beneficiary(session, area, number, method=PaymentMethod.CASH_POINT)
        choice = await session.scalar(
            select(PaymentMethodChoice.id).where(PaymentMethodChoice.beneficiary_id == person.id)
        )
        item = await create_review_item(session, kind=ReviewKind.METHOD_CHANGE, payload={},
                                        beneficiary_id=person.id, commune_id=area.id,
                                        choice_id=choice)  # fmt: skip
        return int(item.id)

    return int(await world.make(work))


async def question(world: World, where: str) -> int:
    area = _area(world, where)
    made = await world.make(lambda s: ask_question(
        s, channel="sms", address="tel:+84912000111", text="Hỏi cán bộ", commune_id=area.id,
        now=NOW))  # fmt: skip
    return int(made.id)


async def data_request(
    world: World, where: str, kind: DataRequestKind = DataRequestKind.ACCESS
) -> int:
    area, number = _area(world, where), next(_numbers)

    async def work(session: Any) -> int:
        person = await add_beneficiary(session, area, number)
        made = await create_data_request(session, kind=kind, channel="sms",
                                         address="tel:+84912000111", person_id=person.person_id,
                                         now=NOW)  # fmt: skip
        return int(made.id)

    return int(await world.make(work))


async def officer(world: World, where: str) -> int:
    area, number = _area(world, where), next(_numbers)
    made: Officer = await world.make(
        lambda s: add_officer(s, f"target{number}", Role.COMMUNE_OFFICER, area)
    )
    return made.id


async def api_key(world: World, where: str) -> int:
    area = _area(world, where)
    view, _ = await world.make(lambda s: create_api_key(s, name="k", area_ids=[area.id], actor="t"))
    return int(view.key.id)


# --- the endpoints ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """What one case sends."""

    method: str
    url: str
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    probe: tuple[str, int] | None = None  # a list must (own) or must not (other) show this row


Build = Callable[[World, str], Awaitable[Call]]


@dataclass(frozen=True)
class Endpoint:
    """An endpoint, who may call it, and how an out-of-area call shows."""

    name: str
    roles: tuple[Role, ...]
    build: Build
    success: int = 200
    other: str = "404"  # "404", "empty" (a list without B's rows), "same" (no area), "422"


async def _b(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/beneficiaries/{await beneficiary(world, where)}")


async def _b_full(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/beneficiaries/{await beneficiary(world, where)}",
                params={"reason": REASON})  # fmt: skip


async def _b_patch(world: World, where: str) -> Call:
    return Call("PATCH", f"/api/v1/beneficiaries/{await beneficiary(world, where)}",
                json={"village": "Thôn Mới"})  # fmt: skip


async def _b_suspend(world: World, where: str) -> Call:
    target = await beneficiary(world, where)
    return Call("POST", f"/api/v1/beneficiaries/{target}/suspend", json={"reason": REASON})


async def _b_resume(world: World, where: str) -> Call:
    target = await suspended(world, where)
    return Call("POST", f"/api/v1/beneficiaries/{target}/resume", json={"reason": REASON})


async def _b_deceased(world: World, where: str) -> Call:
    target = await beneficiary(world, where)
    return Call("POST", f"/api/v1/beneficiaries/{target}/deceased", json={"reason": REASON})


async def _b_create(world: World, where: str) -> Call:
    number = next(_numbers)
    body = {"full_name": "Mới Đăng Ký", "cccd": f"020045{number:06d}", "category": "BTXH",
            "commune_id": _area(world, where).id}  # fmt: skip
    return Call("POST", "/api/v1/beneficiaries", json=body)


async def _b_list(world: World, where: str) -> Call:
    target = await beneficiary(world, where)
    return Call("GET", "/api/v1/beneficiaries", params={"commune_id": _area(world, where).id},
                probe=("id", target))  # fmt: skip


async def _b_search(world: World, where: str) -> Call:
    number = next(_numbers)
    target = await beneficiary(world, where, number=number)
    return Call("POST", "/api/v1/beneficiaries/search", json={"cccd": f"020041{number:06d}"},
                probe=("id", target))  # fmt: skip


async def _b_export(world: World, where: str) -> Call:
    await beneficiary(world, where)
    return Call("GET", "/api/v1/beneficiaries/export",
                params={"commune_id": _area(world, where).id, "reason": REASON})  # fmt: skip


async def _b_import(world: World, where: str) -> Call:
    name = _area(world, where).name
    data = csv_bytes("Họ và tên,Số CCCD,Đối tượng,Xã/Phường",
                     f"Người Nhập,020046{next(_numbers):06d},BTXH,{name}")  # fmt: skip
    return Call("POST", "/api/v1/beneficiaries/import", files={"file": ("l.csv", data)},
                data={"dry_run": "false"})  # fmt: skip


async def _r_list(world: World, where: str) -> Call:
    target = await review(world, where)
    return Call("GET", "/api/v1/reviews", params={"commune_id": _area(world, where).id},
                probe=("id", target))  # fmt: skip


async def _r_read(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/reviews/{await review(world, where)}")


async def _r_decide(world: World, where: str) -> Call:
    return Call("POST", f"/api/v1/reviews/{await review(world, where)}/decision",
                json={"approve": True})  # fmt: skip


async def _rec_list(world: World, where: str) -> Call:
    target = await beneficiary(world, where)
    return Call("GET", "/api/v1/reconciliation",
                params={"commune_id": _area(world, where).id, "limit": 500},
                probe=("beneficiary_id", target))  # fmt: skip


async def _rec_export(world: World, where: str) -> Call:
    await beneficiary(world, where, method=PaymentMethod.BANK_ACCOUNT)
    return Call("GET", "/api/v1/reconciliation/export",
                params={"commune_id": _area(world, where).id})  # fmt: skip


async def _rec_export_full(world: World, where: str) -> Call:
    await beneficiary(world, where, method=PaymentMethod.BANK_ACCOUNT)
    return Call("GET", "/api/v1/reconciliation/export",
                params={"commune_id": _area(world, where).id, "reason": REASON})  # fmt: skip


async def _d_list(world: World, where: str) -> Call:
    target = await data_request(world, where)
    return Call("GET", "/api/v1/data-requests", params={"limit": 500}, probe=("id", target))


async def _d_create(world: World, where: str) -> Call:
    body = {"beneficiary_id": await beneficiary(world, where), "kind": "access"}
    return Call("POST", "/api/v1/data-requests", json=body)


async def _d_read(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/data-requests/{await data_request(world, where)}")


async def _d_patch(world: World, where: str) -> Call:
    return Call("PATCH", f"/api/v1/data-requests/{await data_request(world, where)}",
                json={"status": "acknowledged"})  # fmt: skip


async def _d_export(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/data-requests/{await data_request(world, where)}/export")


async def _d_anonymise(world: World, where: str) -> Call:
    target = await data_request(world, where, DataRequestKind.DELETION)
    return Call("POST", f"/api/v1/data-requests/{target}/anonymise")


async def _q_list(world: World, where: str) -> Call:
    target = await question(world, where)
    return Call("GET", "/api/v1/questions", params={"commune_id": _area(world, where).id},
                probe=("id", target))  # fmt: skip


async def _q_read(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/questions/{await question(world, where)}")


async def _q_answer(world: World, where: str) -> Call:
    return Call("POST", f"/api/v1/questions/{await question(world, where)}/answer",
                json={"answer": "Ông/Bà đến UBND xã."})  # fmt: skip


async def _q_close(world: World, where: str) -> Call:
    return Call("POST", f"/api/v1/questions/{await question(world, where)}/close", json={})


async def _audit(world: World, where: str) -> Call:
    return Call("GET", "/api/v1/audit")


async def _me(world: World, where: str) -> Call:
    return Call("GET", "/api/v1/auth/me")


async def _o_list(world: World, where: str) -> Call:
    target = await officer(world, where)
    return Call("GET", "/api/v1/officers", params={"limit": 500}, probe=("id", target))


async def _o_read(world: World, where: str) -> Call:
    return Call("GET", f"/api/v1/officers/{await officer(world, where)}")


async def _o_patch(world: World, where: str) -> Call:
    return Call("PATCH", f"/api/v1/officers/{await officer(world, where)}",
                json={"display_name": "Tên mới"})  # fmt: skip


async def _o_create(world: World, where: str) -> Call:
    body = {"username": f"new{next(_numbers)}", "display_name": "Mới", "role": "commune_officer",
            "area_codes": [_area(world, where).code], "password": "một mật khẩu dài"}  # fmt: skip
    return Call("POST", "/api/v1/officers", json=body)


async def _k_list(world: World, where: str) -> Call:
    target = await api_key(world, where)
    return Call("GET", "/api/v1/api-keys", params={"limit": 500}, probe=("id", target))


async def _k_create(world: World, where: str) -> Call:
    body = {"name": "Bưu điện", "area_codes": [_area(world, where).code]}
    return Call("POST", "/api/v1/api-keys", json=body)


async def _k_revoke(world: World, where: str) -> Call:
    return Call("DELETE", f"/api/v1/api-keys/{await api_key(world, where)}")


ALL = (*READERS, Role.PAYER)
ENDPOINTS = (
    Endpoint("read beneficiary", READERS, _b),
    Endpoint("read beneficiary in full", OFFICERS, _b_full),
    Endpoint("correct beneficiary", OFFICERS, _b_patch),
    Endpoint("suspend", OFFICERS, _b_suspend),
    Endpoint("resume", OFFICERS, _b_resume),
    Endpoint("record death", OFFICERS, _b_deceased),
    Endpoint("register beneficiary", OFFICERS, _b_create, 201),
    Endpoint("list beneficiaries", READERS, _b_list, other="empty"),
    Endpoint("search beneficiaries", READERS, _b_search, other="empty"),
    Endpoint("export beneficiaries", OFFICERS, _b_export, other="header only"),
    Endpoint("import beneficiaries", OFFICERS, _b_import, other="422"),
    Endpoint("list reviews", READERS, _r_list, other="empty"),
    Endpoint("read review", READERS, _r_read),
    Endpoint("decide review", OFFICERS, _r_decide),
    Endpoint("reconciliation", RECONCILERS, _rec_list, other="empty"),
    Endpoint("reconciliation export", RECONCILERS, _rec_export, other="header only"),
    Endpoint("reconciliation export full", RECONCILE_FULL, _rec_export_full, other="header only"),
    Endpoint("list data requests", READERS, _d_list, other="empty"),
    Endpoint("enter data request", OFFICERS, _d_create, 201),
    Endpoint("read data request", READERS, _d_read),
    Endpoint("update data request", OFFICERS, _d_patch),
    Endpoint("export person", PRIVACY, _d_export),
    Endpoint("anonymise person", PRIVACY, _d_anonymise),
    Endpoint("list questions", READERS, _q_list, other="empty"),
    Endpoint("read question", READERS, _q_read),
    Endpoint("answer question", OFFICERS, _q_answer),
    Endpoint("close question", OFFICERS, _q_close),
    Endpoint("audit log", AUDIT, _audit, other="same"),
    Endpoint("who am I", ALL, _me, other="same"),
    Endpoint("list officers", ADMIN, _o_list, other="empty"),
    Endpoint("read officer", ADMIN, _o_read),
    Endpoint("change officer", ADMIN, _o_patch),
    Endpoint("create officer", ADMIN, _o_create, 201),
    Endpoint("list API keys", ADMIN, _k_list, other="empty"),
    Endpoint("create API key", ADMIN, _k_create, 201),
    Endpoint("revoke API key", ADMIN, _k_revoke),
)
CASES = [
    pytest.param(endpoint, role, where, id=f"{endpoint.name}-{role.value}-{where}")
    for endpoint in ENDPOINTS
    for role in ROLES
    for where in WHERE
]


async def _send(world: World, role: Role, call: Call) -> Any:
    return await world.app.client.request(
        call.method, call.url, json=call.json, params=call.params, files=call.files,
        data=call.data, headers=world.headers[role],
    )  # fmt: skip


@pytest.mark.parametrize(("endpoint", "role", "where"), CASES)
async def test_permission_matrix(world: World, endpoint: Endpoint, role: Role, where: str) -> None:
    call = await endpoint.build(world, where)
    before = await world.audit_count()
    answer = await _send(world, role, call)
    if role not in endpoint.roles:
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "admin.auth.forbidden"
        assert await world.audit_count() == before  # nothing was written
        return
    if where == "own" or endpoint.other == "same":
        assert answer.status_code == endpoint.success, answer.text
        if call.probe is not None:
            assert _shows(answer, call.probe), "the caller's own row is listed"
        if _audited(call):
            assert await world.audit_count() > before, "every write and full read is audited"
        return
    await _check_other(world, endpoint, call, answer, before)


def _audited(call: Call) -> bool:
    """Writes, full reads and exports leave an audit entry (a search and plain reads do not)."""
    if call.method != "GET":
        return not call.url.endswith(("/search", "/token"))
    return call.url.endswith("/export") or bool(call.params and "reason" in call.params)


def _shows(answer: Any, probe: tuple[str, int]) -> bool:
    field_, value = probe
    return any(item.get(field_) == value for item in answer.json()["items"])


async def _check_other(
    world: World, endpoint: Endpoint, call: Call, answer: Any, before: int
) -> None:
    """Out of area: as if it did not exist, and nothing of B's shows or changes."""
    if endpoint.other == "404":
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert await world.audit_count() == before
    elif endpoint.other == "422":
        assert answer.status_code == 422 and answer.json()["code"] == "admin.import.out_of_scope"
        assert await world.audit_count() == before
    elif endpoint.other == "empty":
        assert answer.status_code == 200 and call.probe is not None
        assert not _shows(answer, call.probe)
        b = world.places.b.id
        for row in answer.json()["items"]:
            assert b not in [a["id"] for a in row.get("areas", [])]
            assert (row.get("commune") or {}).get("id") != b and row.get("commune_id") != b
    else:  # a file: the header row and nothing else
        assert answer.status_code == 200
        assert len(answer.content.decode("utf-8-sig").strip().splitlines()) == 1


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_an_unknown_id_and_an_other_area_id_answer_alike(world: World, role: Role) -> None:
    other = await beneficiary(world, "other")
    hidden = await _send(world, role, Call("GET", f"/api/v1/beneficiaries/{other}"))
    missing = await _send(world, role, Call("GET", "/api/v1/beneficiaries/999999"))
    assert hidden.status_code == missing.status_code
    assert hidden.json()["code"] == missing.json()["code"]
    assert set(hidden.json()) == set(missing.json())


async def test_no_credentials_are_refused_everywhere(world: World) -> None:
    for endpoint in ENDPOINTS:
        call = await endpoint.build(world, "own")
        answer = await world.app.client.request(call.method, call.url, json=call.json,
                                                params=call.params, files=call.files,
                                                data=call.data)  # fmt: skip
        assert answer.status_code == 401, endpoint.name
