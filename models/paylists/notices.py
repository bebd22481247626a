"""Telling payees about their line: credited or failed (with what to do), once per line."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.service import PersonMessage, enqueue, enqueue_many
from models.paylists.generate import CASH_METHODS
from models.settings import Settings

# What a payee should do about each failure reason (payment.action.* labels).
ACTIONS = {
    "account_closed": "visit_commune",
    "account_invalid": "send_account",
    "name_mismatch": "visit_commune",
    "bank_rejected": "wait",
    "other": "visit_commune",
}


class ResultLine(Protocol):
    """What a result notice reads of a payment line (a PaymentLine, or a row of one)."""

    @property
    def id(self) -> int: ...
    @property
    def person_id(self) -> int: ...
    @property
    def amount(self) -> int: ...
    @property
    def method(self) -> str: ...
    @property
    def account_masked(self) -> str | None: ...
    @property
    def result(self) -> str: ...
    @property
    def failure_reason(self) -> str | None: ...
    @property
    def paid_on(self) -> date | None: ...


def result_notice(line: ResultLine, *, period: str, expires_at: datetime) -> PersonMessage | None:
    """The credited or failed notice of an account line; None for cash lines."""
    if line.method in CASH_METHODS:
        return None  # cash is handed over in person, with its own notice beforehand
    if line.result == "paid":
        if not line.account_masked:
            return None  # the notice names the account; without a number it cannot
        key = "notice.payment_credited"
        params: dict[str, object] = {
            "amount": line.amount,
            "period": period,
            "account": line.account_masked,
            "date": line.paid_on.isoformat() if line.paid_on else None,
        }
    else:
        reason = line.failure_reason or "other"
        key = "notice.payment_failed"
        params = {
            "period": period,
            "reason": f"payment.reason.{reason}",
            "action": f"payment.action.{ACTIONS.get(reason, 'visit_commune')}",
        }
    return PersonMessage(
        person_id=line.person_id,
        key=key,
        params=params,
        idempotency_key=f"payline:{line.id}:{line.result}",  # once per line and result
        expires_at=expires_at,
    )


async def tell_result(
    session: AsyncSession,
    *,
    line: ResultLine,
    period: str,
    expires_at: datetime,
    settings: Settings,
) -> bool:
    """Queue the credited or failed notice of an account line; False for cash lines."""
    notice = result_notice(line, period=period, expires_at=expires_at)
    if notice is None:
        return False
    await enqueue(
        session,
        person_id=notice.person_id,
        key=notice.key,
        params=notice.params,
        message_class="notice",
        idempotency_key=notice.idempotency_key,
        expires_at=notice.expires_at,
        settings=settings,
    )
    return True


async def tell_results(
    session: AsyncSession,
    notices: Iterable[PersonMessage],
    *,
    settings: Settings,
    now: datetime | None = None,
) -> int:
    """Queue many result notices at once (each line's once); the number of new ones."""
    return await enqueue_many(session, notices, message_class="notice", settings=settings, now=now)
