"""A beneficiary's whole record in one read: person, contacts, choice, proxies, consents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.payments.tables import PaymentMethodChoice
from models.people.search import current_choice_of
from models.people.tables import Beneficiary, Consent, ContactAddress, Person, Representation
from models.protection import DataProtector


@dataclass
class BeneficiaryRecord:
    """Everything the registry holds about one beneficiary."""

    beneficiary: Beneficiary
    person: Person
    contacts: list[ContactAddress]
    choice: PaymentMethodChoice | None
    representations: list[tuple[Representation, Person]]
    consents: list[Consent]


async def load_record(session: AsyncSession, beneficiary: Beneficiary) -> BeneficiaryRecord:
    """The record of a beneficiary already found (and already checked to be within reach)."""
    person = await session.get(Person, beneficiary.person_id)
    assert person is not None
    contacts = await session.scalars(
        select(ContactAddress)
        .where(ContactAddress.person_id == person.id)
        .order_by(ContactAddress.priority, ContactAddress.id)
    )
    proxies = await session.execute(
        select(Representation, Person)
        .join(Person, Person.id == Representation.proxy_person_id)
        .where(Representation.beneficiary_id == beneficiary.id)
        .order_by(Representation.id)
    )
    consents = await session.scalars(
        select(Consent).where(Consent.person_id == person.id).order_by(Consent.id)
    )
    return BeneficiaryRecord(
        beneficiary=beneficiary,
        person=person,
        contacts=list(contacts.all()),
        choice=await current_choice_of(session, beneficiary.id),
        representations=[(r, p) for r, p in proxies.all()],
        consents=list(consents.all()),
    )


@dataclass(frozen=True)
class FullValues:
    """ID and account numbers in clear, for one stated reason."""

    cccd: str | None
    cmnd: str | None
    account: str | None


async def read_full_values(
    session: AsyncSession,
    *,
    protector: DataProtector,
    found: BeneficiaryRecord,
    actor: str,
    reason: str,
) -> FullValues:
    """Decrypt the record's ID and account numbers; the audit log keeps who, when and why."""
    person, choice = found.person, found.choice
    values = FullValues(
        cccd=protector.decrypt(person.cccd_enc) if person.cccd_enc else None,
        cmnd=protector.decrypt(person.cmnd_enc) if person.cmnd_enc else None,
        account=protector.decrypt(choice.account_enc) if choice and choice.account_enc else None,
    )
    shown = [name for name in ("cccd", "cmnd", "account") if getattr(values, name)]
    await record(
        session,
        actor=actor,
        action="read_full",
        entity="beneficiary",
        entity_id=found.beneficiary.id,
        details={"fields": shown},
        reason=reason,
    )
    return values
