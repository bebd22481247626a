"""Demo data: a believable registry spread over Lạng Sơn's 65 communes (fictional people).

Every number here is made up but valid in form (CCCD prefixes, mobile numbers, bank BINs), so the
whole product can be tried with `make run`. Coordinates are approximate, for demonstration only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.payments.service import record_choice
from models.people.representations import request_representation, verify_representation
from models.people.service import add_contact_address, create_beneficiary, create_person
from models.people.tables import Beneficiary
from models.places.service import add_service_point, list_communes
from models.places.tables import Area
from models.protection import DataProtector
from models.vocab import Category, ChoiceStatus, PaymentMethod, RepresentationKind, Source

SURNAMES = [
    "Hoàng",
    "Nông",
    "Lương",
    "Vi",
    "Lăng",
    "Chu",
    "Hà",
    "Lục",
    "Triệu",
    "Nguyễn",
    "Lý",
    "Đinh",
    "Hứa",
    "Mạc",
    "Hoàng Thị",
    "Vy",
    "La",
    "Đàm",
    "Lâm",
    "Trần",
]
MIDDLE_MALE = ["Văn", "Đức", "Công", "Minh", "Quang", "Thanh"]
MIDDLE_FEMALE = ["Thị", "Thị Thu", "Thị Kim", "Thị Ngọc", "Thị Hồng"]
GIVEN_MALE = ["Sáng", "Páo", "Thắng", "Khải", "Lợi", "Hùng", "Tiến", "Bình", "Nam", "Tùng"]
GIVEN_FEMALE = ["Mai", "Lan", "Nhàn", "Hoa", "Thảo", "Dung", "Nga", "Hằng", "Phượng", "Yến"]
BTXH_SUBCATEGORIES = [
    "Người cao tuổi từ 80 tuổi",
    "Người khuyết tật nặng",
    "Người khuyết tật đặc biệt nặng",
    "Trẻ em mồ côi",
    "Hộ nghèo đơn thân",
]
NCC_SUBCATEGORIES = [
    "Thương binh",
    "Bệnh binh",
    "Thân nhân liệt sĩ",
    "Người hoạt động kháng chiến",
    "Người có công giúp đỡ cách mạng",
]
VILLAGES = [
    "Thôn Nà Lầu",
    "Thôn Bản Chu",
    "Thôn Khòn Pát",
    "Thôn Pác Cáp",
    "Thôn Nà Pàn",
    "Thôn Còn Quan",
    "Bản Khiếng",
    "Thôn Pò Mới",
]
BANKS = ["AGRIBANK", "BID", "VCB", "ICB"]
MOBILE_PREFIXES = [
    "086",
    "096",
    "097",
    "098",
    "032",
    "035",
    "038",
    "088",
    "091",
    "094",
    "081",
    "070",
    "079",
    "077",
    "089",
    "056",
    "058",
]
CITY = (21.853, 106.761)  # Lạng Sơn city centre


@dataclass
class DemoReport:
    """How much demo data was made."""

    beneficiaries: int = 0
    proxies: int = 0
    service_points: int = 0


def _cccd(rng: random.Random, birth: date, female: bool) -> str:
    century = (birth.year // 100 - 19) * 2 + female
    prefix = "020" if rng.random() < 0.9 else rng.choice(["001", "004", "019", "024", "026"])
    return f"{prefix}{century}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def _phone(rng: random.Random) -> str:
    return f"+84{rng.choice(MOBILE_PREFIXES)[1:]}{rng.randrange(10**7):07d}"


def _name(rng: random.Random, female: bool) -> str:
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{rng.choice(SURNAMES).split()[0]} {middle} {given}"


def _is_ward(commune: Area) -> bool:
    """A ward (phường) of the city, not a rural commune."""
    return commune.kind == "phường"


def _position(rng: random.Random, commune: Area) -> tuple[float, float]:
    spread = random.Random(int(commune.code))  # a stable demo spot per commune
    reach = 0.03 if _is_ward(commune) else 0.5  # the city's wards lie around its centre
    lat = CITY[0] + spread.uniform(-reach, reach) + rng.uniform(-0.01, 0.01)
    lon = CITY[1] + spread.uniform(-reach, reach) + rng.uniform(-0.01, 0.01)
    return round(lat, 5), round(lon, 5)


async def is_empty(session: AsyncSession) -> bool:
    """Whether the registry has no beneficiary yet."""
    return not await session.scalar(select(func.count()).select_from(Beneficiary))


async def make_demo(
    session: AsyncSession,
    *,
    protector: DataProtector,
    per_commune: int = 8,
    seed: int = 2026,
    today: date | None = None,
) -> DemoReport:
    """Create demo beneficiaries, proxies, choices and service points in every commune."""
    rng = random.Random(seed)
    report = DemoReport()
    communes = await list_communes(session)
    for index, commune in enumerate(communes):
        report.service_points += await _service_points(session, rng, commune, index)
        for _ in range(per_commune):
            await _beneficiary(session, rng, protector, commune, report, today or date.today())
    return report


async def _service_points(
    session: AsyncSession, rng: random.Random, commune: Area, index: int
) -> int:
    lat, lon = _position(rng, commune)
    place = commune.name.split(" ", 1)[1]
    await add_service_point(
        session,
        kind="post_office",
        name=f"Bưu điện {place}",
        commune_id=commune.id,
        address=f"Trung tâm {commune.name}",
        latitude=lat,
        longitude=lon,
        operator_name="VNPost",
        opening_hours="07:30-17:00, T2-T7",
    )
    if index % 5 == 4 and not _is_ward(commune):  # one rural commune in five has no ATM yet
        return 1
    await add_service_point(
        session,
        kind="atm",
        name=f"ATM Agribank {place}",
        commune_id=commune.id,
        address=f"Cạnh UBND {commune.name}",
        latitude=lat + 0.002,
        longitude=lon + 0.002,
        operator_name="Agribank",
        opening_hours="24/7",
    )
    return 2


async def _beneficiary(
    session: AsyncSession,
    rng: random.Random,
    protector: DataProtector,
    commune: Area,
    report: DemoReport,
    today: date,
) -> None:
    category = Category.NCC if rng.random() < 0.17 else Category.BTXH
    female = rng.random() < 0.55
    birth = date(rng.randint(1930, 1966), rng.randint(1, 12), rng.randint(1, 28))
    person = await create_person(
        session,
        protector=protector,
        full_name=_name(rng, female),
        birth_date=birth,
        gender="female" if female else "male",
        cccd=_cccd(rng, birth, female),
    )
    await add_contact_address(session, person_id=person.id, address=f"tel:{_phone(rng)}")
    subs = NCC_SUBCATEGORIES if category == Category.NCC else BTXH_SUBCATEGORIES
    bedridden = rng.random() < 0.05
    beneficiary = await create_beneficiary(
        session,
        person=person,
        category=category,
        commune_id=commune.id,
        actor="demo",
        sub_category=rng.choice(subs),
        village=rng.choice(VILLAGES),
        monthly_amount=rng.choice([540_000, 810_000, 1_080_000])
        if category == Category.BTXH
        else rng.choice([3_012_000, 2_259_000, 1_506_000]),
        special_circumstances="Nằm liệt giường, không có người đi nhận thay" if bedridden else None,
        cash_at_home_allowed=bedridden,
    )
    report.beneficiaries += 1
    await _choice(session, rng, protector, beneficiary.id, person.full_name, bedridden)
    if rng.random() < 0.2:
        await _proxy(session, rng, protector, beneficiary.id, today)
        report.proxies += 1


async def _choice(
    session: AsyncSession,
    rng: random.Random,
    protector: DataProtector,
    beneficiary_id: int,
    name: str,
    bedridden: bool,
) -> None:
    roll = rng.random()
    if bedridden:
        method, reason = PaymentMethod.CASH_HOME, "bedridden"
    elif roll < 0.45:
        method, reason = PaymentMethod.BANK_ACCOUNT, None
    elif roll < 0.55:
        method, reason = PaymentMethod.MOBILE_MONEY, None
    elif roll < 0.8:
        method, reason = PaymentMethod.CASH_POINT, rng.choice(["no_account_yet", "prefers_cash"])
    else:
        return  # not chosen yet: the bot and the officers will ask
    account = f"{rng.randrange(10**12, 10**13)}" if method.needs_account else None
    provider = {
        PaymentMethod.BANK_ACCOUNT: rng.choice(BANKS),
        PaymentMethod.MOBILE_MONEY: "VIETTEL_MONEY",
    }.get(method)
    await record_choice(
        session,
        protector=protector,
        beneficiary_id=beneficiary_id,
        method=method,
        source=Source.IMPORT,
        actor="demo",
        provider_code=provider,
        account_number=account,
        holder_name=name if account else None,
        expected_names=(name,),
        cash_reason=reason,
        status=ChoiceStatus.ACTIVE if account else ChoiceStatus.REQUESTED,
    )


async def _proxy(
    session: AsyncSession,
    rng: random.Random,
    protector: DataProtector,
    beneficiary_id: int,
    today: date,
) -> None:
    female = rng.random() < 0.5
    birth = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
    proxy = await create_person(
        session,
        protector=protector,
        full_name=_name(rng, female),
        birth_date=birth,
        gender="female" if female else "male",
        cccd=_cccd(rng, birth, female),
    )
    await add_contact_address(session, person_id=proxy.id, address=f"tel:{_phone(rng)}")
    kind = RepresentationKind.GUARDIAN if rng.random() < 0.2 else RepresentationKind.AUTHORIZED
    representation = await request_representation(
        session,
        beneficiary_id=beneficiary_id,
        proxy_person_id=proxy.id,
        kind=kind,
        actor="demo",
        relationship_to=rng.choice(["con", "cháu", "vợ/chồng"]),
        valid_from=today,
        valid_until=date(today.year + 1, today.month, 1),
        evidence_ref=f"GUQ-{rng.randrange(10**5):05d}",
    )
    if rng.random() < 0.7:
        await verify_representation(session, representation_id=representation.id, officer="demo")
