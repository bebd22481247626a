"""Test data for the admin API: a small province, officers of every role, beneficiaries."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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
from models.payments.service import record_choice
from models.people.service import add_contact_address, create_beneficiary, create_person
from models.people.tables import Beneficiary
from models.places.names import search_key
from models.places.tables import Area, AreaLevel
from models.protection import DataProtector
from models.settings import Settings
from models.vocab import Category, PaymentMethod, Source
from tests.conftest import TEST_KEY, Database, make_test_settings

PROTECTOR = DataProtector(TEST_KEY)
PASSWORD = "mật khẩu đủ dài 2026"
# Cheap argon2 parameters keep the many test officers fast; logins upgrade them as in real use.
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@dataclass
class Places:
    """Lạng Sơn with two communes (A, B) and one former commune."""

    province: Area
    a: Area
    b: Area
    legacy: Area


async def small_province(session: AsyncSession) -> Places:
    """The province, two of today's communes and one former unit."""
    levels = (("province", 0, False), ("commune", 1, False), ("district", 1, True),
              ("legacy_commune", 2, True))  # fmt: skip
    for code, depth, old in levels:
        session.add(AreaLevel(code=code, depth=depth, name_vi=code, name_en=code, legacy=old))
    await session.flush()

    def area(
        code: str, level: str, kind: str, name: str, parent: Area | None, legacy: bool
    ) -> Area:
        made = Area(code=code, level=level, kind=kind, name=name, search_name=search_key(name),
                    parent_id=parent.id if parent else None, legacy=legacy)  # fmt: skip
        session.add(made)
        return made

    province = area("20", "province", "tỉnh", "Tỉnh Lạng Sơn", None, False)
    await session.flush()
    a = area("05977", "commune", "phường", "Phường Đông Kinh", province, False)
    b = area("06001", "commune", "xã", "Xã Hoàng Văn Thụ", province, False)
    district = area("178", "district", "huyện", "Huyện Văn Quan", province, True)
    await session.flush()
    legacy = area("06160", "legacy_commune", "xã", "Xã Tú Xuyên", district, True)
    await session.flush()
    return Places(province, a, b, legacy)


async def add_officer(
    session: AsyncSession, username: str, role: Role, *areas: Area, active: bool = True
) -> Officer:
    """An officer with the test password (cheaply hashed)."""
    officer = Officer(username=username, display_name=username, password_hash=CHEAP_HASH,
                      role=role.value, active=active)  # fmt: skip
    session.add(officer)
    await session.flush()
    session.add_all(OfficerArea(officer_id=officer.id, area_id=a.id) for a in areas)
    await session.flush()
    return officer


async def add_beneficiary(
    session: AsyncSession,
    commune: Area | None,
    number: int,
    *,
    name: str | None = None,
    phone: bool = True,
    method: PaymentMethod | None = None,
    account: str | None = None,
    category: Category = Category.BTXH,
) -> Beneficiary:
    """A beneficiary with a CCCD, a phone and maybe a payment choice."""
    person = await create_person(
        session, protector=PROTECTOR, full_name=name or f"Hoàng Văn Người {number}",
        cccd=f"020041{number:06d}",
    )  # fmt: skip
    if phone:
        await add_contact_address(session, person_id=person.id, address=f"tel:+8491{number:07d}")
    found = await create_beneficiary(
        session, person=person, category=category, commune_id=commune.id if commune else None,
        actor="test", monthly_amount=540_000,
    )  # fmt: skip
    if method is not None:
        cash = method.is_cash
        await record_choice(
            session, protector=PROTECTOR, beneficiary_id=found.id, method=method,
            source=Source.OFFICER, actor="test",
            provider_code="VBA" if method == PaymentMethod.BANK_ACCOUNT else None,
            account_number=None if cash else (account or f"8888{number:08d}"),
            cash_reason="Người cao tuổi" if cash else None,
        )  # fmt: skip
    return found


@dataclass
class Running:
    """The app, a client, and helpers to act as someone."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def as_officer(self, officer: Officer) -> dict[str, str]:
        """Authorization headers for `officer` (a token issued now)."""
        token = issue_access_token(self.settings, officer_id=officer.id, role=officer.role)
        return {"Authorization": f"Bearer {token.token}"}

    async def session(self) -> AsyncSession:
        """A new session on the app's database."""
        return self.app.state.sessions()

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        """Audit entries (of one action), oldest first."""
        async with self.app.state.sessions() as session:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if action:
                query = query.where(AuditEntry.action == action)
            return list((await session.scalars(query)).all())

    async def count(self, table: type) -> int:
        """Rows in a table."""
        async with self.app.state.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def app_settings(url: str, **overrides: Any) -> Settings:
    """Settings for the admin tests: the scheduler off, the sandbox on."""
    values: dict[str, Any] = {"run_scheduler": False, "sandbox": True}
    values.update(overrides)
    return make_test_settings(url, **values)


@asynccontextmanager
async def running(db: Database | str, **overrides: Any) -> AsyncIterator[Running]:
    """The app on the test database with its lifespan."""
    settings = app_settings(db if isinstance(db, str) else db.url, **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://admin.test") as client:
            yield Running(app, client, settings)


async def payer_key(session: AsyncSession, *areas: Area) -> str:
    """A payer API key reaching `areas`."""
    _, secret = await create_api_key(
        session, name="Ngân hàng", area_ids=[a.id for a in areas], actor="test"
    )
    return secret


def csv_bytes(*lines: str) -> bytes:
    """A CSV file from lines."""
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    """An XLSX file from rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
