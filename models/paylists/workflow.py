"""A list's way: draft → submitted → approved (by another officer) → exported → results
imported → reconciled → closed. Every step is audited; a submitted list can be sent back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.messaging.hours import zone
from models.messaging.service import enqueue
from models.paylists.files import payer_file
from models.paylists.generate import CASH_METHODS
from models.paylists.tables import PaymentLine, PaymentList
from models.protection import DataProtector
from models.settings import Settings, get_settings
from models.sheets import ExportFile

EXPORTABLE = ("approved", "exported", "results_imported")


async def _locked(session: AsyncSession, list_id: int, expected: Sequence[str]) -> PaymentList:
    """The list, locked for this transaction, in one of the expected statuses."""
    found = await session.get(PaymentList, list_id, with_for_update=True, populate_existing=True)
    if found is None:
        raise NotFound("admin.pay.list_not_found", id=list_id)
    if found.status not in expected:
        raise Conflict("admin.pay.wrong_status", status=found.status, expected=", ".join(expected))
    return found


async def _audit(
    session: AsyncSession, payment_list: PaymentList, actor: str, action: str, **details: object
) -> None:
    await record(
        session,
        actor=actor,
        action=action,
        entity="payment_list",
        entity_id=payment_list.id,
        details={"period": payment_list.period, "commune_id": payment_list.commune_id, **details},
    )
    await session.flush()


async def submit_list(
    session: AsyncSession, *, list_id: int, actor: str, now: datetime | None = None
) -> PaymentList:
    """Send a draft for approval."""
    found = await _locked(session, list_id, ("draft",))
    lines = await session.scalar(select(func.count()).where(PaymentLine.list_id == list_id))
    if not lines:
        raise Conflict("admin.pay.list_empty")
    found.status, found.submitted_by, found.submitted_at = "submitted", actor, now or utcnow()
    await _audit(session, found, actor, "submit")
    return found


async def return_list(
    session: AsyncSession, *, list_id: int, actor: str, reason: str
) -> PaymentList:
    """Send a submitted list back to draft, saying why."""
    found = await _locked(session, list_id, ("submitted",))
    found.status, found.returned_reason = "draft", reason.strip()[:500] or None
    found.submitted_by = found.submitted_at = None
    await _audit(session, found, actor, "return", reason=found.returned_reason)
    return found


def _check_cash(cash_date: date | None, cash_place: str | None, today: date) -> None:
    if (cash_date is None) != (not (cash_place or "").strip()):
        raise Invalid("admin.pay.cash_details_incomplete")
    if cash_date is not None and cash_date < today:
        raise Invalid("admin.pay.cash_date_past", date=cash_date.isoformat())


async def approve_list(
    session: AsyncSession,
    *,
    list_id: int,
    actor: str,
    now: datetime | None = None,
    cash_date: date | None = None,
    cash_place: str | None = None,
    settings: Settings | None = None,
) -> PaymentList:
    """Approve a submitted list; the approver must be another officer than its maker."""
    settings = settings or get_settings()
    now = now or utcnow()
    found = await _locked(session, list_id, ("submitted",))
    if actor in (found.created_by, found.submitted_by):
        raise Conflict("admin.pay.same_officer")
    _check_cash(cash_date, cash_place, now.astimezone(zone(settings.timezone)).date())
    found.status, found.approved_by, found.approved_at = "approved", actor, now
    await _audit(session, found, actor, "approve")
    if cash_date is not None and cash_place:
        await set_cash_payout(
            session, payment_list=found, day=cash_date, place=cash_place, settings=settings, now=now
        )
    return found


async def set_cash_payout(
    session: AsyncSession,
    *,
    payment_list: PaymentList,
    day: date,
    place: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> int:
    """Record when and where cash is paid and tell each cash payee (again if the date
    changes); the number told."""
    settings = settings or get_settings()
    payment_list.cash_date, payment_list.cash_place = day, " ".join(place.split())[:300]
    tz = zone(settings.timezone)
    # The notice is useless after the payout day: it expires at the end of it.
    expires = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    query = select(PaymentLine).where(
        PaymentLine.list_id == payment_list.id,
        PaymentLine.method.in_(CASH_METHODS),
        PaymentLine.result == "pending",
    )
    told = 0
    for line in (await session.scalars(query)).all():
        params = {"date": day.isoformat(), "place": payment_list.cash_place, "amount": line.amount}
        queued = await enqueue(
            session,
            person_id=line.person_id,
            key="notice.cash_payout",
            params=params,
            message_class="notice",
            idempotency_key=f"payline:{line.id}:cash:{day.isoformat()}",
            expires_at=expires,
            settings=settings,
            now=now,
        )
        told += queued is not None
    return told


async def export_list(
    session: AsyncSession,
    *,
    list_id: int,
    actor: str,
    protector: DataProtector,
    fmt: str = "csv",
    now: datetime | None = None,
    cash_date: date | None = None,
    cash_place: str | None = None,
    settings: Settings | None = None,
) -> ExportFile:
    """The payer's file of an approved list (again on request); every export is audited."""
    settings = settings or get_settings()
    now = now or utcnow()
    found = await _locked(session, list_id, EXPORTABLE)
    _check_cash(cash_date, cash_place, now.astimezone(zone(settings.timezone)).date())
    if found.status == "approved":
        found.status, found.exported_by, found.exported_at = "exported", actor, now
    if cash_date is not None and cash_place:
        await set_cash_payout(
            session, payment_list=found, day=cash_date, place=cash_place, settings=settings, now=now
        )
    exported = await payer_file(session, payment_list=found, protector=protector, fmt=fmt)
    digest = hashlib.sha256(exported.content).hexdigest()
    await _audit(session, found, actor, "export", format=fmt, lines=exported.lines, sha256=digest)
    return exported


async def reconcile_list(
    session: AsyncSession, *, list_id: int, actor: str, now: datetime | None = None
) -> PaymentList:
    """Confirm every line has its result (paid or failed)."""
    found = await _locked(session, list_id, ("results_imported",))
    pending = await session.scalar(
        select(func.count()).where(PaymentLine.list_id == list_id, PaymentLine.result == "pending")
    )
    if pending:
        raise Conflict("admin.pay.results_missing", count=pending)
    found.status, found.reconciled_by, found.reconciled_at = "reconciled", actor, now or utcnow()
    await _audit(session, found, actor, "reconcile")
    return found


async def close_list(
    session: AsyncSession, *, list_id: int, actor: str, now: datetime | None = None
) -> PaymentList:
    """Close a reconciled list: the month is done."""
    found = await _locked(session, list_id, ("reconciled",))
    found.status, found.closed_by, found.closed_at = "closed", actor, now or utcnow()
    await _audit(session, found, actor, "close")
    return found
