"""The app on the test database, and callers of every role answering for commune A."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from models.audit.tables import AuditEntry
from models.officers.keys import create_api_key
from models.officers.roles import Role
from models.officers.tables import Officer, OfficerArea
from models.officers.tokens import issue_access_token
from models.places.tables import Area
from tests.admin_payments.helpers import Province, small_province
from tests.conftest import Database, make_test_settings

CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("unused-password")
OFFICER_ROLES = (Role.PROVINCE_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.AUDITOR)


@dataclass
class App:
    """The running app, a client, the places and a header set per caller."""

    app: FastAPI
    client: httpx.AsyncClient
    place: Province
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def a(self) -> Area:
        return self.place.communes[0]

    @property
    def b(self) -> Area:
        return self.place.communes[1]

    def session(self) -> AsyncSession:
        """A new session on the app's database."""
        return self.app.state.sessions()  # type: ignore[no-any-return]

    async def count(self, table: Any, *where: Any) -> int:
        """Rows of a table (matching `where`)."""
        async with self.session() as session:
            query = select(func.count()).select_from(table)
            return int(await session.scalar(query.where(*where)) or 0)

    async def audits(self) -> int:
        """Entries in the audit log."""
        return await self.count(AuditEntry)

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request under /api/v1 as `who`."""
        return await self.client.request(
            method, f"/api/v1{path}", headers=self.headers[who], **kwargs
        )


async def _officer(session: AsyncSession, username: str, role: Role, area: Area) -> Officer:
    officer = Officer(
        username=username, display_name=username, password_hash=CHEAP_HASH, role=role.value
    )
    session.add(officer)
    await session.flush()
    session.add(OfficerArea(officer_id=officer.id, area_id=area.id))
    await session.flush()
    return officer


async def _callers(
    session: AsyncSession, app: FastAPI, place: Province
) -> dict[str, dict[str, str]]:
    """One caller per role answering for commune A, a second commune officer of A, the
    province's officer (the whole province), and the payer's key for A."""
    settings = app.state.settings
    headers = {}
    people = [(role.value, role, place.communes[0]) for role in OFFICER_ROLES]
    people += [
        ("checker", Role.COMMUNE_OFFICER, place.communes[0]),
        ("province", Role.PROVINCE_OFFICER, place.province),
    ]
    for name, role, area in people:
        officer = await _officer(session, name, role, area)
        token = issue_access_token(settings, officer_id=officer.id, role=role.value)
        headers[name] = {"Authorization": f"Bearer {token.token}"}
    _, secret = await create_api_key(
        session, name="Agribank Lạng Sơn", area_ids=[place.communes[0].id], actor="test"
    )
    headers["payer"] = {"X-API-Key": secret}
    return headers


@asynccontextmanager
async def running(db: Database) -> AsyncIterator[App]:
    """The app with its lifespan (no scheduler), the small province and every caller."""
    settings = make_test_settings(db.url, run_scheduler=False, sandbox=True)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with app.state.sessions() as session, session.begin():
            place = await small_province(session)
            headers = await _callers(session, app, place)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://admin.test") as client:
            yield App(app, client, place, headers)
