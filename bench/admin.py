"""The officers' heavy reads and writes, each next to the plain SQL doing the same counting:

- generating a month's payment lists (65 communes, 100,000 beneficiaries) with the change list
  against the month before, beside one grouped query of the same control totals;
- the province's monthly report, beside the same counts as plain grouped queries;
- a campaign preview over 1,000,000 people, beside one exact counting query.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import Figure, Timer, fresh_database, make_engine, make_sessionmaker
from bench.population import CHUNK, analyze, seed
from models.bulk import bulk_insert
from models.messaging.campaigns import enqueue_campaign
from models.outreach.audience import AudienceSpec
from models.outreach.preview import preview
from models.paylists.service import generate_lists, totals
from models.paylists.tables import PaymentList
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary
from models.places.service import add_service_point, list_communes, load_units
from models.protection import DataProtector
from models.reports.service import monthly_report
from models.settings import Settings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SEEDED_AT = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # 10:00 in Lạng Sơn, before the 15th
BEFORE, MONTH = "2026-10", "2026-11"
TELEGRAM_EVERY, OPTED_OUT_EVERY = 5, 100
NEWCOMERS = 1_000  # beneficiaries added during the month: the increases of the change list
# (method, status, provider) by beneficiary number modulo 20: 11 bank, 2 wallet, 5 cash, 2 none
PLAN = [("bank_account", "active", "AGRIBANK")] * 11 + [
    ("mobile_money", "active", "VIETTEL_MONEY")
] * 2
PLAN += [("cash_point", "active", None)] * 5 + [None] * 2


def _beneficiaries(first: int, last: int, communes: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "person_id": i,
            "category": "NCC" if i % 6 == 0 else "BTXH",
            "commune_id": communes[i % len(communes)],
            "status": "active",
            "monthly_amount": 3_012_000 if i % 6 == 0 else 540_000,
            "created_at": SEEDED_AT,
            "updated_at": SEEDED_AT,
        }
        for i in range(first, last)
    ]


def _choices(first: int, last: int, protector: DataProtector) -> list[dict[str, Any]]:
    rows = []
    for i in range(first, last):
        plan = PLAN[i % len(PLAN)]
        if plan is None:
            continue
        method, status, provider = plan
        account = f"{10**11 + i}" if method == "bank_account" else None
        rows.append(_choice(i, method, status, provider, account, protector))
    return rows


def _choice(
    beneficiary: int,
    method: str,
    status: str,
    provider: str | None,
    account: str | None,
    protector: DataProtector,
) -> dict[str, Any]:
    return {
        "beneficiary_id": beneficiary,
        "method": method,
        "provider_code": provider,
        "account_enc": protector.encrypt(account) if account else None,
        "account_hash": protector.lookup_hash(account) if account else None,
        "account_masked": f"******{account[-4:]}" if account else None,
        "holder": "beneficiary",
        "status": status,
        "source": "import",
        "confirmation_code": f"B{beneficiary:07d}"[-8:],
        "cash_reason": "Người cao tuổi" if method == "cash_point" else None,
        "created_at": SEEDED_AT,
        "status_changed_at": SEEDED_AT,
    }


def _ranges(first: int, last: int) -> Iterator[tuple[int, int]]:
    for start in range(first, last, CHUNK):
        yield start, min(start + CHUNK, last)


async def _registry(
    sessions: async_sessionmaker[AsyncSession], first: int, last: int, protector: DataProtector
) -> None:
    """Beneficiaries first..last-1 (people of the same ids) spread over every commune."""
    async with sessions() as session, session.begin():
        communes = [c.id for c in await list_communes(session)]
        for start, end in _ranges(first, last):
            await bulk_insert(session, Beneficiary, _beneficiaries(start, end, communes))
            await bulk_insert(session, PaymentMethodChoice, _choices(start, end, protector))
    await analyze(sessions)


async def _places(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The province's units and an ATM in two communes of three."""
    async with sessions() as session, session.begin():
        await load_units(session)
        for n, commune in enumerate(await list_communes(session)):
            if n % 3:
                await add_service_point(
                    session, kind="atm", name=f"ATM {n}", address="Trung tâm", commune_id=commune.id
                )


