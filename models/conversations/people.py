"""Registry look-ups the dialog needs: who a person is for, names compared and masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.conversations.tables import IdentificationFailure
from models.errors import Invalid
from models.people.identifiers import holder_name_key
from models.people.service import add_contact_address, channel_of
from models.people.tables import Beneficiary, ContactAddress, Person, Representation
from models.vocab import RepresentationStatus

LIVE = (RepresentationStatus.PENDING.value, RepresentationStatus.ACTIVE.value)
NAME_MATCH_RATIO = 0.85


@dataclass(frozen=True)
class Represented:
    """A beneficiary a proxy acts for, with the representation's status."""

    beneficiary: Beneficiary
    person: Person
    status: str


async def beneficiary_of(session: AsyncSession, person_id: int) -> Beneficiary | None:
    """The beneficiary record of a person, if the person is one."""
    rows = await session.scalars(select(Beneficiary).where(Beneficiary.person_id == person_id))
    return rows.first()


async def represented_by(session: AsyncSession, proxy_person_id: int) -> list[Represented]:
    """The beneficiaries a proxy acts for or asked to act for, oldest first."""
    rows = await session.execute(
        select(Beneficiary, Person, Representation.status)
        .join(Representation, Representation.beneficiary_id == Beneficiary.id)
        .join(Person, Person.id == Beneficiary.person_id)
        .where(Representation.proxy_person_id == proxy_person_id, Representation.status.in_(LIVE))
        .order_by(Representation.id)
    )
    seen: dict[int, Represented] = {}
    for beneficiary, person, status in rows.all():
        seen.setdefault(beneficiary.id, Represented(beneficiary, person, status))
    return list(seen.values())


async def representation_status(
    session: AsyncSession, *, beneficiary_id: int, proxy_person_id: int
) -> str | None:
    """The status of the live representation between the two, if any."""
    return await session.scalar(
        select(Representation.status)
        .where(
            Representation.beneficiary_id == beneficiary_id,
            Representation.proxy_person_id == proxy_person_id,
            Representation.status.in_(LIVE),
        )
        .order_by(Representation.id.desc())
        .limit(1)
    )


async def active_proxy_names(
    session: AsyncSession, *, beneficiary_id: int, today: date
) -> list[str]:
    """Names of the people who may act for the beneficiary today (checked papers only)."""
    rows = await session.scalars(
        select(Person.full_name)
        .join(Representation, Representation.proxy_person_id == Person.id)
        .where(
            Representation.beneficiary_id == beneficiary_id,
            Representation.status == RepresentationStatus.ACTIVE.value,
            (Representation.valid_until.is_(None)) | (Representation.valid_until >= today),
        )
    )
    return list(rows)


def names_match(given: str, recorded: str) -> bool:
    """Whether a typed name is the recorded one, forgiving accents, case, order and a typo."""
    a, b = holder_name_key(given), holder_name_key(recorded)
    if not a or not b:
        return False
    if a == b or sorted(a.split()) == sorted(b.split()):
        return True
    return SequenceMatcher(None, a, b).ratio() >= NAME_MATCH_RATIO


def mask_name(name: str) -> str:
    """'Nông Văn Lâm' -> 'Nông V. L.': the family name and initials."""
    words = name.split()
    if len(words) <= 1:
        return (words[0][:1] + ".") if words else ""
    return " ".join([words[0], *(w[:1] + "." for w in words[1:])])


async def phones_of(session: AsyncSession, person_id: int) -> list[str]:
    """The person's phone addresses ('tel:+84…'), best first."""
    rows = await session.scalars(
        select(ContactAddress.address)
        .where(ContactAddress.person_id == person_id, ContactAddress.channel == "tel")
        .order_by(ContactAddress.priority)
    )
    return list(rows)


async def proven_phone(session: AsyncSession, person_id: int) -> str | None:
    """The phone number ('+84…') the person proved most recently (a code or an SMS from it)."""
    found = await session.scalar(
        select(ContactAddress.address)
        .where(
            ContactAddress.person_id == person_id,
            ContactAddress.channel == "tel",
            ContactAddress.verified_at.is_not(None),
        )
        .order_by(ContactAddress.verified_at.desc(), ContactAddress.id.desc())
        .limit(1)
    )
    return found.removeprefix("tel:") if found is not None else None


async def identifying_phone(session: AsyncSession, person_id: int) -> str | None:
    """The phone that shows it is the person: the one they proved last, else the oldest on
    record (an officer's list comes before anything a conversation adds)."""
    proven = await proven_phone(session, person_id)
    if proven is not None:
        return proven
    oldest = await session.scalar(
        select(ContactAddress.address)
        .where(ContactAddress.person_id == person_id, ContactAddress.channel == "tel")
        .order_by(ContactAddress.created_at, ContactAddress.id)
        .limit(1)
    )
    return oldest.removeprefix("tel:") if oldest is not None else None


async def address_proven(session: AsyncSession, person_id: int, address: str) -> bool:
    """Whether `address` proved it is the person's: an SMS from their proven phone, or a chat
    in which one of their phones was proven."""
    found = await session.scalar(
        select(ContactAddress.id).where(
            ContactAddress.person_id == person_id,
            ContactAddress.address == address,
            ContactAddress.verified_at.is_not(None),
        )
    )
    return found is not None


async def link_address(
    session: AsyncSession, *, person_id: int, address: str, verified_at: datetime | None = None
) -> ContactAddress | None:
    """Add `address` to the person (idempotent), optionally as proven; None for other schemes."""
    try:
        channel_of(address)
    except Invalid:  # a sandbox or unknown scheme is not a way to reach anyone
        return None
    contact = await add_contact_address(session, person_id=person_id, address=address)
    if verified_at is not None and contact.verified_at is None:
        contact.verified_at = verified_at
        await session.flush()
    return contact


async def keep_proven_phone(
    session: AsyncSession,
    *,
    person_id: int,
    phone: str,
    chat_address: str,
    now: datetime,
    doubted: bool = False,
) -> bool:
    """A phone just proven by a code, in the chat `chat_address`. It is kept as the person's,
    with the chat, when it is the phone that identifies them or they have none; another
    number (or one `doubted`: the person said they no longer have theirs) is not kept, and
    False tells that what is chosen with it goes to the officer flagged."""
    owner = await identifying_phone(session, person_id)
    if owner is not None and (owner != phone or doubted):
        return False
    await link_address(session, person_id=person_id, address=f"tel:{phone}", verified_at=now)
    if not chat_address.startswith("tel:"):  # an SMS number proves only itself
        await link_address(session, person_id=person_id, address=chat_address, verified_at=now)
    return True


IDENTIFICATION_WINDOW = timedelta(days=1)
MAX_IDENTIFICATION_FAILURES = 5  # per person and day, whoever types, from wherever


async def identification_locked(session: AsyncSession, person_id: int, now: datetime) -> bool:
    """Whether the person's details were typed wrong too often in the last day to compare
    them again."""
    failures = await session.scalar(
        select(func.count(IdentificationFailure.id)).where(
            IdentificationFailure.person_id == person_id,
            IdentificationFailure.at > now - IDENTIFICATION_WINDOW,
        )
    )
    return int(failures or 0) >= MAX_IDENTIFICATION_FAILURES


async def record_identification_failure(
    session: AsyncSession, *, person_id: int, address: str, now: datetime
) -> None:
    """A look-up found the person's CCCD but not the details typed with it."""
    session.add(IdentificationFailure(person_id=person_id, address=address, at=now))
