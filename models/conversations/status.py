"""What the status answer reads: recent payments and when the next one is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.hours import zone
from models.paylists.service import BEFORE_PAYER
from models.paylists.tables import PaymentLine, PaymentList

PEOPLE_TZ = "Asia/Ho_Chi_Minh"
PAY_BEFORE_DAY = 15  # DOMAIN.md: allowances are paid before the 15th of each month


@dataclass(frozen=True)
class RecentPayment:
    """One payment as a person sees it."""

    period: str  # "YYYY-MM"
    amount: int  # VND
    paid_on: date | None
    status: str  # "paid" | "failed" | "pending"


async def recent_payments(
    session: AsyncSession, beneficiary_id: int, *, limit: int = 3
) -> list[RecentPayment]:
    """The beneficiary's last payments from the approved monthly lists, newest first."""
    rows = await session.execute(
        select(PaymentList.period, PaymentLine.amount, PaymentLine.paid_on, PaymentLine.result)
        .join(PaymentList, PaymentList.id == PaymentLine.list_id)
        .where(
            PaymentLine.beneficiary_id == beneficiary_id,
            PaymentList.status.not_in(BEFORE_PAYER),  # drafts are not payments yet
        )
        .order_by(PaymentList.period.desc())
        .limit(limit)
    )
    return [
        RecentPayment(
            period, amount, paid_on, result if result in ("paid", "failed") else "pending"
        )
        for period, amount, paid_on, result in rows
    ]


def next_payment_due(now: datetime) -> date:
    """The day before which the next monthly payment is made (the coming 15th, in Vietnam)."""
    today = now.astimezone(zone(PEOPLE_TZ)).date()
    if today.day < PAY_BEFORE_DAY:
        return today.replace(day=PAY_BEFORE_DAY)
    if today.month == 12:
        return date(today.year + 1, 1, PAY_BEFORE_DAY)
    return date(today.year, today.month + 1, PAY_BEFORE_DAY)
