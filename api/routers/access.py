"""Officer accounts and the paying bank's API keys, managed by province administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import PagingDep, SessionDep, require
from api.routers.views import area_ids, area_refs, key_fields, key_out, officer_out
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id
from api.schemas.officers import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
)
from models.officers import keys, service
from models.officers.principal import Principal
from models.officers.roles import ADMIN, Role

router = APIRouter(tags=["access"], responses=PROBLEMS)
Admin = Annotated[Principal, Depends(require(*ADMIN))]


@router.get("/officers", summary="List officers", response_model=Page[OfficerOut])
async def list_officers(
    admin: Admin,
    session: SessionDep,
    paging: PagingDep,
    role: Annotated[Role | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Page[OfficerOut]:
    """Officers whose every area lies within the administrator's areas."""
    views, total = await service.list_officers(
        session,
        within=admin.scope,
        role=role,
        active=active,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [await officer_out(session, v) for v in views]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/officers",
    summary="Create an officer",
    status_code=status.HTTP_201_CREATED,
    response_model=OfficerOut,
)
async def create_officer(admin: Admin, session: SessionDep, body: OfficerIn) -> OfficerOut:
    """A new account, granted areas within the administrator's own."""
    officer = await service.create_officer(
        session,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        area_ids=await area_ids(session, body.area_codes) or [],
        password=body.password,
        actor=admin.actor,
        within=admin.scope,
    )
    return await officer_out(session, await service.get_officer(session, officer.id, within=None))


@router.get("/officers/{officer_id}", summary="Read an officer", response_model=OfficerOut)
async def read_officer(admin: Admin, session: SessionDep, officer_id: Id) -> OfficerOut:
    """One officer within the administrator's areas."""
    return await officer_out(
        session, await service.get_officer(session, officer_id, within=admin.scope)
    )


@router.patch("/officers/{officer_id}", summary="Change an officer", response_model=OfficerOut)
async def update_officer(
    admin: Admin, session: SessionDep, officer_id: Id, body: OfficerPatch
) -> OfficerOut:
    """Change name, role, areas or password, or deactivate (tokens stop working at once)."""
    view = await service.update_officer(
        session,
        officer_id=officer_id,
        actor=admin.actor,
        within=admin.scope,
        display_name=body.display_name,
        role=body.role,
        active=body.active,
        area_ids=await area_ids(session, body.area_codes),
        password=body.password,
    )
    return await officer_out(session, view)


@router.get("/api-keys", summary="List API keys", response_model=Page[ApiKeyOut])
async def list_api_keys(
    admin: Admin,
    session: SessionDep,
    paging: PagingDep,
    revoked: Annotated[bool | None, Query()] = None,
) -> Page[ApiKeyOut]:
    """The paying bank's keys within the administrator's areas, newest first."""
    views, total = await keys.list_api_keys(
        session, within=admin.scope, revoked=revoked, limit=paging.limit, offset=paging.offset
    )
    items = [await key_out(session, v) for v in views]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/api-keys",
    summary="Create an API key for the paying bank",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
)
async def create_api_key(admin: Admin, session: SessionDep, body: ApiKeyIn) -> ApiKeyCreated:
    """A payer key reaching the given areas; its secret is in this answer only."""
    view, secret = await keys.create_api_key(
        session,
        name=body.name,
        area_ids=await area_ids(session, body.area_codes) or [],
        actor=admin.actor,
        within=admin.scope,
    )
    areas = await area_refs(session, view.area_ids)
    return ApiKeyCreated(**key_fields(view), areas=areas, key=secret)


@router.delete("/api-keys/{key_id}", summary="Revoke an API key", response_model=ApiKeyOut)
async def revoke_api_key(admin: Admin, session: SessionDep, key_id: Id) -> ApiKeyOut:
    """The key stops working at once; it stays listed as revoked."""
    view = await keys.revoke_api_key(session, key_id=key_id, actor=admin.actor, within=admin.scope)
    return await key_out(session, view)
