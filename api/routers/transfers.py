"""Beneficiary lists in and out: upload with a dry-run report first, export masked or full."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.deps import ProtectorDep, SessionDep, locale_of, require, scoped
from api.errors import problem
from api.exports import beneficiary_sheet
from api.schemas.common import PROBLEMS
from api.schemas.fields import Id, Text
from api.schemas.registry import ImportReportOut, MethodFilter, RowProblemOut
from api.spreadsheets import FILE_RESPONSES, FileFormat, file_response
from messages.render import render_text
from models.audit.service import record
from models.base import utcnow
from models.errors import Invalid, TooLarge
from models.officers.imports import lines_outside
from models.officers.principal import Principal
from models.officers.roles import OFFICERS
from models.people.identifiers import PEOPLE_TZ
from models.people.importer import ImportReport, import_file
from models.people.search import ORDER, BeneficiaryFilter, search_query
from models.people.tables import Beneficiary
from models.people.tabular import read_table
from models.vocab import BeneficiaryStatus, Category

router = APIRouter(prefix="/beneficiaries", tags=["beneficiaries"], responses=PROBLEMS)
Officer = Annotated[Principal, Depends(require(*OFFICERS))]
MAX_UPLOAD = 20 * 1024 * 1024
EXPORT_LIMIT = 200_000


def _today() -> date:
    return utcnow().astimezone(PEOPLE_TZ).date()


def _report(report: ImportReport, locale: str) -> ImportReportOut:
    warnings = {id(p) for p in report.problems} - {id(p) for p in report.errors}
    return ImportReportOut(
        dry_run=report.dry_run,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
        needs_area_confirmation=report.needs_area_confirmation,
        ignored_columns=report.ignored_columns,
        problems=[
            RowProblemOut(
                line=p.line,
                field=p.field,
                code=p.key,
                params=p.params,
                message=render_text(p.key, p.params, locale=locale),
                warning=id(p) in warnings,
            )
            for p in report.problems
        ],
    )


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise TooLarge("admin.import.too_large", max_mb=MAX_UPLOAD // (1024 * 1024))
    return data


@router.post(
    "/import",
    summary="Upload a beneficiary list (CSV or XLSX)",
    description="The same import as `ansinh import beneficiaries`. With dry_run (the default) "
    "the report says what would happen and nothing is written. A real import with any row in "
    "error writes nothing and answers 422 with the same problems.",
    response_model=ImportReportOut,
)
async def import_beneficiaries(
    request: Request,
    principal: Officer,
    session: SessionDep,
    protector: ProtectorDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, header on the first row.")],
    dry_run: Annotated[bool, Form()] = True,
) -> ImportReportOut | JSONResponse:
    """Check a list, then import it: rows outside the officer's communes are refused."""
    data, name, today = await _read_upload(file), file.filename or "upload.csv", _today()
    sheet = read_table(data, name)
    outside = await lines_outside(
        session, protector=protector, sheet=sheet, scope=principal.scope, today=today
    )
    if outside:
        shown = ", ".join(str(n) for n in outside[:20]) + (" …" if len(outside) > 20 else "")
        raise Invalid("admin.import.out_of_scope", lines=shown, count=len(outside))
    report = await import_file(
        session,
        protector=protector,
        data=data,
        filename=name,
        actor=principal.actor,
        today=today,
        dry_run=dry_run,
    )
    body = _report(report, locale_of(request))
    if dry_run or report.errors:
        await session.rollback()  # a dry run, or a list with errors, leaves nothing behind
    if report.errors and not dry_run:
        key, params = "admin.import.rows_invalid", {"count": str(len(report.errors))}
        return problem(
            422,
            render_text(key, params, locale=locale_of(request)),
            type_=f"urn:ansinh:problem:{key}",
            code=key,
            params=params,
            errors=[p.model_dump() for p in body.problems],
        )
    return body


@router.get(
    "/export",
    summary="Export beneficiaries (CSV or XLSX)",
    description="Masked unless a reason is given; every export is kept in the audit log.",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def export_beneficiaries(
    request: Request,
    principal: Officer,
    session: SessionDep,
    protector: ProtectorDep,
    format_: Annotated[FileFormat, Query(alias="format")] = FileFormat.CSV,
    reason: Annotated[Text | None, Query(min_length=5, max_length=500)] = None,
    commune_id: Id | None = None,
    category: Category | None = None,
    method: MethodFilter | None = None,
    status_: Annotated[BeneficiaryStatus | None, Query(alias="status")] = None,
) -> Response:
    """The beneficiaries within reach, in the import's column names (so a list can go back)."""
    wanted = BeneficiaryFilter(
        commune_id=commune_id, category=category, method=method, status=status_
    )
    query = scoped(search_query(wanted, protector), Beneficiary.commune_id, principal)
    rows = (await session.execute(query.order_by(*ORDER).limit(EXPORT_LIMIT))).all()
    headers, lines = await beneficiary_sheet(
        session,
        rows=[(b, p, c) for b, p, c in rows],
        protector=protector if reason else None,
        locale=locale_of(request),
    )
    await record(
        session,
        actor=principal.actor,
        action="export_full" if reason else "export",
        entity="beneficiary",
        reason=reason,
        details={"rows": len(lines), "format": format_.value, "commune_id": commune_id},
    )
    return file_response(headers, lines, fmt=format_, name="beneficiaries")
