"""The beneficiary registry: search, read (masked, or full for a reason), register, change."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import (
    Paging,
    PagingDep,
    ProtectorDep,
    SessionDep,
    area_in_scope,
    beneficiary_in_scope,
    page_of,
    require,
    scoped,
)
from api.routers import registry_views as views
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id, Text
from api.schemas.registry import (
    BeneficiaryDetail,
    BeneficiaryIn,
    BeneficiaryItem,
    BeneficiaryPatch,
    BeneficiarySearch,
    DeceasedIn,
    MethodFilter,
    ReasonIn,
    StatusOut,
)
from models.base import utcnow
from models.errors import Forbidden
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, READERS
from models.people import lifecycle
from models.people.identifiers import PEOPLE_TZ
from models.people.record import load_record, read_full_values
from models.people.search import ORDER, BeneficiaryFilter, search_query
from models.people.tables import Beneficiary
from models.vocab import BeneficiaryStatus, Category, Verification

router = APIRouter(prefix="/beneficiaries", tags=["beneficiaries"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]
Reason = Annotated[
    Text | None,
    Query(
        min_length=5,
        max_length=500,
        description="Why the full ID and account numbers are "
        "needed; the read is kept in the audit log. Without it everything is masked.",
    ),
]


def _today() -> date:
    return utcnow().astimezone(PEOPLE_TZ).date()


async def _page(
    session: SessionDep,
    protector: ProtectorDep,
    principal: Principal,
    wanted: BeneficiaryFilter,
    limit: int,
    offset: int,
) -> Page[BeneficiaryItem]:
    query = scoped(search_query(wanted, protector), Beneficiary.commune_id, principal)
    rows, total = await page_of(session, query, Paging(limit, offset), order_by=ORDER)
    return Page(items=await views.items(session, rows), total=total, limit=limit, offset=offset)


@router.get("", summary="List beneficiaries", response_model=Page[BeneficiaryItem])
async def list_beneficiaries(
    principal: Reader,
    session: SessionDep,
    protector: ProtectorDep,
    paging: PagingDep,
    commune_id: Id | None = None,
    category: Category | None = None,
    method: Annotated[MethodFilter | None, Query(description="A method, or 'none'.")] = None,
    status_: Annotated[BeneficiaryStatus | None, Query(alias="status")] = None,
    verification: Verification | None = None,
    needs_area_confirmation: bool | None = None,
) -> Page[BeneficiaryItem]:
    """Beneficiaries within the caller's areas, by name without accents; identifiers masked."""
    wanted = BeneficiaryFilter(
        commune_id=commune_id,
        category=category,
        method=method,
        status=status_,
        verification=verification,
        needs_area_confirmation=needs_area_confirmation,
    )
    return await _page(session, protector, principal, wanted, paging.limit, paging.offset)


@router.post("/search", summary="Search beneficiaries", response_model=Page[BeneficiaryItem])
async def search_beneficiaries(
    principal: Reader, session: SessionDep, protector: ProtectorDep, body: BeneficiarySearch
) -> Page[BeneficiaryItem]:
    """By name (accents optional), CCCD or phone (matched through keyed hashes), and filters."""
    terms = body.model_dump(exclude={"limit", "offset"})
    wanted = BeneficiaryFilter(**terms)
    return await _page(session, protector, principal, wanted, body.limit, body.offset)


@router.get("/{beneficiary_id}", summary="Read a beneficiary", response_model=BeneficiaryDetail)
async def read_beneficiary(
    principal: Reader,
    session: SessionDep,
    protector: ProtectorDep,
    beneficiary_id: Id,
    reason: Reason = None,
) -> BeneficiaryDetail:
    """The whole record, masked; with a `reason`, officers see full ID and account numbers."""
    if reason is not None and not principal.can(OFFICERS):  # auditors read masked only
        raise Forbidden("admin.auth.forbidden")
    beneficiary = await beneficiary_in_scope(session, beneficiary_id, principal)
    found = await load_record(session, beneficiary)
    full = None
    if reason is not None:
        full = await read_full_values(
            session, protector=protector, found=found, actor=principal.actor, reason=reason
        )
    return await views.detail(session, found, full)


