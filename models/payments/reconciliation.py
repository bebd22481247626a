"""Reconciliation lists: who is paid by account, who in cash, and what needs checking.

The caller gives the query (already limited to its areas); each line gets its payment kind and
flags. Duplicates are found across the whole registry (only the flag is shown, never the other
person).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.payments.tables import PaymentMethodChoice
from models.people.identifiers import parse_phone
from models.people.search import latest_choices, with_current_choice
from models.people.tables import Beneficiary, ContactAddress, Person, Representation
from models.vocab import PaymentMethod, RepresentationStatus


class Flag(StrEnum):
    """Something on a line an officer should check before the list goes to the bank."""

    NO_CCCD = "no_cccd"
    NO_PHONE = "no_phone"
    INVALID_PHONE = "invalid_phone"
    NO_METHOD = "no_method"
    CASH_WITHOUT_REASON = "cash_without_reason"
    DUPLICATE_CCCD = "duplicate_cccd"
    DUPLICATE_ACCOUNT = "duplicate_account"
    PROXY_EXPIRED = "proxy_expired"
    HOLDER_NAME_MISMATCH = "holder_name_mismatch"


class PaymentKind(StrEnum):
    """How a line is paid."""

    ACCOUNT = "account"
    CASH = "cash"
    NONE = "none"


@dataclass
class Line:
    """One beneficiary on the list."""

    beneficiary: Beneficiary
    person: Person
    choice: PaymentMethodChoice | None
    kind: PaymentKind
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Summary:
    """Counts over the whole list (before paging)."""

    kinds: Counter[str]
    flags: Counter[str]


def reconciliation_query(
    *, commune_id: int | None = None, statuses: Sequence[str] = ("active",)
) -> Select[Beneficiary, Person, PaymentMethodChoice]:
    """Beneficiaries to pay, with their current choice (the caller limits it to its areas)."""
    query = with_current_choice().where(Beneficiary.status.in_(list(statuses)))
    if commune_id is not None:
        query = query.where(Beneficiary.commune_id == commune_id)
    return query.order_by(Beneficiary.commune_id, Person.search_name, Beneficiary.id)


def _kind(choice: PaymentMethodChoice | None) -> PaymentKind:
    if choice is None:
        return PaymentKind.NONE
    return PaymentKind.CASH if PaymentMethod(choice.method).is_cash else PaymentKind.ACCOUNT


async def _shared(
    session: AsyncSession, column: Any, owner: Any, values: set[str], base: Any
) -> set[str]:
    """Values of `column` held by more than one `owner` anywhere in the registry."""
    found: set[str] = set()
    items = sorted(values)
    for start in range(0, len(items), 1000):
        query = (
            base.where(column.in_(items[start : start + 1000]))
            .group_by(column)
            .having(func.count(func.distinct(owner)) > 1)
        )
        found.update(str(v) for v in (await session.scalars(query)).all())
    return found


async def _phones(session: AsyncSession, person_ids: list[int]) -> dict[int, list[ContactAddress]]:
    rows = await session.scalars(
        select(ContactAddress).where(
            ContactAddress.person_id.in_(person_ids), ContactAddress.channel == "tel"
        )
    )
    phones: dict[int, list[ContactAddress]] = {}
    for contact in rows.all():
        phones.setdefault(contact.person_id, []).append(contact)
    return phones


def _usable(contact: ContactAddress) -> bool:
    if contact.reachability == "unreachable":
        return False
    return parse_phone(contact.address.removeprefix("tel:")).ok


async def _expired_proxies(session: AsyncSession, ids: list[int], today: date) -> set[int]:
    """Beneficiaries whose proxy's authority lapsed and who have no valid proxy now."""
    rows = await session.scalars(
        select(Representation).where(Representation.beneficiary_id.in_(ids))
    )
    lapsed, valid = set(), set()
    for r in rows.all():
        live = r.status in (RepresentationStatus.ACTIVE.value, RepresentationStatus.PENDING.value)
        ended = r.valid_until is not None and r.valid_until < today
        if r.status == RepresentationStatus.EXPIRED.value or (live and ended):
            lapsed.add(r.beneficiary_id)
        elif r.status == RepresentationStatus.ACTIVE.value:
            valid.add(r.beneficiary_id)
    return lapsed - valid


async def _duplicates(session: AsyncSession, rows: list[Line]) -> tuple[set[str], set[str]]:
    cccds = {line.person.cccd_hash for line in rows if line.person.cccd_hash}
    accounts = {
        line.choice.account_hash for line in rows if line.choice and line.choice.account_hash
    }
    shared_cccd = await _shared(
        session, Person.cccd_hash, Person.id, cccds, select(Person.cccd_hash)
    )
    latest = latest_choices()
    current = select(PaymentMethodChoice.account_hash).join(
        latest, latest.c.choice_id == PaymentMethodChoice.id
    )
    shared_account = await _shared(
        session,
        PaymentMethodChoice.account_hash,
        PaymentMethodChoice.beneficiary_id,
        accounts,
        current,
    )
    return shared_cccd, shared_account


async def reconcile(
    session: AsyncSession,
    query: Select[Beneficiary, Person, PaymentMethodChoice],
    *,
    today: date,
) -> list[Line]:
    """Every line of `query` with its payment kind and flags."""
    lines = [Line(b, p, c, _kind(c)) for b, p, c in (await session.execute(query)).all()]
    if not lines:
        return lines
    phones = await _phones(session, [line.person.id for line in lines])
    expired = await _expired_proxies(session, [line.beneficiary.id for line in lines], today)
    shared_cccd, shared_account = await _duplicates(session, lines)
    for line in lines:
        line.flags = _flags(
            line, phones.get(line.person.id, []), expired, shared_cccd, shared_account
        )
    return lines


def _flags(
    line: Line,
    phones: list[ContactAddress],
    expired: set[int],
    shared_cccd: set[str],
    shared_account: set[str],
) -> list[Flag]:
    p, c = line.person, line.choice
    checks = {
        Flag.NO_CCCD: p.cccd_hash is None,
        Flag.NO_PHONE: not phones,
        Flag.INVALID_PHONE: bool(phones) and not any(_usable(x) for x in phones),
        Flag.NO_METHOD: c is None,
        Flag.CASH_WITHOUT_REASON: line.kind == PaymentKind.CASH and not (c and c.cash_reason),
        Flag.DUPLICATE_CCCD: p.cccd_hash in shared_cccd,
        Flag.DUPLICATE_ACCOUNT: bool(c and c.account_hash in shared_account),
        Flag.PROXY_EXPIRED: line.beneficiary.id in expired,
        Flag.HOLDER_NAME_MISMATCH: bool(c and c.holder_name_matches is False),
    }
    return [flag for flag, raised in checks.items() if raised]


def summarise(lines: Sequence[Line]) -> Summary:
    """How many lines of each kind and with each flag."""
    return Summary(
        kinds=Counter(line.kind.value for line in lines),
        flags=Counter(flag.value for line in lines for flag in line.flags),
    )
