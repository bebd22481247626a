"""Account-opening sessions: bank staff at the commune office, the people invited, who came.

Invited: everyone in the commune who asked for a bank account that is not opened yet (their
latest choice, or an "account_opening" review item from the conversation), unless already
invited to another session still to come. Invitations, the reminder the day before and the
"account opened" notice are queued once per person and session.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.messaging.hours import zone
from models.messaging.service import enqueue
from models.outreach.tables import AccountOpeningSession, SessionAttendee
from models.payments.tables import PaymentMethodChoice
from models.people.banks import all_banks
from models.people.tables import Beneficiary
from models.places.loader import COMMUNE
from models.places.tables import Area, Organisation
from models.requests.tables import ReviewItem
from models.settings import Settings, get_settings
from models.vocab import BeneficiaryStatus, ChoiceStatus, PaymentMethod

STATUSES = ("planned", "held", "cancelled")
WAITING = (ChoiceStatus.REQUESTED.value, ChoiceStatus.SESSION_SCHEDULED.value)
OPEN_REVIEWS = ("pending", "approved")


async def _bank(
    session: AsyncSession, organisation_id: int | None, bank_code: str | None
) -> tuple[str | None, str]:
    """The session's bank code and the name people read."""
    if organisation_id is not None:
        found = await session.get(Organisation, organisation_id)
        if found is None:
            raise NotFound("places.organisation.not_found", organisation_id=organisation_id)
        code = bank_code or _code_of_bin(found.bank_bin)
        return code, found.short_name or found.name
    bank = next((b for b in all_banks() if b.code == (bank_code or "").upper()), None)
    if bank is None:
        raise Invalid("admin.session.bank_missing")
    return bank.code, bank.short_name


def _code_of_bin(bank_bin: str | None) -> str | None:
    return next((b.code for b in all_banks() if bank_bin and b.bin == bank_bin), None)


async def _check_commune(session: AsyncSession, commune_id: int) -> None:
    area = await session.get(Area, commune_id)
    if area is None or area.level != COMMUNE:
        raise NotFound("places.commune.not_found", commune_id=commune_id)


async def create_session(
    session: AsyncSession,
    *,
    commune_id: int,
    held_on: date,
    start_time: time,
    end_time: time,
    place: str,
    documents: str,
    actor: str,
    organisation_id: int | None = None,
    bank_code: str | None = None,
) -> AccountOpeningSession:
    """Plan a session at a commune with a bank (an organisation, or a bank code)."""
    await _check_commune(session, commune_id)
    if end_time <= start_time:
        raise Invalid("admin.session.times")
    code, name = await _bank(session, organisation_id, bank_code)
    if not place.strip() or not documents.strip():
        raise Invalid("admin.session.place_missing")
    found = AccountOpeningSession(
        commune_id=commune_id,
        organisation_id=organisation_id,
        bank_code=code,
        bank_name=name,
        held_on=held_on,
        start_time=start_time,
        end_time=end_time,
        place=" ".join(place.split()),
        documents=" ".join(documents.split()),
        created_by=actor,
    )
    session.add(found)
    await session.flush()
    return found


async def get_session(session: AsyncSession, session_id: int) -> AccountOpeningSession:
    """The session with this id, or NotFound."""
    found = await session.get(AccountOpeningSession, session_id)
    if found is None:
        raise NotFound("admin.session.not_found", id=session_id)
    return found