async def _a_month_passes(
    sessions: async_sessionmaker[AsyncSession], count: int, protector: DataProtector
) -> None:
    """Last month's lists paid and its campaign sent; then the registry moves: newcomers,
    raises, deaths, accounts opened."""
    async with sessions() as session, session.begin():
        await session.execute(update(PaymentList).values(status="results_imported"))
        await session.execute(
            text(
                "UPDATE payment_lines SET result = "
                "CASE WHEN id % 25 = 0 THEN 'failed' ELSE 'paid' END"
            )
        )
        await session.execute(
            text("UPDATE outbox SET status = 'sent', sent_at = :at WHERE id % 3 <> 0"),
            {"at": SEEDED_AT},
        )
        await session.execute(
            text("UPDATE beneficiaries SET monthly_amount = 600000 WHERE id % 50 = 1")
        )
        await session.execute(
            text("UPDATE beneficiaries SET status = 'deceased' WHERE id % 100 = 2")
        )
        opened = [
            _choice(i, "bank_account", "opened", "VCB", f"{2 * 10**11 + i}", protector)
            for i in range(13, count + 1, 40)
        ]
        await bulk_insert(session, PaymentMethodChoice, opened)
    await _registry(sessions, count + 1, count + NEWCOMERS + 1, protector)


GENERATED_TOTALS = """
SELECT count(*), coalesce(sum(b.monthly_amount), 0)
FROM beneficiaries b
LEFT JOIN LATERAL (
    SELECT c.method, c.status FROM payment_method_choices c
    WHERE c.beneficiary_id = b.id
      AND (c.method IN ('cash_point', 'cash_home')
           OR c.status IN ('opened', 'verified', 'active', 'closed'))
    ORDER BY c.id DESC LIMIT 1
) c ON true
WHERE b.status = 'active' AND b.commune_id IS NOT NULL AND b.monthly_amount IS NOT NULL
GROUP BY b.commune_id, coalesce(c.method, 'cash_point')
"""
REPORT_COUNTS = [
    "SELECT commune_id, category, count(*) FROM beneficiaries WHERE status = 'active' "
    "GROUP BY commune_id, category",
    "SELECT b.commune_id, count(*) FROM beneficiaries b JOIN payment_method_choices c "
    "ON c.id = (SELECT max(id) FROM payment_method_choices WHERE beneficiary_id = b.id) "
    "WHERE b.status = 'active' AND c.method NOT IN ('cash_point', 'cash_home') GROUP BY 1",
    "SELECT l.commune_id, l.status, count(p.id), sum(p.amount), "
    "sum(CASE WHEN p.result = 'paid' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN p.result = 'failed' THEN 1 ELSE 0 END) FROM payment_lists l "
    "LEFT JOIN payment_lines p ON p.list_id = l.id WHERE l.period = '2026-10' GROUP BY 1, 2",
    "SELECT commune_id, count(*) FROM service_points WHERE kind = 'atm' AND status = 'active' "
    "GROUP BY 1",
    "SELECT b.commune_id, count(DISTINCT o.person_id), count(*) FROM outbox o "
    "JOIN beneficiaries b ON b.person_id = o.person_id WHERE o.campaign_id IS NOT NULL "
    "AND o.status IN ('sent', 'delivered') GROUP BY 1",
]
AUDIENCE_COUNT = """
SELECT count(*),
       sum(CASE WHEN EXISTS (SELECT 1 FROM contact_addresses a WHERE a.person_id = b.person_id
                AND a.address LIKE 'telegram:%' AND a.opted_out_at IS NULL) THEN 1 ELSE 0 END),
       sum(CASE WHEN EXISTS (SELECT 1 FROM contact_addresses a WHERE a.person_id = b.person_id
                AND a.address LIKE 'tel:%' AND a.opted_out_at IS NULL) THEN 1 ELSE 0 END)
FROM beneficiaries b WHERE b.status = 'active'
"""


