"""Monthly payment lists: generate, check, submit, approve, export to the payer, results back."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response
from sqlalchemy import select

from api.admin_files import FILE_RESPONSES, download
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
from api.schemas.fields import Id, Text
from api.schemas.payment_lists import (
    Bucket,
    CashPayout,
    ExportIn,
    GenerateAllIn,
    GeneratedOut,
    GenerateIn,
    ListStatus,
    PaymentLineOut,
    PaymentListOut,
    RemovalOut,
    ReturnIn,
    TotalsOut,
)
from models.base import utcnow
from models.errors import NotFound
from models.messaging.hours import zone
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, READERS, RECONCILE_FULL, Role
from models.paylists import service, workflow
from models.paylists.tables import PaymentLine, PaymentList
from models.places.loader import COMMUNE
from models.places.tables import Area
from models.settings import Settings

router = APIRouter(tags=["payment lists"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS, Role.PAYER))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]
Sender = Annotated[Principal, Depends(require(*RECONCILE_FULL))]  # officers and the payer
# The payer sees a list once it is approved, never before.
PAYER_SEES = ("approved", "exported", "results_imported", "reconciled", "closed")


def _today(settings: Settings) -> date:
    return utcnow().astimezone(zone(settings.timezone)).date()


async def _list(session: SessionDep, list_id: int, principal: Principal) -> PaymentList:
    """The list if the caller reaches its commune (and, for the payer, once approved); else 404."""
    query = scoped(
        select(PaymentList).where(PaymentList.id == list_id), PaymentList.commune_id, principal
    )
    if principal.role == Role.PAYER:
        query = query.where(PaymentList.status.in_(PAYER_SEES))
    found = await session.scalar(query)
    if found is None:
        raise NotFound("admin.pay.list_not_found", id=list_id)
    return found


async def _out(
    session: SessionDep, found: PaymentList, settings: Settings, *, totals: bool = True
) -> PaymentListOut:
    deadline = service.deadline(found, _today(settings))
    figures = await service.totals(session, found.id) if totals else None
    return PaymentListOut(
        id=found.id,
        period=found.period,
        commune_id=found.commune_id,
        status=found.status,
        created_by=found.created_by,
        generated_at=found.generated_at,
        submitted_by=found.submitted_by,
        approved_by=found.approved_by,
        exported_by=found.exported_by,
        reconciled_by=found.reconciled_by,
        closed_by=found.closed_by,
        returned_reason=found.returned_reason,
        cash_date=found.cash_date,
        cash_place=found.cash_place,
        without_amount=found.without_amount,
        due=deadline.due,
        days_left=deadline.days_left,
        warning=deadline.warning,
        totals=TotalsOut(
            count=figures.count,
            amount=figures.amount,
            changes=figures.changes,
            by_method={k: Bucket(**v) for k, v in figures.by_method.items()},
            results={k: Bucket(**v) for k, v in figures.results.items()},
        )
        if figures
        else None,
    )


@router.get("/payment-lists", summary="List payment lists", response_model=Page[PaymentListOut])
async def list_lists(
    principal: Reader,
    session: SessionDep,
    settings: SettingsDep,
    paging: PagingDep,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])] = None,
    commune_id: Id | None = None,
    status_: Annotated[ListStatus | None, Query(alias="status")] = None,
) -> Page[PaymentListOut]:
    """Lists within the caller's communes, newest month first (the payer: approved ones only)."""
    query = scoped(
        service.lists_query(period=period, commune_id=commune_id, status=status_),
        PaymentList.commune_id,
        principal,
    )
    if principal.role == Role.PAYER:
        query = query.where(PaymentList.status.in_(PAYER_SEES))
    rows, total = await page_of(session, query, paging)
    items = [await _out(session, row, settings, totals=False) for row in rows]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/payment-lists",
    summary="Generate a commune's monthly list",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentListOut,
)
async def generate(
    principal: Officer, session: SessionDep, settings: SettingsDep, body: GenerateIn
) -> PaymentListOut:
    """Freeze payees, amounts and methods from the registry and compare with the month before.

    A draft is rebuilt; a list already submitted answers 409.
    """
    area_in_scope(principal, body.commune_id)
    made = await service.generate_list(
        session, commune_id=body.commune_id, period=body.period, actor=principal.actor
    )
    return await _out(session, made, settings)


@router.post(
    "/payment-lists/generate",
    summary="Generate every commune's monthly list",
    response_model=GeneratedOut,
)
async def generate_all(
    principal: Officer, session: SessionDep, body: GenerateAllIn
) -> GeneratedOut:
    """Every commune within the caller's areas; submitted lists are left alone and named."""
    communes = scoped(select(Area.id).where(Area.level == COMMUNE), Area.id, principal)
    ids = list((await session.scalars(communes)).all())
    made = await service.generate_lists(
        session, period=body.period, actor=principal.actor, commune_ids=ids
    )
    return GeneratedOut(list_ids=[pl.id for pl in made.lists], locked_commune_ids=made.locked)


@router.get(
    "/payment-lists/{list_id}", summary="Read a payment list", response_model=PaymentListOut
)
async def read_list(
    principal: Reader, session: SessionDep, settings: SettingsDep, list_id: Id
) -> PaymentListOut:
    """The list with its control totals and its deadline warning."""
    return await _out(session, await _list(session, list_id, principal), settings)


