"""Generating monthly lists: payees frozen from the registry and compared with the month before.

A line takes the beneficiary's amount and the latest *usable* payment choice: cash, or an
account that was opened. An account still being requested is not paid into (the person stays
on their earlier method, or cash); a closed account falls back to cash at the payment point.

Lines and removals are written by INSERT … SELECT inside the database: a province's 100,000
lines never pass through Python.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, NotFound
from models.paylists.tables import PaymentLine, PaymentList, PaymentRemoval
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary
from models.periods import Period
from models.places.loader import COMMUNE
from models.places.tables import Area
from models.vocab import BeneficiaryStatus, ChoiceStatus, PaymentMethod

CASH_METHODS = (PaymentMethod.CASH_POINT.value, PaymentMethod.CASH_HOME.value)
# Statuses of an account choice that can be paid into (closed is read, then replaced by cash).
SETTLED = tuple(
    s.value
    for s in (ChoiceStatus.OPENED, ChoiceStatus.VERIFIED, ChoiceStatus.ACTIVE, ChoiceStatus.CLOSED)
)
ACTIVE = BeneficiaryStatus.ACTIVE.value
_LINES = cast(Table, PaymentLine.__table__)
_REMOVALS = cast(Table, PaymentRemoval.__table__)


@dataclass
class Generated:
    """What a generation did: the lists (re)built and the communes whose list was locked."""

    lists: list[PaymentList] = field(default_factory=list)
    locked: list[int] = field(default_factory=list)


def _choices() -> Any:
    """Each beneficiary's choices that can be paid, newest first (rn = 1 is the one used)."""
    choice = PaymentMethodChoice
    return (
        select(
            choice.beneficiary_id,
            choice.id,
            choice.method,
            choice.status,
            choice.provider_code,
            choice.account_enc,
            choice.account_hash,
            choice.account_masked,
            choice.holder_name,
            func.row_number()
            .over(partition_by=choice.beneficiary_id, order_by=choice.id.desc())
            .label("rn"),
        )
        .where(or_(choice.method.in_(CASH_METHODS), choice.status.in_(SETTLED)))
        .subquery("chosen")
    )


def _previous(period: Period) -> Any:
    """For each commune, its latest list before `period` (id, commune)."""
    latest = (
        select(PaymentList.commune_id, func.max(PaymentList.period).label("period"))
        .where(PaymentList.period < str(period))
        .group_by(PaymentList.commune_id)
        .subquery()
    )
    return (
        select(PaymentList.id, PaymentList.commune_id)
        .join(
            latest,
            and_(
                latest.c.commune_id == PaymentList.commune_id, latest.c.period == PaymentList.period
            ),
        )
        .subquery("previous")
    )


def _changed(amount: Any, method: Any, provider: Any, account: Any, before: Any) -> Any:
    """Which fields differ from last month's line: 'amount', 'method', 'account', combined."""
    new_amount = amount.is_distinct_from(before.c.amount)
    new_method = method.is_distinct_from(before.c.method)
    new_account = or_(
        provider.is_distinct_from(before.c.provider_code),
        account.is_distinct_from(before.c.account_hash),
    )
    return case(
        (before.c.id.is_(None), null()),
        (and_(new_amount, new_method), "amount,method"),
        (and_(new_amount, new_account), "amount,account"),
        (new_amount, "amount"),
        (new_method, "method"),
        (new_account, "account"),
        else_=null(),
    )


def _line_rows(draft_ids: list[int], period: Period) -> Any:
    """SELECT of every line of the draft lists, with its change against last month."""
    chosen, previous, before = _choices(), _previous(period), aliased(_LINES, name="before")
    cash = or_(chosen.c.id.is_(None), chosen.c.status == ChoiceStatus.CLOSED.value)

    def paid_into(column: Any) -> Any:
        return case((cash, null()), else_=column)

    method = case((cash, PaymentMethod.CASH_POINT.value), else_=chosen.c.method)
    provider, account = paid_into(chosen.c.provider_code), paid_into(chosen.c.account_hash)
    changed = _changed(Beneficiary.monthly_amount, method, provider, account, before)
    change = case(
        (before.c.id.is_(None), "new"), (changed.is_(None), "unchanged"), else_="adjusted"
    )
    return (
        select(
            PaymentList.id,
            Beneficiary.id,
            Beneficiary.person_id,
            Beneficiary.category,
            Beneficiary.monthly_amount,
            method,
            provider,
            paid_into(chosen.c.account_enc),
            account,
            paid_into(chosen.c.account_masked),
            paid_into(chosen.c.holder_name),
            chosen.c.id,
            change,
            changed,
            before.c.amount,
            before.c.method,
            literal("pending", String),
        )
        .select_from(Beneficiary)
        .join(PaymentList, PaymentList.commune_id == Beneficiary.commune_id)
        .outerjoin(chosen, and_(chosen.c.beneficiary_id == Beneficiary.id, chosen.c.rn == 1))
        .outerjoin(previous, previous.c.commune_id == Beneficiary.commune_id)
        .outerjoin(
            before,
            and_(before.c.list_id == previous.c.id, before.c.beneficiary_id == Beneficiary.id),
        )
        .where(
            PaymentList.id.in_(draft_ids),
            Beneficiary.status == ACTIVE,
            Beneficiary.monthly_amount.is_not(None),
        )
    )


