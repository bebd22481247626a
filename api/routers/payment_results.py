"""The payer's results: paid or failed per line, uploaded back as CSV or XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile

from api.admin_files import read_upload
from api.deps import ProtectorDep, SessionDep, SettingsDep, locale_of, require
from api.schemas.common import PROBLEMS
from api.schemas.payment_lists import ListProgressOut, ResultProblemOut, ResultReportOut
from messages.render import render_text
from models.officers.principal import Principal
from models.officers.roles import RECONCILE_FULL
from models.paylists.results import import_results

router = APIRouter(tags=["payment lists"], responses=PROBLEMS)
Sender = Annotated[Principal, Depends(require(*RECONCILE_FULL))]  # officers and the payer


@router.post(
    "/payment-results", summary="Upload the payer's results", response_model=ResultReportOut
)
async def upload_results(
    request: Request,
    principal: Sender,
    session: SessionDep,
    settings: SettingsDep,
    protector: ProtectorDep,
    file: Annotated[
        UploadFile,
        File(
            description="CSV or XLSX: line_id (or CCCD and period), "
            "result (paid/failed), reason, paid_on."
        ),
    ],
) -> ResultReportOut:
    """Paid or failed per line. The same file twice changes nothing; a cut-off file applies
    its rows and lists the lines still waiting. Each result tells the payee once.
    """
    data = await read_upload(file)
    report = await import_results(
        session,
        protector=protector,
        data=data,
        filename=file.filename or "results.csv",
        actor=principal.actor,
        communes=principal.scope.areas,
        settings=settings,
    )
    locale = locale_of(request)
    return ResultReportOut(
        import_id=report.import_id,
        rows=report.rows,
        applied=report.applied,
        unchanged=report.unchanged,
        rejected=report.rejected,
        problems=[
            ResultProblemOut(
                line=p.line,
                field=p.field,
                code=p.key,
                message=render_text(p.key, p.params, locale=locale),
            )
            for p in report.problems
        ],
        lists=[
            ListProgressOut(
                list_id=p.list_id, pending=p.pending, pending_line_ids=p.pending_line_ids
            )
            for p in report.lists
        ],
    )
