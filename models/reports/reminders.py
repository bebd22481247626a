"""Reminding commune officers, from the 10th, that the month's list or report is not submitted.

Officers' accounts hold no phone or chat address, so an officer who wants reminders records one
here (officer_contacts). Every reminder is kept (officer_reminders, one per commune, month and
kind) whether or not anyone could be told, so the province sees it through the API; each contact
is told once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.errors import Invalid, NotFound
from models.messaging.service import enqueue
from models.paylists.tables import PaymentList
from models.people.service import channel_of
from models.periods import DUE_DAY, WARN_FROM_DAY, Period
from models.places.loader import COMMUNE
from models.places.tables import Area
from models.reports.tables import OfficerContact, OfficerReminder, ReportSubmission
from models.settings import Settings, get_settings

KINDS = {"payment_list": "officer.payment_list_due", "report": "officer.report_due"}
# A list is "submitted" once it left the commune's hands.
SUBMITTED = ("submitted", "approved", "exported", "results_imported", "reconciled", "closed")


async def add_contact(
    session: AsyncSession,
    *,
    officer: str,
    address: str,
    commune_id: int | None,
    locale: str = "vi",
) -> OfficerContact:
    """Record where an officer wants reminders (idempotent per officer and address)."""
    channel_of(address)  # Invalid unless tel:, telegram: or zalo:
    if locale not in ("vi", "en"):
        raise Invalid("admin.report.locale_unknown", locale=locale)
    if commune_id is not None:
        area = await session.get(Area, commune_id)
        if area is None or area.level != COMMUNE:
            raise NotFound("places.commune.not_found", commune_id=commune_id)
    query = select(OfficerContact).where(
        OfficerContact.officer == officer, OfficerContact.address == address
    )
    contact = (await session.scalars(query)).first()
    if contact is None:
        contact = OfficerContact(officer=officer, address=address)
        session.add(contact)
    contact.commune_id, contact.locale, contact.active = commune_id, locale, True
    await session.flush()
    return contact


def contacts_query(*, officer: str | None = None) -> Select[OfficerContact]:
    """Officers' reminder addresses."""
    query = select(OfficerContact).order_by(OfficerContact.id)
    return query if officer is None else query.where(OfficerContact.officer == officer)


def reminders_query(
    *, period: str | None = None, commune_id: int | None = None, kind: str | None = None
) -> Select[OfficerReminder]:
    """Reminders recorded, newest first."""
    query = select(OfficerReminder).order_by(OfficerReminder.id.desc())
    if period is not None:
        query = query.where(OfficerReminder.period == str(Period.parse(period)))
    if commune_id is not None:
        query = query.where(OfficerReminder.commune_id == commune_id)
    if kind is not None:
        query = query.where(OfficerReminder.kind == kind)
    return query


async def _late(session: AsyncSession, period: Period) -> list[tuple[Area, str]]:
    """(commune, kind) for every commune whose list or report of the month is not in."""
    lists = select(PaymentList.commune_id).where(
        PaymentList.period == str(period), PaymentList.status.in_(SUBMITTED)
    )
    reports = select(ReportSubmission.commune_id).where(ReportSubmission.period == str(period))
    sent_lists = set((await session.scalars(lists)).all())
    sent_reports = set((await session.scalars(reports)).all())
    areas = (await session.scalars(select(Area).where(Area.level == COMMUNE))).all()
    late = [(a, "payment_list") for a in areas if a.id not in sent_lists]
    late += [(a, "report") for a in areas if a.id not in sent_reports]
    return sorted(late, key=lambda pair: (pair[0].code, pair[1]))


async def remind_officers(
    session: AsyncSession,
    *,
    today: date,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """From the 10th to the 15th, record and send each missing reminder once; the number new."""
    if not WARN_FROM_DAY <= today.day <= DUE_DAY:
        return 0
    settings, now = settings or get_settings(), now or utcnow()
    period = Period.of(today)
    done = select(OfficerReminder.commune_id, OfficerReminder.kind).where(
        OfficerReminder.period == str(period)
    )
    already = {(row[0], row[1]) for row in (await session.execute(done)).all()}
    created = 0
    for area, kind in await _late(session, period):
        if (area.id, kind) in already:
            continue
        reminder = OfficerReminder(
            commune_id=area.id, period=str(period), kind=kind, due=period.due()
        )
        session.add(reminder)
        await session.flush()
        reminder.queued = await _tell(session, reminder, area, settings, now)
        created += 1
    await session.flush()
    return created


async def _tell(
    session: AsyncSession, reminder: OfficerReminder, area: Area, settings: Settings, now: datetime
) -> int:
    """Queue the reminder to each of the commune's officers who gave an address."""
    query = select(OfficerContact).where(
        OfficerContact.commune_id == area.id, OfficerContact.active.is_(True)
    )
    params = {"commune": area.name, "period": reminder.period, "due": reminder.due.isoformat()}
    told = 0
    for contact in (await session.scalars(query)).all():
        await enqueue(
            session,
            person_id=None,
            address=contact.address,
            key=KINDS[reminder.kind],
            params=params,
            message_class="officer",
            locale=contact.locale,
            idempotency_key=f"officer:{reminder.kind}:{reminder.period}:{area.id}:{contact.id}",
            settings=settings,
            now=now,
        )
        told += 1
    return told
