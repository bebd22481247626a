"""Service points: keep ATMs and payment points, import them, see which communes lack an ATM."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from api.admin_files import read_upload
from api.deps import (
    PagingDep,
    SessionDep,
    SettingsDep,
    area_in_scope,
    locale_of,
    page_of,
    require,
    scoped,
)
from api.errors import problem
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id
from api.schemas.service_points import (
    AnnouncedOut,
    CoverageOut,
    Kind,
    PointImportOut,
    PointIn,
    PointOut,
    PointPatch,
    PointProblemOut,
    Status,
)
from messages.render import render_text
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, READERS
from models.places import catalogue
from models.places.loader import COMMUNE
from models.places.points import add_service_point
from models.places.tables import Area, ServicePoint

router = APIRouter(prefix="/service-points", tags=["service points"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]


def _out(point: ServicePoint, announced: int | None = None) -> PointOut:
    out = PointOut.model_validate(point, from_attributes=True)
    return out.model_copy(update={"announced": announced})


async def _point(session: SessionDep, point_id: int, principal: Principal) -> ServicePoint:
    """A point the caller may change: in one of their communes (404 otherwise)."""
    point = await catalogue.get_point(session, point_id)
    area_in_scope(principal, point.commune_id)
    return point


@router.get("", summary="List service points", response_model=Page[PointOut])
async def list_points(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    commune_id: Id | None = None,
    kind: Kind | None = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
) -> Page[PointOut]:
    """Points are public information: every officer sees the whole province's."""
    query = catalogue.points_query(commune_id=commune_id, kind=kind, status=status_)
    rows, total = await page_of(session, query, paging)
    return Page(
        items=[_out(p) for p in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.post(
    "", summary="Add a service point", status_code=status.HTTP_201_CREATED, response_model=PointOut
)
async def create(
    principal: Officer, session: SessionDep, settings: SettingsDep, body: PointIn
) -> PointOut:
    """A point in one of the caller's communes; `announce` tells the commune of a new ATM."""
    area_in_scope(principal, body.commune_id)
    point = await add_service_point(session, **body.model_dump(exclude={"announce"}))
    told = None
    if body.announce and point.kind == "atm" and point.status == "active":
        told = await catalogue.announce_atm(
            session, point_id=point.id, actor=principal.actor, settings=settings
        )
    return _out(point, told)


@router.get("/coverage", summary="ATM coverage by commune", response_model=Page[CoverageOut])
async def coverage(
    principal: Reader, session: SessionDep, paging: PagingDep, without_atm: bool = False
) -> Page[CoverageOut]:
    """The caller's communes with their active ATMs; `without_atm` keeps those with none."""
    communes = scoped(select(Area.id).where(Area.level == COMMUNE), Area.id, principal)
    found = await catalogue.coverage(
        session, communes=list((await session.scalars(communes)).all())
    )
    rows = [
        CoverageOut(
            commune_id=c.commune.id,
            commune_code=c.commune.code,
            commune=c.commune.name,
            atms=c.atms,
            other_points=c.other_points,
        )
        for c in found
        if not (without_atm and c.atms)
    ]
    page = rows[paging.offset : paging.offset + paging.limit]
    return Page(items=page, total=len(rows), limit=paging.limit, offset=paging.offset)


@router.post(
    "/import", summary="Import service points (CSV or XLSX)", response_model=PointImportOut
)
async def import_points(
    request: Request,
    principal: Officer,
    session: SessionDep,
    file: Annotated[
        UploadFile,
        File(
            description="Columns: loại, tên, xã/phường (or mã xã), "
            "địa chỉ, vĩ độ, kinh độ, ngân hàng, giờ mở cửa."
        ),
    ],
    dry_run: Annotated[bool, Form()] = True,
) -> PointImportOut | JSONResponse:
    """Known points (same commune, kind and name) are updated. A dry run (the default) writes
    nothing; a real import with any row in error writes nothing and answers 422."""
    data = await read_upload(file)
    report = await catalogue.import_points(
        session,
        data=data,
        filename=file.filename or "points.csv",
        actor=principal.actor,
        communes=principal.scope.areas,
    )
    locale = locale_of(request)
    problems = [
        PointProblemOut(
            line=p.line,
            field=p.field,
            code=p.key,
            message=render_text(p.key, p.params, locale=locale),
        )
        for p in report.problems
    ]
    if dry_run or problems:
        await session.rollback()
    if problems and not dry_run:
        key, params = "admin.import.rows_invalid", {"count": str(len(problems))}
        return problem(
            422,
            render_text(key, params, locale=locale),
            type_=f"urn:ansinh:problem:{key}",
            code=key,
            params=params,
            errors=[p.model_dump() for p in problems],
        )
    return PointImportOut(
        dry_run=dry_run,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        skipped=report.skipped,
        problems=problems,
    )


@router.get("/{point_id}", summary="Read a service point", response_model=PointOut)
async def read(principal: Reader, session: SessionDep, point_id: Id) -> PointOut:
    """One point."""
    return _out(await catalogue.get_point(session, point_id))


@router.patch("/{point_id}", summary="Change a service point", response_model=PointOut)
async def change(
    principal: Officer, session: SessionDep, point_id: Id, body: PointPatch
) -> PointOut:
    """Within the caller's communes (before and after the change)."""
    await _point(session, point_id, principal)
    changes = body.model_dump(exclude_unset=True)
    if "commune_id" in changes:
        area_in_scope(principal, changes["commune_id"])
    return _out(
        await catalogue.update_point(session, point_id=point_id, actor=principal.actor, **changes)
    )


@router.delete(
    "/{point_id}", summary="Remove a service point", status_code=status.HTTP_204_NO_CONTENT
)
async def delete(principal: Officer, session: SessionDep, point_id: Id) -> None:
    """For a point recorded by mistake; a point that shut down is better marked closed."""
    await _point(session, point_id, principal)
    await catalogue.delete_point(session, point_id=point_id, actor=principal.actor)


@router.post(
    "/{point_id}/announce", summary="Tell the commune of a new ATM", response_model=AnnouncedOut
)
async def announce(
    principal: Officer, session: SessionDep, settings: SettingsDep, point_id: Id
) -> AnnouncedOut:
    """One notice per person and ATM: announcing again sends nothing twice."""
    await _point(session, point_id, principal)
    return AnnouncedOut(
        told=await catalogue.announce_atm(
            session, point_id=point_id, actor=principal.actor, settings=settings
        )
    )