LINE_COLUMNS = (
    "list_id",
    "beneficiary_id",
    "person_id",
    "category",
    "amount",
    "method",
    "provider_code",
    "account_enc",
    "account_hash",
    "account_masked",
    "holder_name",
    "choice_id",
    "change",
    "changed_fields",
    "previous_amount",
    "previous_method",
    "result",
)


def _removal_rows(draft_ids: list[int], period: Period) -> Any:
    """SELECT of last month's payees missing from the draft lists, and why.

    A payee stays on the list exactly when still active, in the same commune, with an amount:
    the rule of `_line_rows`, so the new lines need not be read back.
    """
    previous, before = _previous(period), aliased(_LINES, name="before")
    moved = Beneficiary.commune_id.is_distinct_from(PaymentList.commune_id)
    reason = case(
        (Beneficiary.status != ACTIVE, Beneficiary.status),
        (moved, "moved"),
        (Beneficiary.monthly_amount.is_(None), "no_amount"),
        else_="removed",
    )
    return (
        select(
            PaymentList.id,
            before.c.beneficiary_id,
            before.c.person_id,
            reason,
            before.c.amount,
            before.c.method,
        )
        .select_from(PaymentList)
        .join(previous, previous.c.commune_id == PaymentList.commune_id)
        .join(before, before.c.list_id == previous.c.id)
        .join(Beneficiary, Beneficiary.id == before.c.beneficiary_id)
        .where(
            PaymentList.id.in_(draft_ids),
            or_(Beneficiary.status != ACTIVE, moved, Beneficiary.monthly_amount.is_(None)),
        )
    )


REMOVAL_COLUMNS = (
    "list_id",
    "beneficiary_id",
    "person_id",
    "reason",
    "previous_amount",
    "previous_method",
)


async def _communes(session: AsyncSession, commune_ids: Collection[int] | None) -> list[int]:
    query = select(Area.id).where(Area.level == COMMUNE)
    if commune_ids is not None:
        query = query.where(Area.id.in_(list(commune_ids)))
    found = sorted((await session.scalars(query)).all())
    missing = set(commune_ids or ()) - set(found)
    if missing:
        raise NotFound("places.commune.not_found", commune_id=min(missing))
    return found


async def _lists_for(
    session: AsyncSession, period: Period, commune_ids: list[int], actor: str, now: datetime
) -> Generated:
    """A draft list per commune: new, or an existing draft emptied; locked ones are left."""
    query = select(PaymentList).where(
        PaymentList.period == str(period), PaymentList.commune_id.in_(commune_ids)
    )
    existing = {pl.commune_id: pl for pl in (await session.scalars(query)).all()}
    result = Generated()
    for commune_id in commune_ids:
        found = existing.get(commune_id)
        if found is not None and found.status != "draft":
            result.locked.append(commune_id)
            continue
        if found is None:
            found = PaymentList(period=str(period), commune_id=commune_id, created_by=actor)
            session.add(found)
        found.created_by, found.generated_at, found.returned_reason = actor, now, None
        result.lists.append(found)
    await session.flush()
    drafts = [pl.id for pl in result.lists]
    await session.execute(delete(PaymentLine).where(PaymentLine.list_id.in_(drafts)))
    await session.execute(delete(PaymentRemoval).where(PaymentRemoval.list_id.in_(drafts)))
    return result


async def _count_without_amount(session: AsyncSession, lists: list[PaymentList]) -> None:
    """Active beneficiaries left off because no amount is recorded for them."""
    query = (
        select(Beneficiary.commune_id, func.count())
        .where(
            Beneficiary.status == ACTIVE,
            Beneficiary.monthly_amount.is_(None),
            Beneficiary.commune_id.in_([pl.commune_id for pl in lists]),
        )
        .group_by(Beneficiary.commune_id)
    )
    counts = {commune: int(n) for commune, n in (await session.execute(query)).all()}
    for payment_list in lists:
        payment_list.without_amount = counts.get(payment_list.commune_id, 0)


async def generate_lists(
    session: AsyncSession,
    *,
    period: str,
    actor: str,
    commune_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Generated:
    """(Re)build the draft lists of `period` for the communes (all when None).

    Lists already submitted or further are left alone and reported as locked.
    """
    month = Period.parse(period)
    communes = await _communes(session, commune_ids)
    result = await _lists_for(session, month, communes, actor, now or utcnow())
    drafts = [pl.id for pl in result.lists]
    if not drafts:
        return result
    lines = insert(_LINES).from_select(list(LINE_COLUMNS), _line_rows(drafts, month))
    written = await session.execute(lines)
    removals = insert(_REMOVALS).from_select(list(REMOVAL_COLUMNS), _removal_rows(drafts, month))
    await session.execute(removals)
    await _count_without_amount(session, result.lists)
    await record(
        session,
        actor=actor,
        action="generate",
        entity="payment_list",
        entity_id=drafts[0] if len(drafts) == 1 else None,
        details={"period": str(month), "lists": len(drafts), "lines": _rowcount(written)},
    )
    await session.flush()
    return result


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def generate_list(
    session: AsyncSession, *, commune_id: int, period: str, actor: str, now: datetime | None = None
) -> PaymentList:
    """(Re)build one commune's draft list; Conflict when it is already submitted."""
    result = await generate_lists(
        session, period=period, actor=actor, commune_ids=[commune_id], now=now
    )
    if result.locked:
        raise Conflict("admin.pay.list_locked", period=period)
    return result.lists[0]


__all__ = ["CASH_METHODS", "Generated", "generate_list", "generate_lists"]
