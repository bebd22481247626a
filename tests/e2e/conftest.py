"""End-to-end fixtures: the fake providers, and Lạng Sơn's units with an ATM to find."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.places.service import add_service_point, load_organisations, load_units
from models.places.tables import Area
from tests.conftest import Database

COMMUNE = "Phường Đông Kinh"


@pytest.fixture
async def places(db: Database) -> Database:
    """The database with the 65 communes and an ATM and a payment point in Đông Kinh."""
    async with db.sessions() as session, session.begin():
        await load_units(session)
        await load_organisations(session)
        query = select(Area).where(Area.level == "commune", Area.name == COMMUNE)
        commune = (await session.scalars(query)).one()
        await add_service_point(
            session, kind="atm", name="ATM Agribank Đông Kinh", commune_id=commune.id,
            address="Số 2 Lê Lợi", latitude=21.8537, longitude=106.7615,
            operator_name="Agribank", opening_hours="24/7",
        )  # fmt: skip
    return db
