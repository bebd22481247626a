"""Representations: proxies, guardians and family caregivers acting for a beneficiary."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.people.tables import Representation
from models.vocab import RepresentationKind, RepresentationStatus

LIVE = (RepresentationStatus.PENDING.value, RepresentationStatus.ACTIVE.value)


async def request_representation(
    session: AsyncSession,
    *,
    beneficiary_id: int,
    proxy_person_id: int,
    kind: RepresentationKind,
    actor: str,
    relationship_to: str | None = None,
    scope: str = "all",
    valid_from: date | None = None,
    valid_until: date | None = None,
    evidence_ref: str | None = None,
) -> Representation:
    """Record a representation as pending until an officer checks the paper authorization."""
    if valid_from and valid_until and valid_until < valid_from:
        raise Invalid("registry.representation_dates")
    existing = await session.scalar(
        select(Representation).where(
            Representation.beneficiary_id == beneficiary_id,
            Representation.proxy_person_id == proxy_person_id,
            Representation.status.in_(LIVE),
        )
    )
    if existing is not None:
        return existing
    representation = Representation(
        beneficiary_id=beneficiary_id,
        proxy_person_id=proxy_person_id,
        kind=RepresentationKind(kind).value,
        relationship_to=relationship_to,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        evidence_ref=evidence_ref,
        status=RepresentationStatus.PENDING.value,
    )
    session.add(representation)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="create",
        entity="representation",
        entity_id=representation.id,
        details={"kind": representation.kind},
    )
    return representation


async def verify_representation(
    session: AsyncSession, *, representation_id: int, officer: str, now: datetime | None = None
) -> Representation:
    """An officer checked the paper authorization: the representation becomes active."""
    representation = await session.get(Representation, representation_id)
    if representation is None:
        raise NotFound("registry.representation_not_found", id=representation_id)
    if representation.status != RepresentationStatus.PENDING.value:
        raise Conflict("registry.representation_not_pending", status=representation.status)
    representation.status = RepresentationStatus.ACTIVE.value
    representation.verified_by = officer
    representation.verified_at = now or utcnow()
    await record(
        session,
        actor=officer,
        action="verify",
        entity="representation",
        entity_id=representation_id,
    )
    return representation


async def end_representations(
    session: AsyncSession,
    *,
    beneficiary_id: int,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> int:
    """End every live representation of a beneficiary (death, exit); returns how many."""
    result = await session.execute(
        update(Representation)
        .where(Representation.beneficiary_id == beneficiary_id, Representation.status.in_(LIVE))
        .values(
            status=RepresentationStatus.REVOKED.value, ended_at=now or utcnow(), ended_reason=reason
        )
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        await record(
            session,
            actor=actor,
            action="end",
            entity="representation",
            entity_id=None,
            details={"beneficiary_id": beneficiary_id, "count": count},
            reason=reason,
        )
    return count


async def expire_representations(session: AsyncSession, *, today: date) -> int:
    """Mark representations past their validity as expired (an idempotent daily job)."""
    result = await session.execute(
        update(Representation)
        .where(Representation.status.in_(LIVE), Representation.valid_until < today)
        .values(
            status=RepresentationStatus.EXPIRED.value, ended_at=utcnow(), ended_reason="expired"
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def active_representations(
    session: AsyncSession, *, proxy_person_id: int, today: date
) -> list[Representation]:
    """The beneficiaries a proxy may act for today."""
    rows = await session.scalars(
        select(Representation).where(
            Representation.proxy_person_id == proxy_person_id,
            Representation.status == RepresentationStatus.ACTIVE.value,
            (Representation.valid_until.is_(None)) | (Representation.valid_until >= today),
        )
    )
    return list(rows)
