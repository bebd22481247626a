"""Finding beneficiaries: by name without accents, by CCCD or phone, by area, category, method."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.errors import Invalid
from models.payments.tables import PaymentMethodChoice
from models.people.identifiers import parse_phone
from models.people.tables import Beneficiary, ContactAddress, Person
from models.protection import DataProtector
from models.vocab import ChoiceStatus

NO_METHOD = "none"  # the `method` filter value for "has not chosen yet"
_ID_SEPARATORS = re.compile(r"[\s.\-]+")


@dataclass(frozen=True)
class BeneficiaryFilter:
    """What to look for; every field is optional and they combine with AND."""

    name: str | None = None
    cccd: str | None = None
    phone: str | None = None
    commune_id: int | None = None
    category: str | None = None
    method: str | None = None
    status: str | None = None
    verification: str | None = None
    needs_area_confirmation: bool | None = None


def latest_choices() -> Any:
    """Subquery: each beneficiary's current choice id (the latest one not closed or refused)."""
    return (
        select(
            PaymentMethodChoice.beneficiary_id.label("beneficiary_id"),
            func.max(PaymentMethodChoice.id).label("choice_id"),
        )
        .where(PaymentMethodChoice.status != ChoiceStatus.CLOSED.value)
        .group_by(PaymentMethodChoice.beneficiary_id)
        .subquery("latest_choice")
    )


def with_current_choice() -> Select[Beneficiary, Person, PaymentMethodChoice]:
    """Beneficiary, person and current choice (None when none was made) in one row."""
    latest = latest_choices()
    return (
        select(Beneficiary, Person, PaymentMethodChoice)
        .join(Person, Person.id == Beneficiary.person_id)
        .outerjoin(latest, latest.c.beneficiary_id == Beneficiary.id)
        .outerjoin(PaymentMethodChoice, PaymentMethodChoice.id == latest.c.choice_id)
    )


def _id_hashes(protector: DataProtector, raw: str) -> list[str]:
    digits = _ID_SEPARATORS.sub("", raw)
    if not digits.isdigit():
        raise Invalid("id.cccd.not_digits")
    return protector.lookup_hashes(digits)


def _phone_address(raw: str) -> str:
    parsed = parse_phone(raw)
    if not parsed.ok or parsed.value is None:
        problem = parsed.error
        raise Invalid(
            problem.key if problem else "id.phone.invalid", **(problem.params if problem else {})
        )
    return f"tel:{parsed.value}"


def search_query(
    wanted: BeneficiaryFilter, protector: DataProtector
) -> Select[Beneficiary, Person, PaymentMethodChoice]:
    """The query for `wanted` (not yet limited to the caller's areas, not ordered)."""
    query = with_current_choice()
    if wanted.name and fold(wanted.name):
        query = query.where(Person.search_name.contains(fold(wanted.name), autoescape=True))
    if wanted.cccd:
        hashes = _id_hashes(protector, wanted.cccd)
        query = query.where(or_(Person.cccd_hash.in_(hashes), Person.cmnd_hash.in_(hashes)))
    if wanted.phone:
        address = _phone_address(wanted.phone)
        query = query.where(
            exists().where(ContactAddress.person_id == Person.id, ContactAddress.address == address)
        )
    for column, value in (
        (Beneficiary.commune_id, wanted.commune_id),
        (Beneficiary.category, wanted.category),
        (Beneficiary.status, wanted.status),
        (Beneficiary.verification_status, wanted.verification),
        (Beneficiary.area_needs_confirmation, wanted.needs_area_confirmation),
    ):
        if value is not None:
            query = query.where(column == value)
    if wanted.method == NO_METHOD:
        query = query.where(PaymentMethodChoice.id.is_(None))
    elif wanted.method:
        query = query.where(PaymentMethodChoice.method == wanted.method)
    return query


ORDER = (Person.search_name, Beneficiary.id)


async def first_phones(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    """Each person's preferred phone address ('tel:+84…'), for the people given."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(ContactAddress.person_id, ContactAddress.address)
        .where(ContactAddress.person_id.in_(person_ids), ContactAddress.channel == "tel")
        .order_by(
            ContactAddress.person_id, ContactAddress.priority.desc(), ContactAddress.id.desc()
        )
    )
    return {person_id: address for person_id, address in rows}  # the last one wins: priority 0


async def current_choice_of(
    session: AsyncSession, beneficiary_id: int
) -> PaymentMethodChoice | None:
    """The beneficiary's current choice: the latest one not closed (a refused change is closed)."""
    query = (
        select(PaymentMethodChoice)
        .where(
            PaymentMethodChoice.beneficiary_id == beneficiary_id,
            PaymentMethodChoice.status != ChoiceStatus.CLOSED.value,
        )
        .order_by(PaymentMethodChoice.id.desc())
        .limit(1)
    )
    return (await session.scalars(query)).first()
