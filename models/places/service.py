"""Places: find communes by name, read old addresses, list communes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.places.index import Place, Places, places_of
from models.places.loader import (
    COMMUNE,
    DISTRICT,
    LEGACY_COMMUNE,
    LoadReport,
    load_organisations,
    load_units,
)
from models.places.names import EXACT, search_key, similarity, split_kind
from models.places.points import (
    KINDS,
    STATUSES,
    InvalidPlace,
    add_service_point,
    communes_without_atm,
    nearest_service_points,
    service_points_in_commune,
)
from models.places.tables import Area, AreaConversion

__all__ = [
    "KINDS",
    "STATUSES",
    "AreaMatch",
    "InvalidPlace",
    "LoadReport",
    "Place",
    "Resolution",
    "add_service_point",
    "commune_by_code",
    "communes_without_atm",
    "list_communes",
    "load_organisations",
    "load_units",
    "nearest_service_points",
    "resolve_address",
    "search_communes",
    "service_points_in_commune",
]


DISTRICT_KINDS = ("thành phố", "huyện")  # the kinds of the former districts
DISTRICT_SCORE = 0.95  # a commune found through its former district, named exactly


@dataclass
class AreaMatch:
    """A commune found by name; a former one also has its former district and today's communes."""

    area: Place
    score: float
    now_in: list[Place] = field(default_factory=list)
    district: Place | None = None


@dataclass
class Resolution:
    """Where an address from a list lies today; `ambiguous` needs an officer's choice."""

    current: Area | None
    legacy: Area | None = None
    candidates: list[Area] = field(default_factory=list)
    ambiguous: bool = False

    @property
    def found(self) -> bool:
        """Whether the address resolved to one current commune."""
        return self.current is not None


def _by_name(areas: list[Area]) -> list[Area]:
    """Alphabetical without accents, the same on every database."""
    return sorted(areas, key=lambda a: (a.search_name, a.code))


async def list_communes(session: AsyncSession) -> list[Area]:
    """Every current commune, alphabetically."""
    return _by_name(list((await session.scalars(select(Area).where(Area.level == COMMUNE))).all()))


async def commune_by_code(session: AsyncSession, code: str) -> Area | None:
    """The current commune with this NSO code ('05977' or '5977')."""
    code = code.strip()
    if not code.isdigit():
        return None
    query = select(Area).where(Area.level == COMMUNE, Area.code == code.zfill(5))
    return (await session.scalars(query)).one_or_none()


async def _conversions(session: AsyncSession, legacy_ids: list[int]) -> dict[int, list[Area]]:
    """For each former commune, the current communes it went into (by code)."""
    query = (
        select(AreaConversion.legacy_area_id, Area)
        .join(Area, Area.id == AreaConversion.current_area_id)
        .where(AreaConversion.legacy_area_id.in_(legacy_ids))
        .order_by(Area.code)
    )
    targets: dict[int, list[Area]] = defaultdict(list)
    for legacy_id, area in (await session.execute(query)).all():
        targets[legacy_id].append(area)
    return targets


async def search_communes(
    session: AsyncSession, query: str, *, include_legacy: bool = False, limit: int = 5
) -> list[AreaMatch]:
    """Communes whose name looks like `query`: accents, case, prefixes and typos forgiven.

    Scored against the places this process keeps (models.places.index): no query at all
    while they are fresh.
    """
    kind, key = split_kind(query)
    if not key or limit <= 0:
        return []
    places = await places_of(session)
    candidates = places.communes + places.former if include_legacy else places.communes
    scored = [(similarity(key, place.search_name), place) for place in candidates]
    scored = [(s, place) for s, place in scored if s > 0]
    # Ties: the kind written ("phường …") first, then today's unit before a former one.
    scored.sort(key=lambda sp: (-sp[0], sp[1].kind != kind, sp[1].legacy, sp[1].search_name))
    named_commune = bool(scored) and scored[0][0] >= EXACT
    if include_legacy and (kind in DISTRICT_KINDS or not named_commune):
        of_district = _of_former_district(places, kind, key)
        if of_district:  # a commune of the district's very name first ("huyện Bình Gia")
            same = [p for s, p in scored if s >= EXACT and not p.legacy]
            ordered = same + [p for p in of_district if p not in same]
            return [AreaMatch(p, DISTRICT_SCORE) for p in ordered[:limit]]  # none sure: a choice
    matches: list[AreaMatch] = []
    for s, place in scored:
        now_in = list(places.went_into.get(place.id, ()))
        if place.legacy and _same_as_today(place, now_in):
            continue
        district = places.by_id.get(place.parent_id) if place.legacy and place.parent_id else None
        matches.append(AreaMatch(place, round(s, 3), now_in, district))
        if len(matches) == limit:
            break
    return matches


