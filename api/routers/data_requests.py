"""Personal-data requests: deadlines, status, export of everything held, deletion."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import and_, not_, or_, select

from api.deps import (
    PagingDep,
    ProtectorDep,
    SessionDep,
    beneficiary_in_scope,
    page_of,
    require,
    scoped,
)
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id
from api.schemas.privacy import (
    AnonymisedOut,
    DataRequestIn,
    DataRequestOut,
    DataRequestPatch,
    PersonExport,
)
from models.base import utcnow
from models.errors import Conflict, NotFound
from models.officers.data_requests import (
    FINAL,
    DataRequestStatus,
    enter_data_request,
    update_data_request,
)
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, PRIVACY, READERS
from models.people.identifiers import PEOPLE_TZ
from models.people.privacy import anonymise_person, export_person
from models.people.tables import Beneficiary
from models.requests.service import DataRequestKind
from models.requests.tables import DataRequest

router = APIRouter(prefix="/data-requests", tags=["personal data"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]
Privacy = Annotated[Principal, Depends(require(*PRIVACY))]
NOT_FOUND = "admin.data_request.not_found"

# The request's area: the commune of the person's beneficiary record (none: province only).
_BENEFICIARY = (
    select(Beneficiary.id)
    .where(Beneficiary.person_id == DataRequest.person_id)
    .order_by(Beneficiary.id)
    .limit(1)
    .scalar_subquery()
)
_COMMUNE = (
    select(Beneficiary.commune_id)
    .where(Beneficiary.person_id == DataRequest.person_id)
    .order_by(Beneficiary.id)
    .limit(1)
    .scalar_subquery()
)


def _today() -> date:
    return utcnow().astimezone(PEOPLE_TZ).date()


def _overdue(today: date) -> Any:
    late = or_(
        DataRequest.due_by < today,
        and_(DataRequest.acknowledged_at.is_(None), DataRequest.acknowledge_by < today),
    )
    return and_(not_(DataRequest.status.in_(FINAL)), late)


def _out(request: DataRequest, beneficiary_id: int | None, today: date) -> DataRequestOut:
    open_ = request.status not in FINAL
    late = request.due_by < today or (
        request.acknowledged_at is None and request.acknowledge_by < today
    )
    return DataRequestOut(
        id=request.id,
        kind=request.kind,
        status=request.status,
        person_id=request.person_id,
        beneficiary_id=beneficiary_id,
        channel=request.channel,
        details=request.details,
        received_at=request.received_at,
        acknowledge_by=request.acknowledge_by,
        due_by=request.due_by,
        overdue=open_ and late,
        acknowledged_at=request.acknowledged_at,
        completed_at=request.completed_at,
        handled_by=request.handled_by,
        outcome=request.outcome,
    )


async def _one(
    session: SessionDep, request_id: int, principal: Principal, *, lock: bool = False
) -> tuple[DataRequest, int | None]:
    query = scoped(
        select(DataRequest, _BENEFICIARY).where(DataRequest.id == request_id), _COMMUNE, principal
    )
    if lock:
        query = query.with_for_update(of=DataRequest)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(NOT_FOUND, id=request_id)
    return row[0], row[1]


@router.get("", summary="List personal-data requests", response_model=Page[DataRequestOut])
async def list_requests(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    status_: Annotated[DataRequestStatus | None, Query(alias="status")] = None,
    kind: DataRequestKind | None = None,
    overdue: bool | None = None,
) -> Page[DataRequestOut]:
    """Requests from people of the caller's areas, by deadline."""
    today = _today()
    query = scoped(select(DataRequest, _BENEFICIARY), _COMMUNE, principal)
    if status_ is not None:
        query = query.where(DataRequest.status == status_.value)
    if kind is not None:
        query = query.where(DataRequest.kind == kind.value)
    if overdue is not None:
        query = query.where(_overdue(today) if overdue else not_(_overdue(today)))
    rows, total = await page_of(
        session, query, paging, order_by=(DataRequest.due_by, DataRequest.id)
    )
    return Page(
        items=[_out(r, b, today) for r, b in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "",
    summary="Enter a request made at the office",
    status_code=status.HTTP_201_CREATED,
    response_model=DataRequestOut,
)
async def enter(principal: Officer, session: SessionDep, body: DataRequestIn) -> DataRequestOut:
    """A request a beneficiary made on paper or in person; its deadlines start today."""
    beneficiary = await beneficiary_in_scope(session, body.beneficiary_id, principal)
    request = await enter_data_request(
        session,
        person_id=beneficiary.person_id,
        kind=body.kind,
        details=body.details,
        actor=principal.actor,
    )
    return _out(request, beneficiary.id, _today())


@router.get("/{request_id}", summary="Read a personal-data request", response_model=DataRequestOut)
async def read(principal: Reader, session: SessionDep, request_id: Id) -> DataRequestOut:
    """One request from the caller's areas."""
    request, beneficiary_id = await _one(session, request_id, principal)
    return _out(request, beneficiary_id, _today())


@router.patch("/{request_id}", summary="Update a request's status", response_model=DataRequestOut)
async def update(
    principal: Officer, session: SessionDep, request_id: Id, body: DataRequestPatch
) -> DataRequestOut:
    """Acknowledge, complete or refuse, with what was done."""
    request, beneficiary_id = await _one(session, request_id, principal, lock=True)
    await update_data_request(
        session, request=request, status=body.status, outcome=body.outcome, actor=principal.actor
    )
    return _out(request, beneficiary_id, _today())


def _person(request: DataRequest) -> int:
    if request.person_id is None:
        raise Conflict("admin.data_request.no_person")
    return request.person_id


@router.get(
    "/{request_id}/export",
    summary="Export everything held about the person",
    response_model=PersonExport,
)
async def export(
    principal: Privacy, session: SessionDep, protector: ProtectorDep, request_id: Id
) -> PersonExport:
    """Every row about the person, numbers in clear, for handing over (kept in the audit log)."""
    request, _ = await _one(session, request_id, principal)
    person_id = _person(request)
    tables = await export_person(
        session,
        protector=protector,
        person_id=person_id,
        actor=principal.actor,
        reason=f"data request {request.id}",
    )
    return PersonExport(person_id=person_id, tables=tables)


@router.post(
    "/{request_id}/anonymise",
    summary="Delete the person (anonymise)",
    response_model=AnonymisedOut,
)
async def anonymise(principal: Privacy, session: SessionDep, request_id: Id) -> AnonymisedOut:
    """For a deletion request: identity removed, consents and payment records kept; completed."""
    request, _ = await _one(session, request_id, principal, lock=True)
    if request.kind != DataRequestKind.DELETION.value:
        raise Conflict("admin.data_request.not_deletion")
    if request.status in FINAL:
        raise Conflict("admin.data_request.closed", status=request.status)
    person = await anonymise_person(
        session,
        person_id=_person(request),
        actor=principal.actor,
        reason=f"data request {request.id}",
    )
    await update_data_request(
        session,
        request=request,
        status=DataRequestStatus.COMPLETED,
        outcome="anonymised",
        actor=principal.actor,
    )
    assert person.anonymised_at is not None
    return AnonymisedOut(person_id=person.id, anonymised_at=person.anonymised_at)
