"""Consent with its evidence: explicit, specific, withdrawable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.people.tables import Consent
from models.vocab import ConsentPurpose


async def give_consent(
    session: AsyncSession,
    *,
    person_id: int,
    purpose: ConsentPurpose,
    notice_version: str,
    channel: str,
    given_by_person_id: int | None = None,
    now: datetime | None = None,
) -> Consent:
    """Record a consent: which notice, when, through which channel, by whom."""
    consent = Consent(
        person_id=person_id,
        purpose=ConsentPurpose(purpose).value,
        notice_version=notice_version,
        channel=channel,
        given_by_person_id=given_by_person_id or person_id,
        given_at=now or utcnow(),
    )
    session.add(consent)
    await session.flush()
    return consent


async def give_missing_consents(
    session: AsyncSession,
    *,
    person_id: int,
    purposes: tuple[ConsentPurpose, ...],
    notice_version: str,
    channel: str,
    given_by_person_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Record each of `purposes` for which the person's consent does not stand already."""
    for purpose in purposes:
        if not await has_consent(session, person_id=person_id, purpose=purpose):
            await give_consent(
                session,
                person_id=person_id,
                purpose=purpose,
                notice_version=notice_version,
                channel=channel,
                given_by_person_id=given_by_person_id,
                now=now,
            )


async def withdraw_consent(
    session: AsyncSession,
    *,
    person_id: int,
    purpose: ConsentPurpose | None = None,
    now: datetime | None = None,
) -> int:
    """Withdraw one purpose, or every consent when `purpose` is None; returns how many."""
    query = update(Consent).where(Consent.person_id == person_id, Consent.withdrawn_at.is_(None))
    if purpose is not None:
        query = query.where(Consent.purpose == ConsentPurpose(purpose).value)
    result = await session.execute(query.values(withdrawn_at=now or utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


async def has_consent(session: AsyncSession, *, person_id: int, purpose: ConsentPurpose) -> bool:
    """Whether the person's consent for `purpose` stands."""
    found = await session.scalar(
        select(Consent.id)
        .where(
            Consent.person_id == person_id,
            Consent.purpose == ConsentPurpose(purpose).value,
            Consent.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    return found is not None
