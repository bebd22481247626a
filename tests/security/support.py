"""What the attack tests share: a picture of the whole database (to prove nothing changed), and
Lạng Sơn with a beneficiary who can identify themselves to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.messaging.tables import OutboxMessage
from models.outreach.campaigns import create_campaign
from models.outreach.sessions import create_session
from models.paylists.service import generate_list
from models.paylists.workflow import approve_list, submit_list
from models.payments.tables import PaymentMethodChoice
from models.people.service import create_beneficiary, create_person
from models.places.service import load_organisations, load_units
from models.places.tables import Area
from models.protection import DataProtector
from models.registry import Base
from models.requests.service import (
    DataRequestKind,
    ReviewKind,
    ask_question,
    create_data_request,
    create_review_item,
)
from models.vocab import Category, PaymentMethod
from tests.admin_payments.helpers import NOW, beneficiary
from tests.conftest import TEST_KEY


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """Rows per table, and every outbox message's status: equal snapshots = nothing changed."""
    found: dict[str, Any] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            found[table.name] = await session.scalar(select(func.count()).select_from(table))
        statuses = await session.execute(
            select(OutboxMessage.id, OutboxMessage.status).order_by(OutboxMessage.id)
        )
        found["outbox statuses"] = [tuple(row) for row in statuses.all()]
    return found


@dataclass(frozen=True)
class Someone:
    """A beneficiary, with what they would type to identify themselves."""

    id: int
    cccd: str
    birth: str  # as typed, dd/mm/yyyy
    commune_id: int


HOME = "Phường Đông Kinh"


async def lang_son(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Load Lạng Sơn's units and the banks' offices; the id of one commune."""
    async with sessions() as session, session.begin():
        await load_units(session)
        await load_organisations(session)
        query = select(Area.id).where(Area.level == "commune", Area.name == HOME)
        return int((await session.scalars(query)).one())


async def someone(
    sessions: async_sessionmaker[AsyncSession],
    commune_id: int,
    *,
    name: str = "Nông Văn Lâm",
    cccd: str = "020050001234",
    birth: date = date(1950, 3, 5),
) -> Someone:
    """A beneficiary of `commune_id` with a CCCD and a date of birth."""
    async with sessions() as session, session.begin():
        person = await create_person(
            session, protector=DataProtector(TEST_KEY), full_name=name, birth_date=birth, cccd=cccd
        )
        found = await create_beneficiary(
            session, person=person, category=Category.BTXH, commune_id=commune_id, actor="test"
        )
    return Someone(found.id, cccd, birth.strftime("%d/%m/%Y"), commune_id)


async def admin_rows(session: Any, area: Area, number: int) -> dict[str, Any]:
    """A beneficiary with a review, a question, a data request, an approved payment list, a
    campaign and an account-opening session in `area` (ids by kind, and the commune's)."""
    person = await beneficiary(
        session, commune_id=area.id, number=number, method=PaymentMethod.CASH_POINT
    )
    choice = await session.scalar(
        select(PaymentMethodChoice.id).where(PaymentMethodChoice.beneficiary_id == person.id)
    )
    review = await create_review_item(session, kind=ReviewKind.METHOD_CHANGE, payload={},
                                      beneficiary_id=person.id, commune_id=area.id,
                                      choice_id=choice)  # fmt: skip
    question = await ask_question(session, channel="sms", address=f"tel:+8491200{number:04d}",
                                  text="Khi nào có tiền?", commune_id=area.id, now=NOW)  # fmt: skip
    request = await create_data_request(session, kind=DataRequestKind.ACCESS, channel="sms",
                                        address=f"tel:+8491200{number:04d}",
                                        person_id=person.person_id, now=NOW)  # fmt: skip
    approved = await generate_list(session, commune_id=area.id, period="2026-02", actor="t")
    await submit_list(session, list_id=approved.id, actor="t")
    await approve_list(session, list_id=approved.id, actor="c", now=NOW)
    campaign = await create_campaign(session, actor="t", title="T", text_vi="Nội dung",
                                     commune_ids=[area.id])  # fmt: skip
    meeting = await create_session(session, commune_id=area.id, held_on=NOW.date(),
                                   start_time=time(8), end_time=time(11), place="UBND",
                                   documents="CCCD", actor="t", bank_code="AGRIBANK")  # fmt: skip
    return {"commune": area.id, "person": person.id, "review": review.id,
            "question": question.id, "data_request": request.id, "approved": approved.id,
            "campaign": campaign.id, "session": meeting.id}  # fmt: skip
