"""The areas granted to officers and API keys: checked, stored, resolved to a scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import Invalid, NotFound
from models.officers.principal import Scope, resolve_scope
from models.places.tables import Area


async def areas_by_code(session: AsyncSession, codes: Sequence[str]) -> list[int]:
    """Current areas by their official codes ('20' the province, '05977' a commune)."""
    found = []
    for code in codes:
        rows = (await session.scalars(select(Area).where(Area.code == code.strip()))).all()
        current = [a for a in rows if not a.legacy]
        if not current:
            raise Invalid("admin.area.legacy" if rows else "admin.area.unknown", code=code)
        found.append(current[0].id)
    return found


async def check_grant(
    session: AsyncSession, area_ids: Iterable[int], *, within: Scope | None
) -> list[int]:
    """The areas to grant, each current and (when `within` is given) reached by the granter."""
    ids = sorted(set(area_ids))
    if not ids:
        raise Invalid("admin.officer.needs_area")
    rows = await session.execute(select(Area.id, Area.legacy).where(Area.id.in_(ids)))
    current = {area_id for area_id, legacy in rows if not legacy}
    for area_id in ids:
        if area_id not in current or (within is not None and area_id not in within.areas):
            raise NotFound("admin.area.not_found", id=area_id)
    return ids


async def granted(session: AsyncSession, link: Any, owner: Any, owner_id: int) -> list[int]:
    """The area ids linked to one officer or key (`link` is OfficerArea or ApiKeyArea)."""
    rows = await session.scalars(select(link.area_id).where(owner == owner_id))
    return sorted(rows.all())


async def replace_grant(
    session: AsyncSession, link: Any, owner_column: str, owner_id: int, area_ids: list[int]
) -> None:
    """Make the owner's areas exactly `area_ids`."""
    column = getattr(link, owner_column)
    await session.execute(delete(link).where(column == owner_id))
    session.add_all(link(**{owner_column: owner_id, "area_id": a}) for a in area_ids)
    await session.flush()


async def scope_of(session: AsyncSession, area_ids: Iterable[int]) -> Scope:
    """The scope the granted areas give."""
    return await resolve_scope(session, area_ids)


async def areas_by_id(session: AsyncSession, area_ids: Iterable[int]) -> dict[int, Area]:
    """Areas by id, for showing codes and names."""
    ids = sorted(set(area_ids))
    if not ids:
        return {}
    rows = await session.scalars(select(Area).where(Area.id.in_(ids)))
    return {area.id: area for area in rows.all()}
