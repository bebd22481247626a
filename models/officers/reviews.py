"""An officer's decision on a review item: approval applies the change, and the person is told.

registration     -> the beneficiary is created from the registration request
method_change    -> the choice advances (cash: in effect; an account given: checked)
proxy            -> the representation is verified
account_opening  -> the person will be invited to an account-opening session
cash_home        -> cash at home is allowed and the choice takes effect
A refusal closes what was asked (a refused choice stops being the current one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid
from models.messaging.service import enqueue
from models.messaging.tables import OutboxMessage
from models.payments.tables import PaymentMethodChoice
from models.people.consents import give_consent
from models.people.lifecycle import check_commune
from models.people.representations import request_representation, verify_representation
from models.people.service import (
    add_contact_address,
    create_beneficiary,
    create_person,
    find_person_by_cccd,
)
from models.people.tables import Beneficiary, Person, Representation
from models.protection import DataProtector
from models.requests.service import ReviewKind
from models.requests.tables import RegistrationRequest, ReviewItem
from models.settings import Settings
from models.vocab import (
    Category,
    ChoiceStatus,
    ConsentPurpose,
    PaymentMethod,
    RepresentationKind,
    RepresentationStatus,
)

APPROVED, REJECTED, PENDING = "approved", "rejected", "pending"


@dataclass(frozen=True)
class Decision:
    """What the officer decided, and what they filled in that the request lacked."""

    approve: bool
    reason: str | None = None
    category: Category | None = None
    commune_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    """The decided item, the beneficiary it concerns and the notice queued (if reachable)."""

    item: ReviewItem
    beneficiary_id: int | None
    notice: OutboxMessage | None


async def _registration(
    session: AsyncSession,
    protector: DataProtector,
    item: ReviewItem,
    decision: Decision,
    actor: str,
) -> tuple[int | None, int | None, str | None]:
    """(beneficiary, person to tell, address to tell them at) of a registration."""
    request = await session.get(RegistrationRequest, item.registration_request_id or 0)
    if request is None:
        raise Invalid("admin.review.incomplete")
    teller = request.proxy_person_id
    request.status = APPROVED if decision.approve else REJECTED
    if not decision.approve:
        return None, teller or request.person_id, request.address
    category = decision.category or request.category_guess
    commune_id = decision.commune_id or request.commune_id or item.commune_id
    if not category or commune_id is None:
        raise Invalid("admin.review.incomplete")
    await check_commune(session, commune_id)
    person = await _registrant(session, protector, request)
    beneficiary = await create_beneficiary(
        session,
        person=person,
        category=Category(category),
        commune_id=commune_id,
        actor=actor,
        village=request.village,
    )
    await _contacts_and_proxy(session, request, person, beneficiary, actor)
    request.person_id = person.id
    return beneficiary.id, teller or person.id, request.address


async def _registrant(
    session: AsyncSession, protector: DataProtector, request: RegistrationRequest
) -> Person:
    """The person registered: the one already holding the CCCD, or a new one."""
    cccd = protector.decrypt(request.cccd_enc) if request.cccd_enc else None
    holder = await find_person_by_cccd(session, protector=protector, cccd=cccd) if cccd else None
    if holder is not None:
        taken = await session.scalar(
            select(Beneficiary.id).where(Beneficiary.person_id == holder.id)
        )
        if taken is not None:
            raise Conflict("admin.beneficiary.duplicate_cccd")
        return holder
    return await create_person(
        session,
        protector=protector,
        full_name=request.full_name,
        birth_date=request.birth_date,
        birth_year=request.birth_year,
        cccd=cccd,
    )


async def _contacts_and_proxy(
    session: AsyncSession,
    request: RegistrationRequest,
    person: Person,
    beneficiary: Beneficiary,
    actor: str,
) -> None:
    """The phone given, the registrant's own chat, the proxy's authority, the consent."""
    if request.phone:
        await add_contact_address(session, person_id=person.id, address=f"tel:{request.phone}")
    if request.proxy_person_id is None:
        await add_contact_address(session, person_id=person.id, address=request.address)
    else:
        representation = await request_representation(
            session,
            beneficiary_id=beneficiary.id,
            proxy_person_id=request.proxy_person_id,
            kind=RepresentationKind(request.proxy_kind or RepresentationKind.AUTHORIZED.value),
            relationship_to=request.proxy_relationship,
            actor=actor,
        )
        if representation.status == RepresentationStatus.PENDING.value:
            await verify_representation(session, representation_id=representation.id, officer=actor)
    if request.consent_version and request.consent_at:
        await give_consent(
            session,
            person_id=person.id,
            purpose=ConsentPurpose.PROCESSING,
            notice_version=request.consent_version,
            channel=request.channel,
            given_by_person_id=request.proxy_person_id or person.id,
            now=request.consent_at,
        )


def _advance(choice: PaymentMethodChoice) -> str:
    """The status an approved choice moves to: cash takes effect, an account given is checked."""
    if PaymentMethod(choice.method).is_cash:
        return ChoiceStatus.ACTIVE.value
    if choice.account_hash is not None and choice.status == ChoiceStatus.REQUESTED.value:
        return ChoiceStatus.VERIFIED.value
    return choice.status


async def _choice(
    session: AsyncSession, item: ReviewItem, decision: Decision, now: datetime
) -> None:
    choice = await session.get(PaymentMethodChoice, item.choice_id or 0)
    if choice is None:
        raise Invalid("admin.review.incomplete")
    status = _advance(choice) if decision.approve else ChoiceStatus.CLOSED.value
    if status != choice.status:
        choice.status, choice.status_changed_at = status, now
    if decision.approve and item.kind == ReviewKind.CASH_HOME.value:
        beneficiary = await session.get(Beneficiary, choice.beneficiary_id)
        if beneficiary is not None:
            beneficiary.cash_at_home_allowed = True


async def _proxy(
    session: AsyncSession, item: ReviewItem, decision: Decision, actor: str, now: datetime
) -> None:
    representation = await session.get(Representation, item.representation_id or 0)
    if representation is None:
        raise Invalid("admin.review.incomplete")
    if decision.approve:
        await verify_representation(session, representation_id=representation.id, officer=actor)
    elif representation.status == RepresentationStatus.PENDING.value:
        representation.status = RepresentationStatus.REVOKED.value
        representation.ended_at, representation.ended_reason = now, "rejected"


async def _beneficiary_person(session: AsyncSession, beneficiary_id: int | None) -> int | None:
    if beneficiary_id is None:
        return None
    return await session.scalar(
        select(Beneficiary.person_id).where(Beneficiary.id == beneficiary_id)
    )


async def _tell(
    session: AsyncSession,
    settings: Settings,
    item: ReviewItem,
    decision: Decision,
    person_id: int | None,
    address: str | None,
) -> OutboxMessage | None:
    """Tell the person who asked; a refusal carries the officer's reason."""
    if person_id is None and address is None:
        return None
    key = "notice.registration_approved" if decision.approve else "notice.registration_rejected"
    params = {} if decision.approve else {"reason": decision.reason or ""}
    return await enqueue(
        session,
        person_id=person_id,
        key=key,
        params=params,
        message_class="notice",
        address=address,
        idempotency_key=f"review:{item.id}:{item.status}",
        settings=settings,
    )


