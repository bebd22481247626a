"""Reading payment lists: queries to filter and page, control totals, the deadline warning."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import NotFound
from models.paylists.generate import Generated, generate_list, generate_lists
from models.paylists.tables import PaymentLine, PaymentList, PaymentRemoval
from models.periods import Period, days_left, due_warning

__all__ = [
    "STATUSES",
    "Deadline",
    "Generated",
    "Totals",
    "deadline",
    "generate_list",
    "generate_lists",
    "get_list",
    "lines_query",
    "lists_query",
    "removals_query",
    "totals",
]

STATUSES = (
    "draft",
    "submitted",
    "approved",
    "exported",
    "results_imported",
    "reconciled",
    "closed",
)
# Until the payer has the list, the 15th is a deadline the commune can still miss.
BEFORE_PAYER = ("draft", "submitted", "approved")


@dataclass
class Totals:
    """Control totals: lines and amount, by method, by change and by result."""

    count: int = 0
    amount: int = 0
    by_method: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    results: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    """Days to the 15th and whether to warn (from the 10th, while the payer lacks the list)."""

    due: date
    days_left: int
    warning: bool


async def get_list(session: AsyncSession, list_id: int) -> PaymentList:
    """The list with this id, or NotFound."""
    found = await session.get(PaymentList, list_id)
    if found is None:
        raise NotFound("admin.pay.list_not_found", id=list_id)
    return found


def lists_query(
    *, period: str | None = None, commune_id: int | None = None, status: str | None = None
) -> Select[PaymentList]:
    """Lists, newest period first, filtered by what is given."""
    query = select(PaymentList).order_by(PaymentList.period.desc(), PaymentList.commune_id)
    if period is not None:
        query = query.where(PaymentList.period == str(Period.parse(period)))
    if commune_id is not None:
        query = query.where(PaymentList.commune_id == commune_id)
    if status is not None:
        query = query.where(PaymentList.status == status)
    return query


def lines_query(
    list_id: int,
    *,
    change: str | None = None,
    result: str | None = None,
    method: str | None = None,
) -> Select[PaymentLine]:
    """A list's lines in id order, filtered by change, result or method."""
    query = select(PaymentLine).where(PaymentLine.list_id == list_id).order_by(PaymentLine.id)
    if change is not None:
        query = query.where(PaymentLine.change == change)
    if result is not None:
        query = query.where(PaymentLine.result == result)
    if method is not None:
        query = query.where(PaymentLine.method == method)
    return query


def removals_query(list_id: int, *, reason: str | None = None) -> Select[PaymentRemoval]:
    """Who was paid last month and is not on this list."""
    query = select(PaymentRemoval).where(PaymentRemoval.list_id == list_id)
    if reason is not None:
        query = query.where(PaymentRemoval.reason == reason)
    return query.order_by(PaymentRemoval.id)


async def totals(session: AsyncSession, list_id: int) -> Totals:
    """The list's control totals, counted in the database."""
    query = (
        select(
            PaymentLine.method,
            PaymentLine.change,
            PaymentLine.result,
            func.count(),
            func.coalesce(func.sum(PaymentLine.amount), 0),
        )
        .where(PaymentLine.list_id == list_id)
        .group_by(PaymentLine.method, PaymentLine.change, PaymentLine.result)
    )
    result = Totals()
    by_method: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "amount": 0})
    by_result: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "amount": 0})
    changes: dict[str, int] = dict.fromkeys(("new", "adjusted", "unchanged", "removed"), 0)
    for method, change, outcome, count, amount in (await session.execute(query)).all():
        result.count += count
        result.amount += int(amount)
        _add(by_method[method], count, amount)
        _add(by_result[outcome], count, amount)
        changes[change] += count
    changes["removed"] = await _removed(session, list_id)
    result.by_method, result.results, result.changes = dict(by_method), dict(by_result), changes
    return result


def _add(bucket: dict[str, int], count: int, amount: Any) -> None:
    bucket["count"] += count
    bucket["amount"] += int(amount)


async def _removed(session: AsyncSession, list_id: int) -> int:
    query = select(func.count()).where(PaymentRemoval.list_id == list_id)
    return int(await session.scalar(query) or 0)


def deadline(payment_list: PaymentList, today: date) -> Deadline:
    """How close the 15th is for this list, and whether to warn about it."""
    period = Period.parse(payment_list.period)
    late = payment_list.status in BEFORE_PAYER and due_warning(period, today)
    return Deadline(period.due(), days_left(period, today), late)
