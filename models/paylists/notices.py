"""Telling payees about their line: credited or failed (with what to do), once per line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.service import enqueue
from models.paylists.generate import CASH_METHODS
from models.paylists.tables import PaymentLine
from models.settings import Settings

# What a payee should do about each failure reason (payment.action.* labels).
ACTIONS = {
    "account_closed": "visit_commune",
    "account_invalid": "send_account",
    "name_mismatch": "visit_commune",
    "bank_rejected": "wait",
    "other": "visit_commune",
}


async def tell_result(
    session: AsyncSession,
    *,
    line: PaymentLine,
    period: str,
    expires_at: datetime,
    settings: Settings,
) -> bool:
    """Queue the credited or failed notice of an account line; False for cash lines."""
    if line.method in CASH_METHODS:
        return False  # cash is handed over in person, with its own notice beforehand
    if line.result == "paid":
        if not line.account_masked:
            return False  # the notice names the account; without a number it cannot
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
    await enqueue(
        session,
        person_id=line.person_id,
        key=key,
        params=params,
        message_class="notice",
        idempotency_key=f"payline:{line.id}:{line.result}",
        expires_at=expires_at,
        settings=settings,
    )
    return True