async def decide_review(
    session: AsyncSession,
    *,
    protector: DataProtector,
    settings: Settings,
    item: ReviewItem,
    decision: Decision,
    actor: str,
    now: datetime | None = None,
) -> Outcome:
    """Approve or reject a pending item (already found within the officer's reach)."""
    if item.status != PENDING:
        raise Conflict("admin.review.decided", status=item.status)
    if not decision.approve and not (decision.reason or "").strip():
        raise Invalid("admin.review.reason_missing")
    now = now or utcnow()
    beneficiary_id, person_id, address = item.beneficiary_id, item.person_id, None
    if item.kind == ReviewKind.REGISTRATION.value:
        beneficiary_id, person_id, address = await _registration(
            session, protector, item, decision, actor
        )
    elif item.kind in (ReviewKind.METHOD_CHANGE.value, ReviewKind.CASH_HOME.value):
        await _choice(session, item, decision, now)
    elif item.kind == ReviewKind.PROXY.value:
        await _proxy(session, item, decision, actor, now)
    person_id = person_id or await _beneficiary_person(session, beneficiary_id)
    item.status = APPROVED if decision.approve else REJECTED
    item.reason, item.decided_by, item.decided_at = decision.reason, actor, now
    if beneficiary_id is not None:
        item.beneficiary_id = beneficiary_id
    await record(
        session,
        actor=actor,
        action="approve" if decision.approve else "reject",
        entity="review_item",
        entity_id=item.id,
        reason=decision.reason,
        details={"kind": item.kind, "beneficiary_id": beneficiary_id},
    )
    notice = await _tell(session, settings, item, decision, person_id, address)
    return Outcome(item, beneficiary_id, notice)
