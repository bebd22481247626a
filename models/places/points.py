"""Service points: ATMs, bank branches, post offices, withdrawal and payment points."""

from __future__ import annotations

import math
from collections.abc import Collection

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import Invalid, NotFound
from models.places.loader import COMMUNE
from models.places.tables import Area, Organisation, ServicePoint

KINDS = ("atm", "bank_branch", "post_office", "withdrawal_point", "payment_point")
STATUSES = ("active", "planned", "closed")
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.32
# Widening search boxes (km); None = every point with coordinates.
SEARCH_RADII_KM: tuple[float | None, ...] = (10.0, 40.0, 160.0, None)


class InvalidPlace(Invalid, ValueError):
    """Bad input about a place; also a ValueError for callers that only know that."""


def _check_kinds(kinds: Collection[str]) -> None:
    for kind in kinds:
        if kind not in KINDS:
            raise InvalidPlace("places.service_point.kind", kind=kind, allowed=", ".join(KINDS))


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidPlace("places.coordinates.incomplete")
    if latitude is None or longitude is None:
        return
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidPlace("places.coordinates.range", latitude=latitude, longitude=longitude)


async def _operator_name(session: AsyncSession, operator_id: int | None) -> str | None:
    """The operator's short name; NotFound when the id names no organisation."""
    if operator_id is None:
        return None
    operator = await session.get(Organisation, operator_id)
    if operator is None:
        raise NotFound("places.organisation.not_found", organisation_id=operator_id)
    return operator.short_name or operator.name


async def _check_commune(session: AsyncSession, commune_id: int) -> None:
    commune = await session.get(Area, commune_id)
    if commune is None or commune.level != COMMUNE:
        raise NotFound("places.commune.not_found", commune_id=commune_id)


def _required(value: str, key: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidPlace(key)
    return cleaned


async def add_service_point(
    session: AsyncSession,
    *,
    kind: str,
    name: str,
    commune_id: int,
    address: str,
    latitude: float | None = None,
    longitude: float | None = None,
    operator_id: int | None = None,
    operator_name: str | None = None,
    opening_hours: str | None = None,
    status: str = "active",
) -> ServicePoint:
    """Record a service point in a current commune."""
    _check_kinds([kind])
    if status not in STATUSES:
        raise InvalidPlace(
            "places.service_point.status", status=status, allowed=", ".join(STATUSES)
        )
    _check_coordinates(latitude, longitude)
    await _check_commune(session, commune_id)
    point = ServicePoint(
        kind=kind,
        name=_required(name, "places.service_point.name_missing"),
        commune_id=commune_id,
        address=_required(address, "places.service_point.address_missing"),
        latitude=latitude,
        longitude=longitude,
        operator_id=operator_id,
        operator_name=operator_name or await _operator_name(session, operator_id),
        opening_hours=opening_hours,
        status=status,
    )
    session.add(point)
    await session.flush()
    return point


def _points(kinds: Collection[str] | None, *, active_only: bool = True) -> Select[ServicePoint]:
    query = select(ServicePoint)
    if active_only:
        query = query.where(ServicePoint.status == "active")
    if kinds is not None:
        _check_kinds(kinds)
        query = query.where(ServicePoint.kind.in_(list(kinds)))
    return query


async def service_points_in_commune(
    session: AsyncSession,
    commune_id: int,
    *,
    kinds: Collection[str] | None = None,
    active_only: bool = True,
) -> list[ServicePoint]:
    """The commune's service points (active ones unless asked), by kind then name."""
    query = _points(kinds, active_only=active_only)
    points = (await session.scalars(query.where(ServicePoint.commune_id == commune_id))).all()
    return sorted(points, key=lambda p: (KINDS.index(p.kind), p.name, p.id))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _distance(point: ServicePoint, latitude: float, longitude: float) -> float:
    assert point.latitude is not None and point.longitude is not None  # filtered in SQL
    return haversine_km(latitude, longitude, point.latitude, point.longitude)


def _in_box(
    query: Select[ServicePoint], latitude: float, longitude: float, radius_km: float
) -> Select[ServicePoint]:
    """Points inside a box that holds the whole circle of `radius_km` (an index-friendly filter)."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return query.where(
        ServicePoint.latitude.between(latitude - dlat, latitude + dlat),
        ServicePoint.longitude.between(longitude - dlon, longitude + dlon),
    )


async def nearest_service_points(
    session: AsyncSession,
    *,
    latitude: float,
    longitude: float,
    limit: int = 3,
    kinds: Collection[str] | None = None,
) -> list[tuple[ServicePoint, float]]:
    """The closest active service points with their distance in km, nearest first."""
    _check_coordinates(latitude, longitude)
    base = _points(kinds).where(
        ServicePoint.latitude.is_not(None), ServicePoint.longitude.is_not(None)
    )
    found: list[tuple[ServicePoint, float]] = []
    for radius in SEARCH_RADII_KM:
        query = base if radius is None else _in_box(base, latitude, longitude, radius)
        points = (await session.scalars(query)).all()
        found = sorted(
            ((p, _distance(p, latitude, longitude)) for p in points),
            key=lambda pd: (pd[1], pd[0].id),
        )
        # Only points inside the circle are certain to beat everything outside the box.
        if radius is None or sum(1 for _, d in found if d <= radius) >= limit:
            break
    return found[: max(limit, 0)]


async def communes_without_atm(session: AsyncSession) -> list[Area]:
    """Current communes with no active ATM (the plan asks for one in every commune)."""
    has_atm = exists().where(
        ServicePoint.commune_id == Area.id,
        ServicePoint.kind == "atm",
        ServicePoint.status == "active",
    )
    query = select(Area).where(Area.level == COMMUNE, ~has_atm)
    return sorted((await session.scalars(query)).all(), key=lambda a: (a.search_name, a.code))
