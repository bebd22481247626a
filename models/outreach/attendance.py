"""Recording who came to an account-opening session and whose account was opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.messaging.service import enqueue
from models.outreach.sessions import get_session
from models.outreach.tables import AccountOpeningSession, SessionAttendee
from models.payments.service import record_choice
from models.payments.tables import PaymentMethodChoice
from models.people.banks import all_banks
from models.people.identifiers import parse_account_number
from models.people.tables import Beneficiary, Person
from models.protection import DataProtector
from models.settings import Settings, get_settings
from models.vocab import ChoiceStatus, PaymentMethod, Source


@dataclass(frozen=True)
class OpenedAccount:
    """The account bank staff opened: number, holder, and the bank when not the session's."""

    account_number: str
    holder_name: str | None = None
    bank_code: str | None = None
    holder: str = "beneficiary"
    holder_person_id: int | None = None


async def _attendee(session: AsyncSession, session_id: int, beneficiary_id: int) -> SessionAttendee:
    query = select(SessionAttendee).where(
        SessionAttendee.session_id == session_id, SessionAttendee.beneficiary_id == beneficiary_id
    )
    found = (await session.scalars(query.with_for_update())).first()
    if found is None:
        raise NotFound("admin.session.attendee_not_found", id=beneficiary_id)
    return found


async def record_attendance(
    session: AsyncSession,
    *,
    session_id: int,
    beneficiary_id: int,
    attended: bool,
    actor: str,
    protector: DataProtector,
    account: OpenedAccount | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> SessionAttendee:
    """Record whether the person came and, with `account`, the account opened for them."""
    settings, now = settings or get_settings(), now or utcnow()
    target = await get_session(session, session_id)
    if target.status == "cancelled":
        raise Conflict("admin.session.not_planned", status=target.status)
    attendee = await _attendee(session, session_id, beneficiary_id)
    if attendee.account_opened:
        raise Conflict("admin.session.account_recorded")
    if account is not None and not attended:
        raise Invalid("admin.session.account_without_attendance")
    attendee.attended, attendee.recorded_by, attendee.recorded_at = attended, actor, now
    target.status = "held"
    if account is not None:
        choice = await _open(session, target, attendee, account, actor, protector)
        attendee.account_opened, attendee.opened_choice_id = True, choice.id
        await _tell_opened(session, target, attendee, choice, settings, now)
    await record(
        session,
        actor=actor,
        action="attendance",
        entity="account_opening_session",
        entity_id=session_id,
        details={
            "beneficiary_id": beneficiary_id,
            "attended": attended,
            "account_opened": attendee.account_opened,
        },
    )
    await session.flush()
    return attendee


async def _open(
    session: AsyncSession,
    target: AccountOpeningSession,
    attendee: SessionAttendee,
    account: OpenedAccount,
    actor: str,
    protector: DataProtector,
) -> PaymentMethodChoice:
    """Append the opened account as the beneficiary's new payment choice."""
    number = parse_account_number(account.account_number)
    if not number.ok or number.value is None:
        raise Invalid("id.account.invalid")
    bank = (account.bank_code or target.bank_code or "").upper()
    if bank not in {b.code for b in all_banks()}:
        raise Invalid("id.bank.unknown")
    return await record_choice(
        session,
        protector=protector,
        beneficiary_id=attendee.beneficiary_id,
        method=PaymentMethod.BANK_ACCOUNT,
        source=Source.OFFICER,
        actor=actor,
        provider_code=bank,
        account_number=number.value,
        holder=account.holder,
        holder_person_id=account.holder_person_id,
        holder_name=account.holder_name,
        expected_names=await _names(session, attendee.beneficiary_id),
        status=ChoiceStatus.OPENED,
    )


async def _names(session: AsyncSession, beneficiary_id: int) -> tuple[str, ...]:
    query = (
        select(Person.full_name)
        .join(Beneficiary, Beneficiary.person_id == Person.id)
        .where(Beneficiary.id == beneficiary_id)
    )
    return tuple((await session.scalars(query)).all())


async def _tell_opened(
    session: AsyncSession,
    target: AccountOpeningSession,
    attendee: SessionAttendee,
    choice: PaymentMethodChoice,
    settings: Settings,
    now: datetime,
) -> None:
    await enqueue(
        session,
        person_id=attendee.person_id,
        key="notice.account_opened",
        params={"bank": target.bank_name, "account": choice.account_masked},
        message_class="notice",
        idempotency_key=f"session:{target.id}:opened:{attendee.beneficiary_id}",
        settings=settings,
        now=now,
    )
