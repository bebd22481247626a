"""Registry rules for people, beneficiaries and their contact addresses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.base import utcnow
from models.errors import Invalid, NotFound
from models.people.tables import Beneficiary, ContactAddress, Person
from models.protection import DataProtector, mask_address, mask_cccd, mask_cmnd
from models.vocab import BeneficiaryStatus, Category, Verification


def encrypted_id_columns(
    protector: DataProtector, *, cccd: str | None, cmnd: str | None
) -> dict[str, object]:
    """The encrypted, hashed and masked columns for a person's ID numbers."""
    return {
        "cccd_enc": protector.encrypt(cccd) if cccd else None,
        "cccd_hash": protector.lookup_hash(cccd) if cccd else None,
        "cccd_masked": mask_cccd(cccd) if cccd else None,
        "cmnd_enc": protector.encrypt(cmnd) if cmnd else None,
        "cmnd_hash": protector.lookup_hash(cmnd) if cmnd else None,
        "cmnd_masked": mask_cmnd(cmnd) if cmnd else None,
    }


async def create_person(
    session: AsyncSession,
    *,
    protector: DataProtector,
    full_name: str,
    birth_date: date | None = None,
    birth_year: int | None = None,
    gender: str | None = None,
    cccd: str | None = None,
    cmnd: str | None = None,
    locale: str = "vi",
) -> Person:
    """Add a person; ID numbers must already be validated and normalized."""
    name = " ".join(full_name.split())
    if not name:
        raise Invalid("registry.name_missing")
    person = Person(
        full_name=name,
        search_name=fold(name),
        birth_date=birth_date,
        birth_year=birth_date.year if birth_date else birth_year,
        gender=gender,
        locale=locale,
        **encrypted_id_columns(protector, cccd=cccd, cmnd=cmnd),
    )
    session.add(person)
    await session.flush()
    return person


async def find_person_by_cccd(
    session: AsyncSession, *, protector: DataProtector, cccd: str
) -> Person | None:
    """The person holding this CCCD (found through the keyed hash), if any."""
    hashes = protector.lookup_hashes(cccd)
    result = await session.scalars(select(Person).where(Person.cccd_hash.in_(hashes)).limit(1))
    return result.first()


async def create_beneficiary(
    session: AsyncSession,
    *,
    person: Person,
    category: Category,
    commune_id: int | None,
    actor: str,
    sub_category: str | None = None,
    village: str | None = None,
    monthly_amount: int | None = None,
    registry_code: str | None = None,
    special_circumstances: str | None = None,
    cash_at_home_allowed: bool = False,
    status: BeneficiaryStatus = BeneficiaryStatus.ACTIVE,
) -> Beneficiary:
    """Register `person` as a beneficiary; the audit log records who did it."""
    if monthly_amount is not None and monthly_amount < 0:
        raise Invalid("registry.amount_negative")
    beneficiary = Beneficiary(
        person_id=person.id,
        category=Category(category).value,
        sub_category=sub_category,
        commune_id=commune_id,
        village=village,
        monthly_amount=monthly_amount,
        registry_code=registry_code,
        special_circumstances=special_circumstances,
        cash_at_home_allowed=cash_at_home_allowed,
        status=BeneficiaryStatus(status).value,
        verification_status=Verification.UNVERIFIED.value,
    )
    session.add(beneficiary)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="create",
        entity="beneficiary",
        entity_id=beneficiary.id,
        details={"category": beneficiary.category, "cccd": person.cccd_masked},
    )
    return beneficiary


async def get_beneficiary(session: AsyncSession, beneficiary_id: int) -> Beneficiary:
    """The beneficiary with this id, or NotFound."""
    beneficiary = await session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise NotFound("registry.beneficiary_not_found", id=beneficiary_id)
    return beneficiary


async def set_verification(
    session: AsyncSession,
    *,
    beneficiary_id: int,
    status: Verification,
    actor: str,
    now: datetime | None = None,
) -> Beneficiary:
    """Record the population-database check done by the police (set by an officer or import)."""
    beneficiary = await get_beneficiary(session, beneficiary_id)
    beneficiary.verification_status = Verification(status).value
    beneficiary.verified_by = actor
    beneficiary.verified_at = now or utcnow()
    await record(
        session,
        actor=actor,
        action="verify",
        entity="beneficiary",
        entity_id=beneficiary_id,
        details={"verification_status": beneficiary.verification_status},
    )
    return beneficiary


def channel_of(address: str) -> str:
    """The scheme of an address: 'tel', 'telegram' or 'zalo'."""
    scheme, _, rest = address.partition(":")
    if scheme not in ("tel", "telegram", "zalo") or not rest:
        raise Invalid("registry.address_invalid")
    return scheme


async def add_contact_address(
    session: AsyncSession, *, person_id: int, address: str, priority: int | None = None
) -> ContactAddress:
    """Add a way to reach a person (idempotent); new addresses go last unless told otherwise."""
    channel = channel_of(address)
    existing = await session.scalar(
        select(ContactAddress).where(
            ContactAddress.person_id == person_id, ContactAddress.address == address
        )
    )
    if existing is not None:
        return existing
    if priority is None:
        highest = await session.scalar(
            select(func.max(ContactAddress.priority)).where(ContactAddress.person_id == person_id)
        )
        priority = 0 if highest is None else highest + 1
    contact = ContactAddress(
        person_id=person_id, channel=channel, address=address, priority=priority
    )
    session.add(contact)
    await session.flush()
    return contact


async def people_at_address(session: AsyncSession, address: str) -> list[Person]:
    """Everyone reachable at `address` (one proxy's phone may serve several people)."""
    rows = await session.scalars(
        select(Person).join(ContactAddress).where(ContactAddress.address == address)
    )
    return list(rows)


def describe_address(address: str) -> str:
    """An address safe to show or log."""
    return mask_address(address)
