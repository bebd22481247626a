"""A person's data rights: everything held about them, and deletion by anonymisation.

The export walks every table that names a person (or one of their beneficiary records, or
one of their addresses), so a table added later is exported too. Deletion keeps what the law
requires: consents as evidence, payment records, the audit log.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.audit.tables import AuditEntry
from models.base import Base, utcnow
from models.conversations.tables import Conversation, IdentificationFailure
from models.messaging.cancel import cancel_pending_for_person
from models.messaging.tables import OutboxMessage
from models.people.representations import end_representations
from models.people.tables import Beneficiary, ContactAddress, Person
from models.protection import DataProtector, DecryptionError
from models.requests.tables import DataRequest, Question, RegistrationRequest
from models.vocab import BeneficiaryStatus

ANONYMISED_NAME = "Đã xoá"
ANONYMISED_ADDRESS = "sandbox:anonymised"
PERSON_COLUMNS = ("person_id", "proxy_person_id", "holder_person_id", "given_by_person_id")
_SKIPPED = {"audit_log"}  # read separately: entries about the person, not by column


def _value(protector: DataProtector, name: str, value: Any) -> Any:
    """A column value fit for JSON: decrypted, dates as ISO text, hashes left out."""
    if isinstance(value, bytes | memoryview):
        try:
            return protector.decrypt(bytes(value))
        except DecryptionError:
            return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(protector: DataProtector, table: Table, row: Any) -> dict[str, Any]:
    return {
        column.name: _value(protector, column.name, row._mapping[column])
        for column in table.columns
        if not column.name.endswith("_hash")
    }


def _where(table: Table, person_id: int, beneficiary_ids: list[int], addresses: list[str]) -> Any:
    """SQL: rows of `table` about the person, or None when the table never names one."""
    parts = [table.c[name] == person_id for name in PERSON_COLUMNS if name in table.c]
    if "beneficiary_id" in table.c and beneficiary_ids:
        parts.append(table.c.beneficiary_id.in_(beneficiary_ids))
    if table.name == "people":
        parts.append(table.c.id == person_id)
    if table.name == "beneficiaries":
        parts.append(table.c.person_id == person_id)
    if not parts and "address" in table.c and addresses:
        parts.append(table.c.address.in_(addresses))
    return or_(*parts) if parts else None


async def export_person(
    session: AsyncSession, *, protector: DataProtector, person_id: int, actor: str, reason: str
) -> dict[str, list[dict[str, Any]]]:
    """Every row held about the person, table by table, with numbers in clear (audited)."""
    beneficiary_ids = list(
        (
            await session.scalars(select(Beneficiary.id).where(Beneficiary.person_id == person_id))
        ).all()
    )
    addresses = list(
        (
            await session.scalars(
                select(ContactAddress.address).where(ContactAddress.person_id == person_id)
            )
        ).all()
    )
    held: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        where = _where(table, person_id, beneficiary_ids, addresses)
        if table.name in _SKIPPED or where is None:
            continue
        rows = (await session.execute(select(table).where(where))).all()
        if rows:
            held[table.name] = [_row(protector, table, r) for r in rows]
    held["audit_log"] = await _audit_about(session, person_id, beneficiary_ids)
    await record(
        session,
        actor=actor,
        action="export_full",
        entity="person",
        entity_id=person_id,
        reason=reason,
        details={"tables": sorted(held)},
    )
    return held


async def _audit_about(
    session: AsyncSession, person_id: int, beneficiary_ids: list[int]
) -> list[dict[str, Any]]:
    """Audit entries about the person's records: who read or changed them, when, why."""
    ids = [str(i) for i in beneficiary_ids]
    query = (
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.entity == "person") & (AuditEntry.entity_id == str(person_id)),
                (AuditEntry.entity == "beneficiary") & AuditEntry.entity_id.in_(ids),
            )
        )
        .order_by(AuditEntry.id)
    )
    entries = (await session.scalars(query)).all()
    return [
        {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "reason": e.reason}
        for e in entries
    ]


async def anonymise_person(
    session: AsyncSession, *, person_id: int, actor: str, reason: str, now: datetime | None = None
) -> Person:
    """Delete a person's identity: name, birth, ID numbers and hashes, addresses and messages.

    Consents stay (evidence), as do payment records and the audit log. Their beneficiary
    record leaves the list (nobody can be paid without an identity).
    """
    now = now or utcnow()
    person = await session.get(Person, person_id)
    assert person is not None
    person.full_name, person.search_name = ANONYMISED_NAME, fold(ANONYMISED_NAME)
    person.birth_date = person.birth_year = person.gender = None
    for column in ("cccd_enc", "cccd_hash", "cccd_masked", "cmnd_enc", "cmnd_hash", "cmnd_masked"):
        setattr(person, column, None)
    person.anonymised_at = now
    await cancel_pending_for_person(session, person_id=person_id, reason="anonymised", now=now)
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.person_id == person_id)
        .values(address=ANONYMISED_ADDRESS, params={})
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(ContactAddress).where(ContactAddress.person_id == person_id))
    await session.execute(
        delete(IdentificationFailure).where(IdentificationFailure.person_id == person_id)
    )
    await _forget_requests(session, person_id)
    await _leave_the_list(session, person_id, actor, now)
    await record(
        session,
        actor=actor,
        action="anonymise",
        entity="person",
        entity_id=person_id,
        reason=reason,
    )
    return person


async def _forget_requests(session: AsyncSession, person_id: int) -> None:
    """Conversations go; requests stay as evidence, without the name, numbers or address."""
    await session.execute(delete(Conversation).where(Conversation.person_id == person_id))
    await session.execute(
        update(RegistrationRequest)
        .where(RegistrationRequest.person_id == person_id)
        .values(
            full_name=ANONYMISED_NAME,
            search_name=fold(ANONYMISED_NAME),
            birth_date=None,
            birth_year=None,
            cccd_enc=None,
            cccd_hash=None,
            cccd_masked=None,
            phone=None,
            address=ANONYMISED_ADDRESS,
            village=None,
        )
        .execution_options(synchronize_session=False)
    )
    for table in (Question, DataRequest):
        values: dict[str, Any] = {"address": ANONYMISED_ADDRESS}
        values.update({"text": ""} if table is Question else {"details": None})
        await session.execute(
            update(table)
            .where(table.person_id == person_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def _leave_the_list(session: AsyncSession, person_id: int, actor: str, now: datetime) -> None:
    beneficiaries = (
        await session.scalars(select(Beneficiary).where(Beneficiary.person_id == person_id))
    ).all()
    for beneficiary in beneficiaries:
        beneficiary.village = beneficiary.special_circumstances = None
        if beneficiary.status != BeneficiaryStatus.DECEASED.value:
            beneficiary.status = BeneficiaryStatus.EXITED.value
        await end_representations(
            session, beneficiary_id=beneficiary.id, reason="anonymised", actor=actor, now=now
        )