def _of_former_district(places: Places, kind: str | None, key: str) -> list[Place]:
    """Today's communes of a former district named exactly ('TP Lạng Sơn', 'huyện Cao Lộc'):
    people still say where they live by the district, abolished in 2025."""
    found: dict[int, Place] = {}
    for district in places.by_id.values():
        if district.level != DISTRICT or district.search_name != key:
            continue
        if kind is not None and kind != district.kind:
            continue
        for former in places.former:
            if former.parent_id == district.id:
                found.update((p.id, p) for p in places.went_into.get(former.id, ()))
    return sorted(found.values(), key=lambda p: p.code)


def _same_as_today(area: Place, now_in: list[Place]) -> bool:
    """A former commune that became the commune of the same name adds nothing to a search."""
    return len(now_in) == 1 and now_in[0].name == area.name


async def _named(session: AsyncSession, level: str, key: str, parent_id: int | None) -> list[Area]:
    query = select(Area).where(Area.level == level, Area.search_name == key)
    if parent_id is not None:
        query = query.where(Area.parent_id == parent_id)
    return list((await session.scalars(query.order_by(Area.code))).all())


def _of_kind(areas: list[Area], kind: str | None) -> list[Area]:
    """The areas of the kind written, or all of them when none is of that kind."""
    matching = [a for a in areas if a.kind == kind]
    return matching or areas


async def _through_conversion(session: AsyncSession, legacy: list[Area]) -> Resolution:
    """Follow former communes to today's; several targets or a partial split stay ambiguous."""
    targets = await _conversions(session, [a.id for a in legacy])
    candidates = _by_name(list({t.id: t for a in legacy for t in targets.get(a.id, [])}.values()))
    single = legacy[0] if len(legacy) == 1 else None
    partial = await _any_partial(session, [a.id for a in legacy])
    if len(candidates) == 1 and not partial:
        return Resolution(current=candidates[0], legacy=single, candidates=candidates)
    return Resolution(current=None, legacy=single, candidates=candidates, ambiguous=True)


async def _any_partial(session: AsyncSession, legacy_ids: list[int]) -> bool:
    query = select(AreaConversion.id).where(
        AreaConversion.legacy_area_id.in_(legacy_ids), AreaConversion.partial.is_(True)
    )
    return (await session.scalars(query.limit(1))).first() is not None


async def resolve_address(
    session: AsyncSession, *, commune: str | None, district: str | None = None
) -> Resolution:
    """Today's commune for an address on a list, old or new; never guesses a split."""
    kind, key = split_kind(commune or "")
    if not key:
        return Resolution(current=None)
    if district and search_key(district):
        in_district = await _in_old_district(session, key, district)
        if in_district:
            return await _through_conversion(session, _of_kind(in_district, kind))
    current = await _named(session, COMMUNE, key, None)
    legacy = await _named(session, LEGACY_COMMUNE, key, None)
    if current and (kind is None or any(a.kind == kind for a in current) or not legacy):
        return Resolution(current=current[0], candidates=current[:1])
    if legacy:
        return await _through_conversion(session, _of_kind(legacy, kind))
    return Resolution(current=None)


async def _in_old_district(session: AsyncSession, key: str, district: str) -> list[Area]:
    """Former communes named `key` in the former district named `district`."""
    found = await _named(session, DISTRICT, search_key(district), None)
    if len(found) != 1:
        return []
    return await _named(session, LEGACY_COMMUNE, key, found[0].id)
