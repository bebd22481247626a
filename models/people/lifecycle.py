"""An officer's changes to a beneficiary: register, correct, suspend, resume, record a death."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.messaging.cancel import cancel_pending_for_person
from models.people.identifiers import parse_cccd, parse_cmnd, parse_phone
from models.people.parsed import Parsed
from models.people.representations import end_representations
from models.people.service import (
    add_contact_address,
    create_beneficiary,
    create_person,
    encrypted_id_columns,
    find_person_by_cccd,
)
from models.people.tables import Beneficiary, Person
from models.places.loader import COMMUNE
from models.places.tables import Area
from models.protection import DataProtector
from models.vocab import BeneficiaryStatus, Category


@dataclass(frozen=True)
class BeneficiaryData:
    """What an officer types for a beneficiary; None means 'not given' (or 'unchanged')."""

    full_name: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    gender: str | None = None
    cccd: str | None = None
    cmnd: str | None = None
    phone: str | None = None
    category: Category | None = None
    sub_category: str | None = None
    commune_id: int | None = None
    village: str | None = None
    monthly_amount: int | None = None
    registry_code: str | None = None
    special_circumstances: str | None = None
    cash_at_home_allowed: bool | None = None
    locale: str | None = None

    def given(self) -> dict[str, Any]:
        """The fields that carry a value."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


def _value(parsed: Parsed[Any]) -> Any:
    if not parsed.ok:
        problem = parsed.error
        raise Invalid(
            problem.key if problem else "id.cccd.empty", **(problem.params if problem else {})
        )
    return parsed.value


def _cccd(data: BeneficiaryData, today: date) -> str | None:
    if data.cccd is None:
        return None
    card = _value(
        parse_cccd(
            data.cccd,
            birth_date=data.birth_date,
            birth_year=data.birth_year,
            gender=data.gender,
            today=today,
        )
    )
    return str(card.number)


async def _refuse_duplicate(
    session: AsyncSession, protector: DataProtector, cccd: str, person_id: int | None = None
) -> Person | None:
    """The person already holding `cccd` (not a beneficiary), or Conflict if they are one."""
    holder = await find_person_by_cccd(session, protector=protector, cccd=cccd)
    if holder is None or holder.id == person_id:
        return None
    taken = await session.scalar(select(Beneficiary.id).where(Beneficiary.person_id == holder.id))
    if taken is not None or person_id is not None:
        raise Conflict("admin.beneficiary.duplicate_cccd")
    return holder


async def check_commune(session: AsyncSession, commune_id: int) -> None:
    """NotFound unless `commune_id` is a current commune (not a province, not a former unit)."""
    area = await session.get(Area, commune_id)
    if area is None or area.legacy or area.level != COMMUNE:
        raise NotFound("admin.area.not_found", id=commune_id)


async def register_beneficiary(
    session: AsyncSession,
    *,
    protector: DataProtector,
    data: BeneficiaryData,
    actor: str,
    today: date,
) -> Beneficiary:
    """Register a beneficiary typed by an officer; one CCCD is one beneficiary."""
    if not data.full_name or data.category is None:
        raise Invalid("registry.name_missing" if not data.full_name else "import.category_unknown")
    cccd = _cccd(data, today)
    cmnd = _value(parse_cmnd(data.cmnd)) if data.cmnd else None
    phone = _value(parse_phone(data.phone)) if data.phone else None
    if data.commune_id is not None:
        await check_commune(session, data.commune_id)
    person = await _refuse_duplicate(session, protector, cccd) if cccd else None
    if person is None:
        person = await create_person(
            session,
            protector=protector,
            full_name=data.full_name,
            birth_date=data.birth_date,
            birth_year=data.birth_year,
            gender=data.gender,
            cccd=cccd,
            cmnd=cmnd,
            locale=data.locale or "vi",
        )
    beneficiary = await create_beneficiary(
        session,
        person=person,
        category=data.category,
        commune_id=data.commune_id,
        actor=actor,
        sub_category=data.sub_category,
        village=data.village,
        monthly_amount=data.monthly_amount,
        registry_code=data.registry_code,
        special_circumstances=data.special_circumstances,
        cash_at_home_allowed=bool(data.cash_at_home_allowed),
    )
    if phone:
        await add_contact_address(session, person_id=person.id, address=f"tel:{phone}")
    return beneficiary


_BENEFICIARY_FIELDS = (
    "category",
    "sub_category",
    "commune_id",
    "village",
    "monthly_amount",
    "registry_code",
    "special_circumstances",
    "cash_at_home_allowed",
)
_PERSON_FIELDS = ("birth_date", "birth_year", "gender", "locale")


