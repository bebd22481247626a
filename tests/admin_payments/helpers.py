"""Test data for the admin payment tests: a small province, beneficiaries with their choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import OutboxMessage
from models.payments.service import record_choice
from models.people.service import add_contact_address, create_beneficiary, create_person
from models.people.tables import Beneficiary
from models.places.names import split_kind
from models.places.tables import Area, AreaLevel
from models.protection import DataProtector
from models.vocab import BeneficiaryStatus, Category, ChoiceStatus, PaymentMethod, Source
from tests.conftest import TEST_KEY

# 10:00 in Lạng Sơn on Tuesday 3 March 2026: inside every sending window
NOW = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
TODAY = date(2026, 3, 3)
PROTECTOR = DataProtector(TEST_KEY)


@dataclass
class Province:
    """A province with three communes."""

    province: Area
    communes: list[Area]


async def small_province(session: AsyncSession) -> Province:
    """Lạng Sơn with three communes, enough for scope and report tests."""
    for code, depth in (("province", 0), ("commune", 1)):
        session.add(AreaLevel(code=code, depth=depth, name_vi=code, name_en=code))
    await session.flush()
    province = Area(
        code="20", level="province", kind="tỉnh", name="Lạng Sơn", search_name="lang son"
    )
    session.add(province)
    await session.flush()
    communes = []
    for code, name in (
        ("05977", "Phường Đông Kinh"),
        ("06001", "Xã Hoàng Văn Thụ"),
        ("06010", "Xã Mai Pha"),
    ):
        kind, key = split_kind(name)
        area = Area(
            code=code,
            level="commune",
            kind=kind or "xã",
            name=name,
            search_name=key,
            parent_id=province.id,
        )
        session.add(area)
        communes.append(area)
    await session.flush()
    return Province(province, communes)


async def beneficiary(
    session: AsyncSession,
    *,
    commune_id: int,
    number: int,
    amount: int | None = 540_000,
    category: Category = Category.BTXH,
    method: PaymentMethod | None = None,
    status: ChoiceStatus = ChoiceStatus.ACTIVE,
    phone: bool = True,
    locale: str = "vi",
) -> Beneficiary:
    """A beneficiary with a CCCD, a phone and (optionally) a payment choice."""
    person = await create_person(
        session,
        protector=PROTECTOR,
        full_name=f"Hoàng Văn Người {number}",
        cccd=f"020041{number:06d}",
        locale=locale,
    )
    if phone:
        await add_contact_address(session, person_id=person.id, address=f"tel:+8491{number:07d}")
    found = await create_beneficiary(
        session,
        person=person,
        category=category,
        commune_id=commune_id,
        actor="test",
        monthly_amount=amount,
    )
    if method is not None:
        await choose(session, found.id, method, status=status, number=number)
    return found


async def choose(
    session: AsyncSession,
    beneficiary_id: int,
    method: PaymentMethod,
    *,
    status: ChoiceStatus = ChoiceStatus.ACTIVE,
    number: int = 1,
) -> None:
    """Record a payment choice (an Agribank account, or cash with a reason)."""
    account = method.needs_account
    await record_choice(
        session,
        protector=PROTECTOR,
        beneficiary_id=beneficiary_id,
        method=method,
        source=Source.OFFICER,
        actor="test",
        provider_code="AGRIBANK" if method == PaymentMethod.BANK_ACCOUNT else None,
        account_number=f"8888{number:08d}"
        if account and method != PaymentMethod.MOBILE_MONEY
        else None,
        cash_reason=None if account else "Người cao tuổi",
        status=status,
    )


async def set_status(session: AsyncSession, beneficiary_id: int, status: BeneficiaryStatus) -> None:
    """Change a beneficiary's status (deceased, suspended…)."""
    found = await session.get(Beneficiary, beneficiary_id)
    assert found is not None
    found.status = status.value
    await session.flush()


async def messages(session: AsyncSession, key: str | None = None) -> list[OutboxMessage]:
    """Outbox rows (of one key), oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if key is not None:
        query = query.where(OutboxMessage.key == key)
    return list((await session.scalars(query)).all())


async def crowd(
    session: AsyncSession,
    commune_id: int,
    count: int,
    *,
    start: int = 1000,
    telegram_every: int = 0,
    english_every: int = 0,
    no_phone_every: int = 0,
) -> list[int]:
    """`count` active beneficiaries with phones (some also on Telegram); their person ids."""
    from models.people.tables import ContactAddress, Person

    people = []
    for i in range(start, start + count):
        english = bool(english_every) and i % english_every == 0
        person = Person(
            full_name=f"Người {i}", search_name=f"nguoi {i}", locale="en" if english else "vi"
        )
        people.append(person)
    session.add_all(people)
    await session.flush()
    for i, person in zip(range(start, start + count), people, strict=True):
        session.add(
            Beneficiary(
                person_id=person.id, category="BTXH", commune_id=commune_id, monthly_amount=540_000
            )
        )
        if not (no_phone_every and i % no_phone_every == 0):
            session.add(
                ContactAddress(
                    person_id=person.id, channel="tel", address=f"tel:+8498{i:07d}", priority=1
                )
            )
        if telegram_every and i % telegram_every == 0:
            session.add(
                ContactAddress(
                    person_id=person.id,
                    channel="telegram",
                    address=f"telegram:{10**8 + i}",
                    priority=0,
                )
            )
    await session.flush()
    return [p.id for p in people]
