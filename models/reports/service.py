"""The monthly report, per commune and for the province: who is paid how, what was paid,
accounts opened, ATM coverage and campaign reach. Each figure is one grouped query.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.errors import Conflict, NotFound
from models.messaging.tables import OutboxMessage
from models.paylists.generate import CASH_METHODS
from models.paylists.tables import PaymentLine, PaymentList
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary
from models.periods import Period
from models.places.loader import COMMUNE
from models.places.tables import Area, ServicePoint
from models.reports.tables import ReportSubmission
from models.sheets import FORMATS, ExportFile, write_table
from models.vocab import BeneficiaryStatus, ChoiceStatus

ACTIVE = BeneficiaryStatus.ACTIVE.value
OPENED = tuple(s.value for s in (ChoiceStatus.OPENED, ChoiceStatus.VERIFIED, ChoiceStatus.ACTIVE))
REACHED = ("sent", "delivered")
Grouped = dict[int, tuple[Any, ...]]


@dataclass
class Figures:
    """One commune's month (or the province's, with the commune fields empty)."""

    commune_id: int | None = None
    commune_code: str | None = None
    commune: str | None = None
    btxh: int = 0
    ncc: int = 0
    beneficiaries: int = 0
    choosing_non_cash: int = 0
    share_choosing_non_cash: float = 0.0
    list_status: str | None = None
    lines: int = 0
    amount: int = 0
    paid: int = 0
    paid_amount: int = 0
    failed: int = 0
    failed_amount: int = 0
    paid_non_cash: int = 0
    share_paid_non_cash: float = 0.0
    accounts_opened: int = 0
    atms: int = 0
    has_atm: bool = False
    campaign_people_reached: int = 0
    campaign_messages_sent: int = 0
    report_submitted: bool = False


COLUMNS = tuple(f.name for f in fields(Figures))
_SUMMED = (
    "btxh",
    "ncc",
    "beneficiaries",
    "choosing_non_cash",
    "lines",
    "amount",
    "paid",
    "paid_amount",
    "failed",
    "failed_amount",
    "paid_non_cash",
    "accounts_opened",
    "atms",
    "campaign_people_reached",
    "campaign_messages_sent",
)


@dataclass
class Report:
    """A month's report: one line per commune and the province's totals."""

    period: str
    communes: list[Figures] = field(default_factory=list)
    province: Figures = field(default_factory=Figures)
    communes_with_atm: int = 0


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_if(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _within(
    query: Select[*tuple[Any, ...]], column: Any, communes: Collection[int] | None
) -> Select[*tuple[Any, ...]]:
    return query if communes is None else query.where(column.in_(list(communes)))


async def _grouped(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> Grouped:
    """Rows of a query whose first column is a commune id, by that id."""
    return {row[0]: tuple(row[1:]) for row in (await session.execute(query)).all()}


async def _registry(session: AsyncSession, communes: Collection[int] | None) -> Grouped:
    """Active beneficiaries: BTXH, NCC."""
    query = (
        select(
            Beneficiary.commune_id,
            _count_if(Beneficiary.category == "BTXH"),
            _count_if(Beneficiary.category == "NCC"),
        )
        .where(Beneficiary.status == ACTIVE, Beneficiary.commune_id.is_not(None))
        .group_by(Beneficiary.commune_id)
    )
    return await _grouped(session, _within(query, Beneficiary.commune_id, communes))


async def _choosers(session: AsyncSession, communes: Collection[int] | None) -> Grouped:
    """Active beneficiaries whose latest choice is not cash."""
    latest = (
        select(func.max(PaymentMethodChoice.id).label("id"))
        .group_by(PaymentMethodChoice.beneficiary_id)
        .subquery()
    )
    query = (
        select(Beneficiary.commune_id, func.count())
        .join(PaymentMethodChoice, PaymentMethodChoice.beneficiary_id == Beneficiary.id)
        .join(latest, latest.c.id == PaymentMethodChoice.id)
        .where(Beneficiary.status == ACTIVE, PaymentMethodChoice.method.not_in(CASH_METHODS))
        .group_by(Beneficiary.commune_id)
    )
    return await _grouped(session, _within(query, Beneficiary.commune_id, communes))


async def _payments(
    session: AsyncSession, period: Period, communes: Collection[int] | None
) -> Grouped:
    """The month's list: status, lines, amount, paid, failed, paid without cash."""
    paid, failed = PaymentLine.result == "paid", PaymentLine.result == "failed"
    amount = PaymentLine.amount
    query = (
        select(
            PaymentList.commune_id,
            PaymentList.status,
            func.count(PaymentLine.id),
            func.coalesce(func.sum(amount), 0),
            _count_if(paid),
            _sum_if(paid, amount),
            _count_if(failed),
            _sum_if(failed, amount),
            _count_if(and_(paid, PaymentLine.method.not_in(CASH_METHODS))),
        )
        .outerjoin(PaymentLine, PaymentLine.list_id == PaymentList.id)
        .where(PaymentList.period == str(period))
        .group_by(PaymentList.commune_id, PaymentList.status)
    )
    return await _grouped(session, _within(query, PaymentList.commune_id, communes))