async def _timed_sql(sessions: async_sessionmaker[AsyncSession], *statements: str) -> float:
    with Timer() as timer:
        async with sessions() as session:
            for statement in statements:
                (await session.execute(text(statement))).all()
    return timer.seconds


async def _generate(
    sessions: async_sessionmaker[AsyncSession], period: str
) -> tuple[float, int, int]:
    """Seconds, lines and amount of the province's lists of `period`."""
    with Timer() as timer:
        async with sessions() as session, session.begin():
            made = await generate_lists(session, period=period, actor="bench", now=NOW)
    async with sessions() as session:
        figures = [await totals(session, pl.id) for pl in made.lists]
    return timer.seconds, sum(f.count for f in figures), sum(f.amount for f in figures)


async def _lists_and_report(
    sessions: async_sessionmaker[AsyncSession], kind: str, count: int, protector: DataProtector
) -> list[Figure]:
    await _generate(sessions, BEFORE)
    async with sessions() as session, session.begin():
        await enqueue_campaign(
            session,
            campaign_id=1,
            person_ids=select(Beneficiary.person_id),
            key="campaign.text",
            params={"text": "Tin"},
            now=SEEDED_AT,
        )
    await _a_month_passes(sessions, count, protector)
    baseline = await _timed_sql(sessions, GENERATED_TOTALS)
    seconds, lines, amount = await _generate(sessions, MONTH)
    plain = await _timed_sql(sessions, *REPORT_COUNTS)
    with Timer() as timer:
        async with sessions() as session:
            report = await monthly_report(session, period=BEFORE, tz=TZ)
    assert report.province.beneficiaries == lines, (report.province.beneficiaries, lines)
    return [
        Figure("control totals, plain SQL (baseline)", kind, lines, baseline),
        Figure(
            "generate month's lists + change list",
            kind,
            lines,
            seconds,
            baseline,
            f"65 communes, {amount:,} VND",
        ),
        Figure("report counts, plain SQL (baseline)", kind, count, plain),
        Figure("province monthly report", kind, count, timer.seconds, plain, "65 communes"),
    ]


async def _preview(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, kind: str
) -> list[Figure]:
    async with sessions() as session:
        plain = await _timed_sql(sessions, AUDIENCE_COUNT)
        with Timer() as timer:
            seen = await preview(
                session,
                spec=AudienceSpec(),
                texts={"vi": "Mời Ông/Bà mở tài khoản."},
                sms_texts={},
                starts_at=NOW,
                settings=settings,
            )
    return [
        Figure("audience count + channels, plain SQL (baseline)", kind, seen.audience, plain),
        Figure(
            "campaign preview",
            kind,
            seen.audience,
            timer.seconds,
            plain,
            f"cost {seen.cost_vnd:,} VND, sampled" if seen.sampled else "exact",
        ),
    ]


async def _one(kind: str, beneficiaries: int, people: int) -> list[Figure]:
    async with fresh_database(kind) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        protector = DataProtector.from_settings(settings)
        with Timer() as seeding:
            await _places(sessions)
            await seed(
                sessions, people, telegram_every=TELEGRAM_EVERY, opted_out_every=OPTED_OUT_EVERY
            )
            await _registry(sessions, 1, beneficiaries + 1, protector)
        print(f"seeded {people:,} people on {kind} in {seeding.seconds:.1f} s (not timed)")
        figures = await _lists_and_report(sessions, kind, beneficiaries, protector)
        await _registry(sessions, beneficiaries + NEWCOMERS + 1, people + 1, protector)
        figures += await _preview(sessions, settings, kind)
        await engine.dispose()
        return figures


async def run(
    kinds: list[str], beneficiaries: int = 100_000, people: int = 1_000_000
) -> list[Figure]:
    """The three measures on each database."""
    figures = []
    for kind in kinds:
        figures.extend(await _one(kind, beneficiaries, people))
    return figures