def _line_out(line: PaymentLine) -> PaymentLineOut:
    return PaymentLineOut(
        id=line.id,
        beneficiary_id=line.beneficiary_id,
        category=line.category,
        amount=line.amount,
        method=line.method,
        bank_code=line.provider_code,
        account=line.account_masked,
        holder_name=line.holder_name,
        change=line.change,
        changed_fields=line.changed_fields,
        previous_amount=line.previous_amount,
        previous_method=line.previous_method,
        result=line.result,
        failure_reason=line.failure_reason,
        paid_on=line.paid_on,
    )


@router.get(
    "/payment-lists/{list_id}/lines", summary="Lines of a list", response_model=Page[PaymentLineOut]
)
async def list_lines(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    list_id: Id,
    change: Annotated[str | None, Query(pattern="^(new|adjusted|unchanged)$")] = None,
    result: Annotated[str | None, Query(pattern="^(pending|paid|failed)$")] = None,
    method: Text | None = None,
) -> Page[PaymentLineOut]:
    """Lines in order, accounts masked; filter by change (the change list), result or method."""
    await _list(session, list_id, principal)
    query = service.lines_query(list_id, change=change, result=result, method=method)
    rows, total = await page_of(session, query, paging)
    return Page(
        items=[_line_out(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get(
    "/payment-lists/{list_id}/removals",
    summary="Who left the list since last month",
    response_model=Page[RemovalOut],
)
async def list_removals(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    list_id: Id,
    reason: Text | None = None,
) -> Page[RemovalOut]:
    """The decreases of the change list, with why (deceased, suspended, moved…)."""
    await _list(session, list_id, principal)
    rows, total = await page_of(session, service.removals_query(list_id, reason=reason), paging)
    items = [
        RemovalOut(
            beneficiary_id=r.beneficiary_id,
            reason=r.reason,
            previous_amount=r.previous_amount,
            previous_method=r.previous_method,
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/payment-lists/{list_id}/submit",
    summary="Submit a draft for approval",
    response_model=PaymentListOut,
)
async def submit(
    principal: Officer, session: SessionDep, settings: SettingsDep, list_id: Id
) -> PaymentListOut:
    """draft → submitted."""
    await _list(session, list_id, principal)
    found = await workflow.submit_list(session, list_id=list_id, actor=principal.actor)
    return await _out(session, found, settings)


@router.post(
    "/payment-lists/{list_id}/return",
    summary="Send a submitted list back",
    response_model=PaymentListOut,
)
async def send_back(
    principal: Officer, session: SessionDep, settings: SettingsDep, list_id: Id, body: ReturnIn
) -> PaymentListOut:
    """submitted → draft, with the reason its maker reads."""
    await _list(session, list_id, principal)
    found = await workflow.return_list(
        session, list_id=list_id, actor=principal.actor, reason=body.reason
    )
    return await _out(session, found, settings)


@router.post(
    "/payment-lists/{list_id}/approve",
    summary="Approve a submitted list",
    response_model=PaymentListOut,
)
async def approve(
    principal: Officer, session: SessionDep, settings: SettingsDep, list_id: Id, body: CashPayout
) -> PaymentListOut:
    """submitted → approved, by another officer than its maker (409 otherwise).

    With the cash payout's date and place, every cash payee is told when and where.
    """
    await _list(session, list_id, principal)
    found = await workflow.approve_list(
        session,
        list_id=list_id,
        actor=principal.actor,
        cash_date=body.cash_date,
        cash_place=body.cash_place,
        settings=settings,
    )
    return await _out(session, found, settings)


@router.post(
    "/payment-lists/{list_id}/export",
    summary="Download the payer's file",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def export(
    principal: Sender,
    session: SessionDep,
    settings: SettingsDep,
    protector: ProtectorDep,
    list_id: Id,
    body: ExportIn,
) -> Response:
    """The only file with full account and ID numbers; every download is audited.

    The first download moves an approved list to "exported". The file carries empty result
    columns for the payer to fill in and upload back.
    """
    await _list(session, list_id, principal)
    exported = await workflow.export_list(
        session,
        list_id=list_id,
        actor=principal.actor,
        protector=protector,
        fmt=body.format,
        cash_date=body.cash_date,
        cash_place=body.cash_place,
        settings=settings,
    )
    return download(exported)


@router.post(
    "/payment-lists/{list_id}/reconcile", summary="Reconcile a list", response_model=PaymentListOut
)
async def reconcile(
    principal: Officer, session: SessionDep, settings: SettingsDep, list_id: Id
) -> PaymentListOut:
    """results imported → reconciled, once every line has its result (409 otherwise)."""
    await _list(session, list_id, principal)
    found = await workflow.reconcile_list(session, list_id=list_id, actor=principal.actor)
    return await _out(session, found, settings)


@router.post(
    "/payment-lists/{list_id}/close",
    summary="Close a reconciled list",
    response_model=PaymentListOut,
)
async def close(
    principal: Officer, session: SessionDep, settings: SettingsDep, list_id: Id
) -> PaymentListOut:
    """reconciled → closed: the month is done."""
    await _list(session, list_id, principal)
    found = await workflow.close_list(session, list_id=list_id, actor=principal.actor)
    return await _out(session, found, settings)
