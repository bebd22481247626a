"""The province's communes and former units, read once a minute per process for name searches.

A person asking for ATMs "in Đông Kinh" has every commune's name scored against what they wrote;
reading and building those rows is most of a search's cost, and they change only when the
administrative units are loaded again (`ansinh places load`). So each process keeps them as
plain rows for `FRESH_SECONDS`, one copy per database engine: a load in this process forgets
them at once, a load by another process is seen within that time.
"""

from __future__ import annotations

import time
import weakref
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.places.tables import COMMUNE, DISTRICT, LEGACY_COMMUNE, Area, AreaConversion

FRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Place:
    """What a search reads of an area: a row, not an ORM object (every commune is scored)."""

    id: int
    code: str
    level: str
    kind: str
    name: str
    search_name: str
    parent_id: int | None
    legacy: bool


@dataclass(frozen=True)
class Places:
    """Today's communes, the former communes and districts, and where each former commune went."""

    by_id: dict[int, Place]
    communes: tuple[Place, ...]
    former: tuple[Place, ...]
    went_into: dict[int, tuple[Place, ...]]  # former commune id -> today's communes, by code
    read_at: float


_COLUMNS = (
    Area.id,
    Area.code,
    Area.level,
    Area.kind,
    Area.name,
    Area.search_name,
    Area.parent_id,
    Area.legacy,
)
_kept: weakref.WeakKeyDictionary[Engine, Places] = weakref.WeakKeyDictionary()


async def places_of(session: AsyncSession) -> Places:
    """The places of the session's database, read again when older than `FRESH_SECONDS`."""
    engine = session.get_bind().engine
    kept = _kept.get(engine)
    if kept is not None and time.monotonic() - kept.read_at < FRESH_SECONDS:
        return kept
    levels = (COMMUNE, LEGACY_COMMUNE, DISTRICT)
    rows = await session.execute(select(*_COLUMNS).where(Area.level.in_(levels)))
    by_id = {place.id: place for place in (Place(*row) for row in rows)}
    pairs = await session.execute(
        select(AreaConversion.legacy_area_id, AreaConversion.current_area_id)
    )
    went_into: defaultdict[int, list[Place]] = defaultdict(list)
    for legacy_id, current_id in pairs:
        if current_id in by_id:
            went_into[legacy_id].append(by_id[current_id])
    read = Places(
        by_id=by_id,
        communes=tuple(p for p in by_id.values() if p.level == COMMUNE),
        former=tuple(p for p in by_id.values() if p.level == LEGACY_COMMUNE),
        went_into={k: tuple(sorted(v, key=lambda p: p.code)) for k, v in went_into.items()},
        read_at=time.monotonic(),
    )
    _kept[engine] = read
    return read


def forget_places() -> None:
    """Read the places again at the next search (they were just loaded)."""
    _kept.clear()


async def place_by_id(session: AsyncSession, area_id: int) -> Place | None:
    """A commune or former unit by id, from the kept places (None for another kind of area)."""
    return (await places_of(session)).by_id.get(area_id)
