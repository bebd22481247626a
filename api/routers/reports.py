"""Monthly reports (JSON, CSV, XLSX), their submission, and reminders to officers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response
from sqlalchemy import select

from api.admin_files import FILE_RESPONSES, download
from api.deps import (
    PagingDep,
    SessionDep,
    SettingsDep,
    area_in_scope,
    page_of,
    require,
    scoped,
)
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id
from api.schemas.reports import (
    ContactIn,
    ContactOut,
    FiguresOut,
    ReminderOut,
    ReportOut,
    SubmissionOut,
    SubmitIn,
)
from models.errors import NotFound
from models.messaging.hours import zone
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, READERS
from models.places.loader import COMMUNE
from models.places.tables import Area
from models.reports import reminders
from models.reports.service import monthly_report, report_file, submit_report
from models.reports.tables import OfficerContact, OfficerReminder

router = APIRouter(tags=["reports"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]


@router.get(
    "/reports/monthly",
    summary="Monthly report",
    response_model=ReportOut,
    responses={200: {"content": {"application/json": {}, **FILE_RESPONSES[200]["content"]}}},
)
async def monthly(
    principal: Reader,
    session: SessionDep,
    settings: SettingsDep,
    period: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])],
    commune_id: Id | None = None,
    format_: Annotated[str, Query(alias="format", pattern="^(json|csv|xlsx)$")] = "json",
) -> ReportOut | Response:
    """Per commune within reach (or one commune) and their total: beneficiaries by category,
    shares choosing and paid without cash, accounts opened, payments, ATMs, campaign reach."""
    if commune_id is not None:
        area_in_scope(principal, commune_id)
        communes = [commune_id]
    else:
        query = scoped(select(Area.id).where(Area.level == COMMUNE), Area.id, principal)
        communes = list((await session.scalars(query)).all())
    report = await monthly_report(
        session, period=period, tz=zone(settings.timezone), communes=communes
    )
    if format_ != "json":
        return download(report_file(report, format_))
    return ReportOut(
        period=report.period,
        communes=[FiguresOut(**vars(f)) for f in report.communes],
        total=FiguresOut(**vars(report.province)),
        communes_with_atm=report.communes_with_atm,
        communes_total=len(report.communes),
    )


@router.post(
    "/reports/monthly/submit",
    summary="Submit a commune's monthly report",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmissionOut,
)
async def submit(
    principal: Officer, session: SessionDep, settings: SettingsDep, body: SubmitIn
) -> SubmissionOut:
    """The figures are kept as they are now; a second submission answers 409."""
    area_in_scope(principal, body.commune_id)
    made = await submit_report(
        session,
        commune_id=body.commune_id,
        period=body.period,
        actor=principal.actor,
        tz=zone(settings.timezone),
    )
    return SubmissionOut.model_validate(made, from_attributes=True)


@router.get(
    "/officer-reminders", summary="Reminders sent to communes", response_model=Page[ReminderOut]
)
async def list_reminders(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    commune_id: Id | None = None,
    kind: Annotated[str | None, Query(pattern="^(payment_list|report)$")] = None,
) -> Page[ReminderOut]:
    """From the 10th, each commune whose list or report is not in gets one reminder a month."""
    query = reminders.reminders_query(period=period, commune_id=commune_id, kind=kind)
    rows, total = await page_of(
        session, scoped(query, OfficerReminder.commune_id, principal), paging
    )
    return Page(
        items=[ReminderOut.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def _contact(row: OfficerContact) -> ContactOut:
    return ContactOut.model_validate(row, from_attributes=True)


@router.get("/officer-contacts", summary="My reminder addresses", response_model=Page[ContactOut])
async def list_contacts(
    principal: Officer, session: SessionDep, paging: PagingDep
) -> Page[ContactOut]:
    """Where the calling officer receives reminders."""
    rows, total = await page_of(session, reminders.contacts_query(officer=principal.actor), paging)
    return Page(
        items=[_contact(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.post(
    "/officer-contacts",
    summary="Add a reminder address",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactOut,
)
async def add_contact(principal: Officer, session: SessionDep, body: ContactIn) -> ContactOut:
    """A phone (tel:+84…) or chat address for the reminders of one of the caller's communes."""
    if body.commune_id is not None:
        area_in_scope(principal, body.commune_id)
    elif not principal.scope.unplaced:
        raise NotFound("admin.area.not_found", id="")
    made = await reminders.add_contact(
        session,
        officer=principal.actor,
        address=body.address,
        commune_id=body.commune_id,
        locale=body.locale,
    )
    return _contact(made)


@router.delete(
    "/officer-contacts/{contact_id}",
    summary="Stop reminders to an address",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def remove_contact(principal: Officer, session: SessionDep, contact_id: Id) -> None:
    """Only the caller's own addresses."""
    found = await session.get(OfficerContact, contact_id)
    if found is None or found.officer != principal.actor:
        raise NotFound("admin.report.contact_not_found", id=contact_id)
    found.active = False