async def _opened(
    session: AsyncSession, start: datetime, end: datetime, communes: Collection[int] | None
) -> Grouped:
    """Accounts recorded as opened (or in use) during the month."""
    choice = PaymentMethodChoice
    query = (
        select(Beneficiary.commune_id, func.count())
        .join(choice, choice.beneficiary_id == Beneficiary.id)
        .where(
            choice.method.not_in(CASH_METHODS),
            choice.status.in_(OPENED),
            choice.created_at >= start,
            choice.created_at < end,
        )
        .group_by(Beneficiary.commune_id)
    )
    return await _grouped(session, _within(query, Beneficiary.commune_id, communes))


async def _atms(session: AsyncSession, communes: Collection[int] | None) -> Grouped:
    query = (
        select(ServicePoint.commune_id, func.count())
        .where(ServicePoint.kind == "atm", ServicePoint.status == "active")
        .group_by(ServicePoint.commune_id)
    )
    return await _grouped(session, _within(query, ServicePoint.commune_id, communes))


async def _reach(
    session: AsyncSession, start: datetime, end: datetime, communes: Collection[int] | None
) -> Grouped:
    """Campaign messages sent during the month to the commune's beneficiaries, and to whom."""
    query = (
        select(
            Beneficiary.commune_id, func.count(func.distinct(OutboxMessage.person_id)), func.count()
        )
        .join(Beneficiary, Beneficiary.person_id == OutboxMessage.person_id)
        .where(
            OutboxMessage.campaign_id.is_not(None),
            OutboxMessage.status.in_(REACHED),
            OutboxMessage.sent_at >= start,
            OutboxMessage.sent_at < end,
        )
        .group_by(Beneficiary.commune_id)
    )
    return await _grouped(session, _within(query, Beneficiary.commune_id, communes))


async def _submitted(session: AsyncSession, period: Period) -> set[int]:
    query = select(ReportSubmission.commune_id).where(ReportSubmission.period == str(period))
    return set((await session.scalars(query)).all())


def _fill(figures: Figures, found: dict[str, Grouped], submitted: set[int]) -> Figures:
    key = figures.commune_id or 0
    figures.btxh, figures.ncc = (int(v) for v in found["registry"].get(key, (0, 0)))
    figures.beneficiaries = figures.btxh + figures.ncc
    figures.choosing_non_cash = int(found["choosers"].get(key, (0,))[0])
    payments = found["payments"].get(key)
    if payments is not None:
        figures.list_status = payments[0]
        (
            figures.lines,
            figures.amount,
            figures.paid,
            figures.paid_amount,
            figures.failed,
            figures.failed_amount,
            figures.paid_non_cash,
        ) = (int(v) for v in payments[1:])
    figures.accounts_opened = int(found["opened"].get(key, (0,))[0])
    figures.atms = int(found["atms"].get(key, (0,))[0])
    figures.has_atm = figures.atms > 0
    reach = found["reach"].get(key, (0, 0))
    figures.campaign_people_reached, figures.campaign_messages_sent = int(reach[0]), int(reach[1])
    figures.report_submitted = key in submitted
    _shares(figures)
    return figures


