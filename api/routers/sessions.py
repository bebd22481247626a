"""Account-opening sessions: plan, invite, record who came and whose account was opened."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import func, select

from api.deps import (
    PagingDep,
    ProtectorDep,
    SessionDep,
    SettingsDep,
    area_in_scope,
    page_of,
    require,
    scoped,
)
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id
from api.schemas.sessions import (
    AttendanceIn,
    AttendeeIn,
    AttendeeOut,
    InvitationsOut,
    SessionIn,
    SessionOut,
)
from models.base import utcnow
from models.errors import NotFound
from models.messaging.hours import zone
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, READERS
from models.outreach import sessions as domain
from models.outreach.attendance import OpenedAccount, record_attendance
from models.outreach.tables import AccountOpeningSession, SessionAttendee

router = APIRouter(prefix="/account-opening-sessions", tags=["account opening"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]


async def _session_of(
    session: SessionDep, session_id: int, principal: Principal
) -> AccountOpeningSession:
    query = scoped(
        select(AccountOpeningSession).where(AccountOpeningSession.id == session_id),
        AccountOpeningSession.commune_id,
        principal,
    )
    found = await session.scalar(query)
    if found is None:
        raise NotFound("admin.session.not_found", id=session_id)
    return found


async def _out(session: SessionDep, found: AccountOpeningSession) -> SessionOut:
    attendee = SessionAttendee
    counts = select(
        func.count(attendee.invited_at),
        func.count().filter(attendee.attended.is_(True)),
        func.count().filter(attendee.account_opened.is_(True)),
    ).where(attendee.session_id == found.id)
    invited, came, opened = (await session.execute(counts)).one()
    base = SessionOut.model_validate(found, from_attributes=True)
    return base.model_copy(update={"invited": invited, "came": came, "accounts_opened": opened})


def _attendee(row: SessionAttendee) -> AttendeeOut:
    return AttendeeOut.model_validate(row, from_attributes=True)


@router.get("", summary="List sessions", response_model=Page[SessionOut])
async def list_sessions(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    commune_id: Id | None = None,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(planned|held|cancelled)$")
    ] = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Page[SessionOut]:
    """Sessions within the caller's communes, soonest first."""
    query = domain.sessions_query(
        commune_id=commune_id, status=status_, date_from=date_from, date_to=date_to
    )
    rows, total = await page_of(
        session, scoped(query, AccountOpeningSession.commune_id, principal), paging
    )
    return Page(
        items=[await _out(session, r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "", summary="Plan a session", status_code=status.HTTP_201_CREATED, response_model=SessionOut
)
async def create(principal: Officer, session: SessionDep, body: SessionIn) -> SessionOut:
    """Bank staff at a commune office on a day; nobody is invited yet."""
    area_in_scope(principal, body.commune_id)
    made = await domain.create_session(session, actor=principal.actor, **body.model_dump())
    return await _out(session, made)


@router.get("/{session_id}", summary="Read a session", response_model=SessionOut)
async def read(principal: Reader, session: SessionDep, session_id: Id) -> SessionOut:
    """The session and its counts."""
    return await _out(session, await _session_of(session, session_id, principal))


@router.post(
    "/{session_id}/invitations",
    summary="Invite everyone waiting for an account",
    response_model=InvitationsOut,
)
async def invite(
    principal: Officer, session: SessionDep, settings: SettingsDep, session_id: Id
) -> InvitationsOut:
    """Adds who asked for an account in the commune (their choice, or a request to the bot),
    then queues an invitation to each person not invited yet (once each)."""
    await _session_of(session, session_id, principal)
    today = utcnow().astimezone(zone(settings.timezone)).date()
    added = await domain.add_invitees(session, session_id=session_id, today=today)
    invited = await domain.send_invitations(session, session_id=session_id, settings=settings)
    return InvitationsOut(added=added, invited=invited)


@router.get("/{session_id}/attendees", summary="Who is invited", response_model=Page[AttendeeOut])
async def attendees(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    session_id: Id,
    attended: bool | None = None,
    invited: bool | None = None,
) -> Page[AttendeeOut]:
    """The session's attendees, with invitation, reminder, attendance and account."""
    await _session_of(session, session_id, principal)
    query = domain.attendees_query(session_id, attended=attended, invited=invited)
    rows, total = await page_of(session, query, paging)
    return Page(
        items=[_attendee(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.post(
    "/{session_id}/attendees",
    summary="Invite one beneficiary",
    status_code=status.HTTP_201_CREATED,
    response_model=AttendeeOut,
)
async def add(
    principal: Officer,
    session: SessionDep,
    settings: SettingsDep,
    session_id: Id,
    body: AttendeeIn,
) -> AttendeeOut:
    """Add a beneficiary of the session's commune and send the invitation."""
    await _session_of(session, session_id, principal)
    attendee = await domain.add_attendee(
        session, session_id=session_id, beneficiary_id=body.beneficiary_id
    )
    await domain.send_invitations(session, session_id=session_id, settings=settings)
    return _attendee(attendee)


@router.put(
    "/{session_id}/attendees/{beneficiary_id}",
    summary="Record attendance",
    response_model=AttendeeOut,
)
async def attendance(
    principal: Officer,
    session: SessionDep,
    settings: SettingsDep,
    protector: ProtectorDep,
    session_id: Id,
    beneficiary_id: Id,
    body: AttendanceIn,
) -> AttendeeOut:
    """Whether the person came; with an account, it becomes their new payment choice (opened)
    and they are told."""
    await _session_of(session, session_id, principal)
    account = OpenedAccount(**body.account.model_dump()) if body.account else None
    row = await record_attendance(
        session,
        session_id=session_id,
        beneficiary_id=beneficiary_id,
        attended=body.attended,
        actor=principal.actor,
        protector=protector,
        account=account,
        settings=settings,
    )
    return _attendee(row)


@router.post("/{session_id}/cancel", summary="Cancel a session", response_model=SessionOut)
async def cancel(principal: Officer, session: SessionDep, session_id: Id) -> SessionOut:
    """Call the session off; its attendees can be invited to another one."""
    await _session_of(session, session_id, principal)
    return await _out(session, await domain.cancel_session(session, session_id=session_id))
