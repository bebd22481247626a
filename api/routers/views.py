"""Turning domain rows into response bodies (shared by the admin routers)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.officers import ApiKeyOut, AreaRef, OfficerOut
from models.officers.areas import areas_by_code, areas_by_id
from models.officers.keys import KeyView
from models.officers.roles import Role
from models.officers.service import OfficerView


async def area_refs(session: AsyncSession, area_ids: Iterable[int]) -> list[AreaRef]:
    """Id, code and name of each area, in the order given."""
    ids = list(area_ids)
    found = await areas_by_id(session, ids)
    return [AreaRef(id=i, code=found[i].code, name=found[i].name) for i in ids if i in found]


async def area_ids(session: AsyncSession, codes: list[str] | None) -> list[int] | None:
    """Area ids for official codes (None stays None)."""
    return None if codes is None else await areas_by_code(session, codes)


async def officer_out(session: AsyncSession, view: OfficerView) -> OfficerOut:
    """An officer for the API."""
    o = view.officer
    return OfficerOut(
        id=o.id,
        username=o.username,
        display_name=o.display_name,
        role=Role(o.role),
        active=o.active,
        areas=await area_refs(session, view.area_ids),
        created_at=o.created_at,
        last_login_at=o.last_login_at,
    )


def key_fields(view: KeyView) -> dict[str, object]:
    """The columns of an API key shown to its managers."""
    k = view.key
    return {
        "id": k.id,
        "name": k.name,
        "prefix": k.prefix,
        "role": Role(k.role),
        "created_by": k.created_by,
        "created_at": k.created_at,
        "last_used_at": k.last_used_at,
        "revoked_at": k.revoked_at,
    }


async def key_out(session: AsyncSession, view: KeyView) -> ApiKeyOut:
    """An API key for the API (its prefix, never its secret)."""
    return ApiKeyOut(**key_fields(view), areas=await area_refs(session, view.area_ids))
