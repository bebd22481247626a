"""Creating the requests officers act on; deadlines count Vietnamese working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.base import utcnow
from models.messaging.hours import zone
from models.protection import DataProtector, mask_cccd
from models.requests.tables import DataRequest, Question, RegistrationRequest, ReviewItem

PEOPLE_TZ = "Asia/Ho_Chi_Minh"
QUESTION_ANSWER_WORKING_DAYS = 2
ACKNOWLEDGE_WORKING_DAYS = 2  # DOMAIN.md: acknowledge within 2 working days
# DOMAIN.md: complete within 10-20 days; a correction is quick, the rest may take the full time.
COMPLETE_DAYS = {"correction": 10, "access": 10}
COMPLETE_DAYS_DEFAULT = 20
MAX_TEXT = 2000


class ReviewKind(StrEnum):
    """What an officer is asked to check."""

    REGISTRATION = "registration"
    METHOD_CHANGE = "method_change"
    PROXY = "proxy"
    ACCOUNT_OPENING = "account_opening"
    CASH_HOME = "cash_home"


class DataRequestKind(StrEnum):
    """The data-protection rights a person may exercise."""

    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"
    OBJECTION = "objection"
    RESTRICTION = "restriction"


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at `moment`."""
    return moment.astimezone(zone(PEOPLE_TZ)).date()


def working_days_after(start: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


async def create_review_item(
    session: AsyncSession,
    *,
    kind: ReviewKind,
    payload: dict[str, Any],
    beneficiary_id: int | None = None,
    person_id: int | None = None,
    commune_id: int | None = None,
    registration_request_id: int | None = None,
    choice_id: int | None = None,
    representation_id: int | None = None,
    now: datetime | None = None,
) -> ReviewItem:
    """Put an item on the officers' review queue; `payload` must be masked."""
    item = ReviewItem(
        kind=ReviewKind(kind).value,
        payload=payload,
        beneficiary_id=beneficiary_id,
        person_id=person_id,
        commune_id=commune_id,
        registration_request_id=registration_request_id,
        choice_id=choice_id,
        representation_id=representation_id,
        created_at=now or utcnow(),
    )
    session.add(item)
    await session.flush()
    return item


async def pending_reviews(session: AsyncSession, *, beneficiary_id: int) -> list[ReviewItem]:
    """The beneficiary's items still waiting for an officer, oldest first."""
    rows = await session.scalars(
        select(ReviewItem)
        .where(ReviewItem.beneficiary_id == beneficiary_id, ReviewItem.status == "pending")
        .order_by(ReviewItem.id)
    )
    return list(rows)


async def pending_review(
    session: AsyncSession, *, beneficiary_id: int, kind: ReviewKind
) -> ReviewItem | None:
    """The beneficiary's oldest item of `kind` still waiting for an officer, if any."""
    waiting = await pending_reviews(session, beneficiary_id=beneficiary_id)
    return next((item for item in waiting if item.kind == kind), None)


@dataclass(frozen=True)
class Applicant:
    """Who a registration is for, as the person typed it (ID already validated)."""

    full_name: str
    birth_date: date | None
    birth_year: int | None
    cccd: str | None


@dataclass(frozen=True)
class Proxy:
    """Who registers on the applicant's behalf."""

    person_id: int
    kind: str
    relationship: str | None


async def create_registration_request(
    session: AsyncSession,
    *,
    protector: DataProtector,
    applicant: Applicant,
    channel: str,
    address: str,
    phone: str | None,
    commune_id: int | None,
    village: str | None,
    category_guess: str | None,
    proxy: Proxy | None = None,
    consent: tuple[str, datetime] | None = None,
    now: datetime | None = None,
) -> RegistrationRequest:
    """Record a not-found person's details and queue them for the commune officer."""
    now = now or utcnow()
    cccd = applicant.cccd
    request = RegistrationRequest(
        full_name=applicant.full_name,
        search_name=fold(applicant.full_name),
        birth_date=applicant.birth_date,
        birth_year=applicant.birth_date.year if applicant.birth_date else applicant.birth_year,
        cccd_enc=protector.encrypt(cccd) if cccd else None,
        cccd_hash=protector.lookup_hash(cccd) if cccd else None,
        cccd_masked=mask_cccd(cccd) if cccd else None,
        phone=phone,
        channel=channel,
        address=address,
        commune_id=commune_id,
        village=village,
        category_guess=category_guess,
        proxy_person_id=proxy.person_id if proxy else None,
        proxy_kind=proxy.kind if proxy else None,
        proxy_relationship=proxy.relationship if proxy else None,
        consent_version=consent[0] if consent else None,
        consent_at=consent[1] if consent else None,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    await create_review_item(
        session,
        kind=ReviewKind.REGISTRATION,
        payload={"cccd": request.cccd_masked, "category": category_guess, "proxy": bool(proxy)},
        person_id=proxy.person_id if proxy else None,
        commune_id=commune_id,
        registration_request_id=request.id,
        now=now,
    )
    return request


async def latest_registration(session: AsyncSession, *, address: str) -> RegistrationRequest | None:
    """The newest registration request sent from `address`."""
    rows = await session.scalars(
        select(RegistrationRequest)
        .where(RegistrationRequest.address == address)
        .order_by(RegistrationRequest.id.desc())
        .limit(1)
    )
    return rows.first()


async def ask_question(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    text: str,
    person_id: int | None = None,
    beneficiary_id: int | None = None,
    commune_id: int | None = None,
    now: datetime | None = None,
) -> Question:
    """A question for the commune officer, answered within two working days."""
    now = now or utcnow()
    question = Question(
        person_id=person_id,
        beneficiary_id=beneficiary_id,
        channel=channel,
        address=address,
        commune_id=commune_id,
        text=text[:MAX_TEXT],
        answer_due_by=working_days_after(local_date(now), QUESTION_ANSWER_WORKING_DAYS),
        created_at=now,
    )
    session.add(question)
    await session.flush()
    return question


async def create_data_request(
    session: AsyncSession,
    *,
    kind: DataRequestKind,
    channel: str,
    address: str,
    person_id: int | None,
    details: str | None = None,
    now: datetime | None = None,
) -> DataRequest:
    """Record a data-protection request with its two deadlines (acknowledge, complete)."""
    now = now or utcnow()
    kind = DataRequestKind(kind)
    today = local_date(now)
    request = DataRequest(
        person_id=person_id,
        channel=channel,
        address=address,
        kind=kind.value,
        details=details[:MAX_TEXT] if details else None,
        received_at=now,
        acknowledge_by=working_days_after(today, ACKNOWLEDGE_WORKING_DAYS),
        due_by=today + timedelta(days=COMPLETE_DAYS.get(kind.value, COMPLETE_DAYS_DEFAULT)),
    )
    session.add(request)
    await session.flush()
    return request