def _data(body: BeneficiaryIn | BeneficiaryPatch) -> lifecycle.BeneficiaryData:
    return lifecycle.BeneficiaryData(**body.model_dump(exclude_unset=True))


@router.post(
    "",
    summary="Register a beneficiary",
    status_code=status.HTTP_201_CREATED,
    response_model=BeneficiaryDetail,
)
async def create_beneficiary(
    principal: Officer, session: SessionDep, protector: ProtectorDep, body: BeneficiaryIn
) -> BeneficiaryDetail:
    """A new beneficiary in a commune the officer answers for; one CCCD, one beneficiary."""
    area_in_scope(principal, body.commune_id)
    data = lifecycle.BeneficiaryData(**body.model_dump())
    beneficiary = await lifecycle.register_beneficiary(
        session, protector=protector, data=data, actor=principal.actor, today=_today()
    )
    return await views.detail(session, await load_record(session, beneficiary), None)


@router.patch(
    "/{beneficiary_id}", summary="Correct a beneficiary", response_model=BeneficiaryDetail
)
async def update_beneficiary(
    principal: Officer,
    session: SessionDep,
    protector: ProtectorDep,
    beneficiary_id: Id,
    body: BeneficiaryPatch,
) -> BeneficiaryDetail:
    """Change the given fields; moving to another commune needs both within reach."""
    beneficiary = await beneficiary_in_scope(session, beneficiary_id, principal)
    if body.commune_id is not None:
        area_in_scope(principal, body.commune_id)
    await lifecycle.update_beneficiary(
        session,
        protector=protector,
        beneficiary=beneficiary,
        data=_data(body),
        actor=principal.actor,
        today=_today(),
    )
    return await views.detail(session, await load_record(session, beneficiary), None)


@router.post("/{beneficiary_id}/suspend", summary="Suspend payments", response_model=StatusOut)
async def suspend(
    principal: Officer, session: SessionDep, beneficiary_id: Id, body: ReasonIn
) -> StatusOut:
    """Stop paying for now; the person stays registered."""
    beneficiary = await beneficiary_in_scope(session, beneficiary_id, principal)
    await lifecycle.suspend_beneficiary(
        session, beneficiary=beneficiary, reason=body.reason, actor=principal.actor
    )
    return StatusOut(id=beneficiary.id, status=BeneficiaryStatus(beneficiary.status))


@router.post("/{beneficiary_id}/resume", summary="Resume payments", response_model=StatusOut)
async def resume(
    principal: Officer, session: SessionDep, beneficiary_id: Id, body: ReasonIn
) -> StatusOut:
    """Pay a suspended beneficiary again."""
    beneficiary = await beneficiary_in_scope(session, beneficiary_id, principal)
    await lifecycle.resume_beneficiary(
        session, beneficiary=beneficiary, reason=body.reason, actor=principal.actor
    )
    return StatusOut(id=beneficiary.id, status=BeneficiaryStatus(beneficiary.status))


@router.post("/{beneficiary_id}/deceased", summary="Record a death", response_model=StatusOut)
async def deceased(
    principal: Officer, session: SessionDep, beneficiary_id: Id, body: DeceasedIn
) -> StatusOut:
    """Payments stop, proxies' authority ends, and queued notices to the person are cancelled."""
    beneficiary = await beneficiary_in_scope(session, beneficiary_id, principal)
    await lifecycle.mark_deceased(
        session,
        beneficiary=beneficiary,
        actor=principal.actor,
        reason=body.reason,
        date_of_death=body.date_of_death,
    )
    return StatusOut(id=beneficiary.id, status=BeneficiaryStatus(beneficiary.status))