async def _apply_identity(
    session: AsyncSession,
    protector: DataProtector,
    person: Person,
    data: BeneficiaryData,
    today: date,
    changed: dict[str, object],
) -> None:
    if data.full_name is not None:
        name = " ".join(data.full_name.split())
        if not name:
            raise Invalid("registry.name_missing")
        if name != person.full_name:
            person.full_name, person.search_name = name, fold(name)
            changed["full_name"] = "changed"
    cccd = _cccd(data, today)
    if cccd is not None:
        await _refuse_duplicate(session, protector, cccd, person.id)
        cmnd = protector.decrypt(person.cmnd_enc) if person.cmnd_enc else None
        for column, value in encrypted_id_columns(protector, cccd=cccd, cmnd=cmnd).items():
            setattr(person, column, value)
        changed["cccd"] = person.cccd_masked
    if data.cmnd is not None:
        cmnd = _value(parse_cmnd(data.cmnd))
        columns = encrypted_id_columns(protector, cccd=None, cmnd=cmnd)
        for column in ("cmnd_enc", "cmnd_hash", "cmnd_masked"):
            setattr(person, column, columns[column])
        changed["cmnd"] = person.cmnd_masked


async def update_beneficiary(
    session: AsyncSession,
    *,
    protector: DataProtector,
    beneficiary: Beneficiary,
    data: BeneficiaryData,
    actor: str,
    today: date,
) -> dict[str, object]:
    """Correct a beneficiary's record; returns what changed (masked), which the audit log keeps."""
    if data.monthly_amount is not None and data.monthly_amount < 0:
        raise Invalid("registry.amount_negative")
    person = await session.get(Person, beneficiary.person_id)
    assert person is not None
    changed: dict[str, object] = {}
    if data.commune_id is not None:
        await check_commune(session, data.commune_id)
    await _apply_identity(session, protector, person, data, today, changed)
    given = data.given()
    for name in _PERSON_FIELDS:
        if name in given and getattr(person, name) != given[name]:
            setattr(person, name, given[name])
            changed[name] = "changed" if name == "birth_date" else given[name]
    for name in _BENEFICIARY_FIELDS:
        value = given.get(name)
        if name in given and getattr(beneficiary, name) != value:
            setattr(beneficiary, name, value.value if isinstance(value, Category) else value)
            changed[name] = (
                "changed" if name == "special_circumstances" else getattr(beneficiary, name)
            )
    if "commune_id" in changed:
        beneficiary.area_needs_confirmation = False
    if data.phone is not None:
        contact = await add_contact_address(
            session, person_id=person.id, address=f"tel:{_value(parse_phone(data.phone))}"
        )
        changed["phone"] = contact.id
    if changed:
        await record(
            session,
            actor=actor,
            action="update",
            entity="beneficiary",
            entity_id=beneficiary.id,
            details=changed,
        )
    return changed


async def _set_status(
    session: AsyncSession,
    beneficiary: Beneficiary,
    status: BeneficiaryStatus,
    *,
    allowed_from: tuple[BeneficiaryStatus, ...],
    actor: str,
    action: str,
    reason: str,
    details: dict[str, object] | None = None,
) -> None:
    if beneficiary.status not in {s.value for s in allowed_from}:
        raise Conflict(
            "admin.beneficiary.status_conflict", status=f"admin.status.{beneficiary.status}"
        )
    beneficiary.status = status.value
    beneficiary.updated_at = utcnow()
    await record(
        session,
        actor=actor,
        action=action,
        entity="beneficiary",
        entity_id=beneficiary.id,
        reason=reason,
        details=details,
    )


async def suspend_beneficiary(
    session: AsyncSession, *, beneficiary: Beneficiary, reason: str, actor: str
) -> Beneficiary:
    """Stop paying for now (the person stays registered)."""
    await _set_status(
        session,
        beneficiary,
        BeneficiaryStatus.SUSPENDED,
        allowed_from=(BeneficiaryStatus.ACTIVE,),
        actor=actor,
        action="suspend",
        reason=reason,
    )
    return beneficiary


async def resume_beneficiary(
    session: AsyncSession, *, beneficiary: Beneficiary, reason: str, actor: str
) -> Beneficiary:
    """Pay a suspended beneficiary again."""
    await _set_status(
        session,
        beneficiary,
        BeneficiaryStatus.ACTIVE,
        allowed_from=(BeneficiaryStatus.SUSPENDED,),
        actor=actor,
        action="resume",
        reason=reason,
    )
    return beneficiary


async def mark_deceased(
    session: AsyncSession,
    *,
    beneficiary: Beneficiary,
    actor: str,
    reason: str,
    date_of_death: date | None = None,
) -> Beneficiary:
    """Record a death: payments stop, proxies' authority ends, queued notices are cancelled."""
    await _set_status(
        session,
        beneficiary,
        BeneficiaryStatus.DECEASED,
        allowed_from=(BeneficiaryStatus.ACTIVE, BeneficiaryStatus.SUSPENDED),
        actor=actor,
        action="deceased",
        reason=reason,
        details={"date_of_death": date_of_death.isoformat() if date_of_death else None},
    )
    await end_representations(
        session, beneficiary_id=beneficiary.id, reason="deceased", actor=actor
    )
    await cancel_pending_for_person(session, person_id=beneficiary.person_id, reason="deceased")
    return beneficiary
