"""Reconciliation lists per commune: paid by account or in cash, and what to check first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import PagingDep, ProtectorDep, SessionDep, locale_of, require, scoped
from api.exports import headers as sheet_headers
from api.exports import line as sheet_line
from api.routers.registry_views import commune_refs
from api.schemas.common import PROBLEMS
from api.schemas.fields import Id, Text
from api.schemas.reconciliation import ReconciliationLine, ReconciliationOut
from api.spreadsheets import FILE_RESPONSES, FileFormat, file_response
from messages.render import render_text
from models.audit.service import record
from models.base import utcnow
from models.errors import Forbidden
from models.officers.principal import Principal
from models.officers.roles import RECONCILE_FULL, RECONCILERS
from models.payments.reconciliation import (
    Flag,
    Line,
    PaymentKind,
    reconcile,
    reconciliation_query,
    summarise,
)
from models.people.identifiers import PEOPLE_TZ
from models.people.search import first_phones
from models.people.tables import Beneficiary

router = APIRouter(prefix="/reconciliation", tags=["reconciliation"], responses=PROBLEMS)
Reconciler = Annotated[Principal, Depends(require(*RECONCILERS))]


async def _lines(
    session: SessionDep,
    principal: Principal,
    commune_id: int | None,
    kind: PaymentKind | None,
    flag: Flag | None,
) -> list[Line]:
    query = scoped(reconciliation_query(commune_id=commune_id), Beneficiary.commune_id, principal)
    lines = await reconcile(session, query, today=utcnow().astimezone(PEOPLE_TZ).date())
    return [
        line
        for line in lines
        if (kind is None or line.kind == kind) and (flag is None or flag in line.flags)
    ]


@router.get("", summary="Reconciliation list", response_model=ReconciliationOut)
async def reconciliation(
    principal: Reconciler,
    session: SessionDep,
    paging: PagingDep,
    commune_id: Id | None = None,
    kind: PaymentKind | None = None,
    flag: Flag | None = None,
) -> ReconciliationOut:
    """Beneficiaries being paid in the caller's areas, each with how and what to check."""
    lines = await _lines(session, principal, commune_id, kind, flag)
    summary = summarise(lines)
    page = lines[paging.offset : paging.offset + paging.limit]
    communes = await commune_refs(session, [line.beneficiary.commune_id for line in page])
    items = [
        ReconciliationLine(
            beneficiary_id=line.beneficiary.id,
            full_name=line.person.full_name,
            commune=communes.get(line.beneficiary.commune_id or 0),
            category=line.beneficiary.category,
            monthly_amount=line.beneficiary.monthly_amount,
            kind=line.kind,
            method=line.choice.method if line.choice else None,
            method_status=line.choice.status if line.choice else None,
            cccd=line.person.cccd_masked,
            account=line.choice.account_masked if line.choice else None,
            cash_reason=line.choice.cash_reason if line.choice else None,
            flags=line.flags,
        )
        for line in page
    ]
    return ReconciliationOut(
        items=items,
        total=len(lines),
        limit=paging.limit,
        offset=paging.offset,
        kinds=dict(summary.kinds),
        flags=dict(summary.flags),
    )


@router.get(
    "/export",
    summary="Export the reconciliation list (CSV or XLSX)",
    response_class=Response,
    responses=FILE_RESPONSES,
    description="Masked unless a reason is given (officers and the paying bank only); every "
    "export is kept in the audit log.",
)
async def export(
    request: Request,
    principal: Reconciler,
    session: SessionDep,
    protector: ProtectorDep,
    format_: Annotated[FileFormat, Query(alias="format")] = FileFormat.CSV,
    reason: Annotated[Text | None, Query(min_length=5, max_length=500)] = None,
    commune_id: Id | None = None,
    kind: PaymentKind | None = None,
    flag: Flag | None = None,
) -> Response:
    """The list as a file, with the payment kind and the flags of each line."""
    if reason and not principal.can(RECONCILE_FULL):
        raise Forbidden("admin.auth.forbidden")
    locale = locale_of(request)
    lines = await _lines(session, principal, commune_id, kind, flag)
    phones = await first_phones(session, [line.person.id for line in lines])
    communes = await commune_refs(session, [line.beneficiary.commune_id for line in lines])
    rows = []
    for ln in lines:
        ref = communes.get(ln.beneficiary.commune_id or 0)
        cells = sheet_line(
            (ln.beneficiary, ln.person, ln.choice),
            phone=phones.get(ln.person.id),
            commune=ref.name if ref else None,
            protector=protector if reason else None,
            locale=locale,
        )
        kind_label = render_text(f"admin.payment_kind.{ln.kind.value}", {}, locale=locale)
        flags = "; ".join(render_text(f"admin.flag.{f.value}", {}, locale=locale) for f in ln.flags)
        rows.append([*cells, kind_label, flags])
    await record(
        session,
        actor=principal.actor,
        action="export_full" if reason else "export",
        entity="reconciliation",
        reason=reason,
        details={"rows": len(rows), "format": format_.value, "commune_id": commune_id},
    )
    header = sheet_headers(locale, ("payment_kind", "flags"))
    return file_response(header, rows, fmt=format_, name="reconciliation")