def sessions_query(
    *,
    commune_id: int | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select[AccountOpeningSession]:
    """Sessions, soonest first, filtered by what is given."""
    query = select(AccountOpeningSession).order_by(
        AccountOpeningSession.held_on, AccountOpeningSession.id
    )
    if commune_id is not None:
        query = query.where(AccountOpeningSession.commune_id == commune_id)
    if status is not None:
        query = query.where(AccountOpeningSession.status == status)
    if date_from is not None:
        query = query.where(AccountOpeningSession.held_on >= date_from)
    if date_to is not None:
        query = query.where(AccountOpeningSession.held_on <= date_to)
    return query


def attendees_query(
    session_id: int, *, attended: bool | None = None, invited: bool | None = None
) -> Select[SessionAttendee]:
    """A session's attendees in the order they were added."""
    query = select(SessionAttendee).where(SessionAttendee.session_id == session_id)
    if attended is not None:
        query = query.where(SessionAttendee.attended.is_(attended))
    if invited is not None:
        column = SessionAttendee.invited_at
        query = query.where(column.is_not(None) if invited else column.is_(None))
    return query.order_by(SessionAttendee.id)


def _elsewhere(target: AccountOpeningSession, today: date) -> Any:
    """SQL: the beneficiary is already expected at this or another session still to come."""
    return (
        select(SessionAttendee.id)
        .join(AccountOpeningSession, AccountOpeningSession.id == SessionAttendee.session_id)
        .where(
            SessionAttendee.beneficiary_id == Beneficiary.id,
            or_(
                AccountOpeningSession.id == target.id,
                and_(
                    AccountOpeningSession.status == "planned",
                    AccountOpeningSession.held_on >= today,
                ),
            ),
        )
        .exists()
    )


def _bank_matches(target: AccountOpeningSession) -> Any:
    provider = PaymentMethodChoice.provider_code
    if target.bank_code is None:
        return provider.is_not(None) | provider.is_(None)
    return or_(provider.is_(None), provider == target.bank_code)


async def _from_choices(
    session: AsyncSession, target: AccountOpeningSession, today: date
) -> list[tuple[int, int, int | None, int | None]]:
    """(beneficiary, person, choice, review item) of those whose latest choice awaits a bank."""
    newer = aliased(PaymentMethodChoice)
    latest = (
        select(func.max(newer.id))
        .where(newer.beneficiary_id == Beneficiary.id)
        .correlate(Beneficiary)
        .scalar_subquery()
    )
    query = (
        select(Beneficiary.id, Beneficiary.person_id, PaymentMethodChoice.id)
        .join(PaymentMethodChoice, PaymentMethodChoice.id == latest)
        .where(
            Beneficiary.commune_id == target.commune_id,
            Beneficiary.status == BeneficiaryStatus.ACTIVE.value,
            PaymentMethodChoice.method == PaymentMethod.BANK_ACCOUNT.value,
            PaymentMethodChoice.status.in_(WAITING),
            _bank_matches(target),
            ~_elsewhere(target, today),
        )
    )
    return [(b, p, c, None) for b, p, c in (await session.execute(query)).all()]


async def _from_reviews(
    session: AsyncSession, target: AccountOpeningSession, today: date
) -> list[tuple[int, int, int | None, int | None]]:
    """Those who asked the bot to open an account (review items), not yet expected."""
    query = (
        select(
            Beneficiary.id,
            func.coalesce(ReviewItem.person_id, Beneficiary.person_id),
            ReviewItem.choice_id,
            ReviewItem.id,
        )
        .join(Beneficiary, Beneficiary.id == ReviewItem.beneficiary_id)
        .where(
            ReviewItem.kind == "account_opening",
            ReviewItem.status.in_(OPEN_REVIEWS),
            Beneficiary.commune_id == target.commune_id,
            Beneficiary.status == BeneficiaryStatus.ACTIVE.value,
            ~_elsewhere(target, today),
        )
        .order_by(ReviewItem.id)
    )
    return [tuple(row) for row in (await session.execute(query)).all()]  # type: ignore[misc]


async def add_invitees(session: AsyncSession, *, session_id: int, today: date) -> int:
    """Add everyone waiting for an account in the session's commune; the number added."""
    target = await _planned(session, session_id)
    found: dict[int, tuple[int, int, int | None, int | None]] = {}
    rows = [
        *await _from_choices(session, target, today),
        *await _from_reviews(session, target, today),
    ]
    for row in rows:
        found.setdefault(row[0], row)
    for beneficiary_id, person_id, choice_id, review_id in found.values():
        session.add(
            SessionAttendee(
                session_id=target.id,
                beneficiary_id=beneficiary_id,
                person_id=person_id,
                choice_id=choice_id,
                review_item_id=review_id,
                source="review" if review_id else "choice",
            )
        )
    await session.flush()
    return len(found)


async def add_attendee(
    session: AsyncSession, *, session_id: int, beneficiary_id: int
) -> SessionAttendee:
    """Invite one beneficiary of the session's commune by hand."""
    target = await _planned(session, session_id)
    person = await session.get(Beneficiary, beneficiary_id)
    if person is None or person.commune_id != target.commune_id:
        raise NotFound("registry.beneficiary_not_found", id=beneficiary_id)
    existing = await session.scalar(
        attendees_query(session_id).where(SessionAttendee.beneficiary_id == beneficiary_id)
    )
    if existing is not None:
        return existing
    attendee = SessionAttendee(
        session_id=session_id,
        beneficiary_id=beneficiary_id,
        person_id=person.person_id,
        source="officer",
    )
    session.add(attendee)
    await session.flush()
    return attendee


async def _first_to_come(
    session: AsyncSession, query: Select[AccountOpeningSession], now: datetime, settings: Settings
) -> AccountOpeningSession | None:
    """The soonest planned session of `query` not over yet (one earlier today may be)."""
    today = now.astimezone(zone(settings.timezone)).date()
    query = query.where(AccountOpeningSession.status == "planned")
    for target in await session.scalars(query.where(AccountOpeningSession.held_on >= today)):
        if _at(target, target.end_time, settings) > now:
            return target
    return None


async def expected_at(
    session: AsyncSession, *, beneficiary_id: int, now: datetime, settings: Settings
) -> AccountOpeningSession | None:
    """The planned session still to come where the beneficiary is expected, if any."""
    query = (
        sessions_query()
        .join(SessionAttendee, SessionAttendee.session_id == AccountOpeningSession.id)
        .where(SessionAttendee.beneficiary_id == beneficiary_id)
    )
    return await _first_to_come(session, query, now, settings)


async def join_next_session(
    session: AsyncSession,
    *,
    beneficiary: Beneficiary,
    person_id: int | None,
    review_item_id: int | None,
    now: datetime,
    settings: Settings,
) -> AccountOpeningSession | None:
    """Put someone who asked for an account (through the conversation) on the list of the
    commune's next planned session, and return it; None while none is planned. The answer
    tells them the date, place and what to bring, so they count as invited: no second
    invitation, but the reminder the day before."""
    expected = await expected_at(session, beneficiary_id=beneficiary.id, now=now, settings=settings)
    if expected is not None:
        return expected
    query = sessions_query(commune_id=beneficiary.commune_id)
    target = await _first_to_come(session, query, now, settings)
    if target is None:
        return None
    session.add(
        SessionAttendee(
            session_id=target.id,
            beneficiary_id=beneficiary.id,
            person_id=person_id or beneficiary.person_id,
            review_item_id=review_item_id,
            source="review",
            invited_at=now,
        )
    )
    await session.flush()
    return target


async def _planned(session: AsyncSession, session_id: int) -> AccountOpeningSession:
    target = await get_session(session, session_id)
    if target.status != "planned":
        raise Conflict("admin.session.not_planned", status=target.status)
    return target


def session_params(target: AccountOpeningSession) -> dict[str, Any]:
    """The placeholders of a message about the session: date, time, place, bank, documents."""
    return {
        "date": target.held_on.isoformat(),
        "time": target.start_time.strftime("%H:%M"),
        "place": target.place,
        "bank": target.bank_name,
        "documents": target.documents,
    }


def _at(target: AccountOpeningSession, moment: time, settings: Settings) -> datetime:
    """`moment` of the session's day (UTC): its start, after which notices about it are
    useless, or its end, after which it is not offered."""
    local = datetime.combine(target.held_on, moment, zone(settings.timezone))
    return local.astimezone(UTC)


async def _notify(
    session: AsyncSession,
    target: AccountOpeningSession,
    attendee: SessionAttendee,
    kind: str,
    settings: Settings,
    now: datetime,
) -> bool:
    key = {
        "invite": "notice.account_session_invitation",
        "remind": "notice.account_session_reminder",
    }[kind]
    queued = await enqueue(
        session,
        person_id=attendee.person_id,
        key=key,
        params=session_params(target),
        message_class="notice",
        idempotency_key=f"session:{target.id}:{kind}:{attendee.beneficiary_id}",
        expires_at=_at(target, target.start_time, settings),
        settings=settings,
        now=now,
    )
    return queued is not None


async def send_invitations(
    session: AsyncSession,
    *,
    session_id: int,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Invite every attendee not invited yet, and mark their request as scheduled."""
    settings, now = settings or get_settings(), now or utcnow()
    target = await _planned(session, session_id)
    waiting = (await session.scalars(attendees_query(session_id, invited=False))).all()
    for attendee in waiting:
        await _notify(session, target, attendee, "invite", settings, now)
        attendee.invited_at = now
        if attendee.choice_id is not None:
            await _mark_scheduled(session, attendee.choice_id, now)
    await session.flush()
    return len(waiting)


async def _mark_scheduled(session: AsyncSession, choice_id: int, now: datetime) -> None:
    choice = await session.get(PaymentMethodChoice, choice_id)
    if choice is not None and choice.status == ChoiceStatus.REQUESTED.value:
        choice.status, choice.status_changed_at = ChoiceStatus.SESSION_SCHEDULED.value, now


async def remind_sessions(
    session: AsyncSession,
    *,
    today: date,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """The day before each planned session, remind every invited attendee once."""
    settings, now = settings or get_settings(), now or utcnow()
    query = (
        select(SessionAttendee, AccountOpeningSession)
        .join(AccountOpeningSession, AccountOpeningSession.id == SessionAttendee.session_id)
        .where(
            AccountOpeningSession.status == "planned",
            AccountOpeningSession.held_on == date.fromordinal(today.toordinal() + 1),
            SessionAttendee.invited_at.is_not(None),
            SessionAttendee.reminded_at.is_(None),
        )
    )
    count = 0
    for attendee, target in (await session.execute(query)).all():
        await _notify(session, target, attendee, "remind", settings, now)
        attendee.reminded_at = now
        count += 1
    await session.flush()
    return count


async def cancel_session(session: AsyncSession, *, session_id: int) -> AccountOpeningSession:
    """Call off a planned session; its attendees may be invited to another one."""
    target = await _planned(session, session_id)
    target.status = "cancelled"
    await session.flush()
    return target