def _shares(figures: Figures) -> None:
    figures.share_choosing_non_cash = _share(figures.choosing_non_cash, figures.beneficiaries)
    figures.share_paid_non_cash = _share(figures.paid_non_cash, figures.paid)


async def monthly_report(
    session: AsyncSession,
    *,
    period: str,
    tz: Any,
    communes: Collection[int] | None = None,
) -> Report:
    """The report of `period` for the communes given (all when None) and their total."""
    month = Period.parse(period)
    start, end = month.bounds(tz)
    found = {
        "registry": await _registry(session, communes),
        "choosers": await _choosers(session, communes),
        "payments": await _payments(session, month, communes),
        "opened": await _opened(session, start, end, communes),
        "atms": await _atms(session, communes),
        "reach": await _reach(session, start, end, communes),
    }
    submitted = await _submitted(session, month)
    areas = _within(select(Area).where(Area.level == COMMUNE), Area.id, communes)
    report = Report(period=str(month))
    for area in sorted((await session.scalars(areas)).all(), key=lambda a: (a.search_name, a.code)):
        figures = Figures(commune_id=area.id, commune_code=area.code, commune=area.name)
        report.communes.append(_fill(figures, found, submitted))
    report.province = _total(report.communes)
    report.communes_with_atm = sum(1 for f in report.communes if f.has_atm)
    return report


def _total(lines: list[Figures]) -> Figures:
    total = Figures()
    for line in lines:
        for name in _SUMMED:
            setattr(total, name, getattr(total, name) + getattr(line, name))
    total.has_atm = bool(lines) and all(line.has_atm for line in lines)
    total.report_submitted = bool(lines) and all(line.report_submitted for line in lines)
    _shares(total)
    return total


def report_rows(report: Report) -> list[list[Any]]:
    """The report as table rows: one per commune, then the province's total."""
    rows = [[getattr(f, name) for name in COLUMNS] for f in report.communes]
    total = [getattr(report.province, name) for name in COLUMNS]
    total[COLUMNS.index("commune")] = "TOTAL"
    return [*rows, total]


async def submit_report(
    session: AsyncSession, *, commune_id: int, period: str, actor: str, tz: Any
) -> ReportSubmission:
    """Submit a commune's report for the month: its figures are kept as they are now."""
    month = Period.parse(period)
    exists = await session.scalar(
        select(ReportSubmission.id).where(
            ReportSubmission.commune_id == commune_id, ReportSubmission.period == str(month)
        )
    )
    if exists is not None:
        raise Conflict("admin.report.already_submitted", period=str(month))
    report = await monthly_report(session, period=str(month), tz=tz, communes=[commune_id])
    if not report.communes:
        raise NotFound("places.commune.not_found", commune_id=commune_id)
    figures = {name: getattr(report.communes[0], name) for name in COLUMNS}
    submission = ReportSubmission(
        commune_id=commune_id, period=str(month), figures=figures, submitted_by=actor
    )
    session.add(submission)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="submit",
        entity="report",
        entity_id=submission.id,
        details={"commune_id": commune_id, "period": str(month)},
    )
    return submission


def report_file(report: Report, fmt: str) -> ExportFile:
    """The report as CSV or XLSX."""
    content = write_table(fmt, COLUMNS, report_rows(report), title=f"report {report.period}")
    return ExportFile(content, f"report-{report.period}.{fmt}", FORMATS[fmt], len(report.communes))
