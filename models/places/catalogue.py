"""Keeping the service points: change, remove, import from a spreadsheet, ATM coverage, and
telling a commune's beneficiaries when a new ATM opens there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.errors import Conflict, NotFound
from models.messaging.service import enqueue
from models.people.rows import RowProblem
from models.people.tables import Beneficiary
from models.places.loader import COMMUNE
from models.places.points import KINDS, STATUSES, InvalidPlace, add_service_point
from models.places.service import commune_by_code, resolve_address
from models.places.tables import Area, ServicePoint
from models.settings import Settings, get_settings
from models.sheets import read_rows
from models.vocab import BeneficiaryStatus

EDITABLE = (
    "kind",
    "name",
    "commune_id",
    "address",
    "latitude",
    "longitude",
    "operator_name",
    "opening_hours",
    "status",
)
HEADERS = {
    "loai": "kind",
    "loai diem": "kind",
    "kind": "kind",
    "ten": "name",
    "ten diem": "name",
    "name": "name",
    "xa": "commune",
    "phuong": "commune",
    "xa phuong": "commune",
    "commune": "commune",
    "ma xa": "commune_code",
    "commune code": "commune_code",
    "dia chi": "address",
    "address": "address",
    "vi do": "latitude",
    "latitude": "latitude",
    "kinh do": "longitude",
    "longitude": "longitude",
    "ngan hang": "operator",
    "don vi": "operator",
    "operator": "operator",
    "gio mo cua": "opening_hours",
    "opening hours": "opening_hours",
    "trang thai": "status",
    "status": "status",
}
REQUIRED = ("kind", "name", "address", ("commune", "commune_code"))
_KIND_WORDS = {
    "atm": "atm",
    "cay atm": "atm",
    "may atm": "atm",
    "chi nhanh": "bank_branch",
    "phong giao dich": "bank_branch",
    "ngan hang": "bank_branch",
    "bank branch": "bank_branch",
    "buu dien": "post_office",
    "buu cuc": "post_office",
    "post office": "post_office",
    "diem rut tien": "withdrawal_point",
    "withdrawal point": "withdrawal_point",
    "diem chi tra": "payment_point",
    "payment point": "payment_point",
}
_STATUS_WORDS = {
    "hoat dong": "active",
    "dang hoat dong": "active",
    "du kien": "planned",
    "sap mo": "planned",
    "dong cua": "closed",
    "da dong": "closed",
}


async def get_point(session: AsyncSession, point_id: int) -> ServicePoint:
    """The service point with this id, or NotFound."""
    found = await session.get(ServicePoint, point_id)
    if found is None:
        raise NotFound("admin.point.not_found", id=point_id)
    return found


def points_query(
    *, commune_id: int | None = None, kind: str | None = None, status: str | None = None
) -> Select[ServicePoint]:
    """Service points by commune, kind then name."""
    query = select(ServicePoint).order_by(
        ServicePoint.commune_id, ServicePoint.kind, ServicePoint.name, ServicePoint.id
    )
    if commune_id is not None:
        query = query.where(ServicePoint.commune_id == commune_id)
    if kind is not None:
        query = query.where(ServicePoint.kind == kind)
    if status is not None:
        query = query.where(ServicePoint.status == status)
    return query


def _required(value: Any, key: str) -> str:
    cleaned = " ".join(str(value or "").split())
    if not cleaned:
        raise InvalidPlace(key)
    return cleaned


async def _validate(session: AsyncSession, values: dict[str, Any]) -> None:
    """The rules add_service_point applies, for a point changed in place."""
    if values["kind"] not in KINDS:
        raise InvalidPlace(
            "places.service_point.kind", kind=values["kind"], allowed=", ".join(KINDS)
        )
    if values["status"] not in STATUSES:
        raise InvalidPlace(
            "places.service_point.status", status=values["status"], allowed=", ".join(STATUSES)
        )
    latitude, longitude = values["latitude"], values["longitude"]
    if (latitude is None) != (longitude is None):
        raise InvalidPlace("places.coordinates.incomplete")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidPlace("places.coordinates.range", latitude=latitude, longitude=longitude)
    values["name"] = _required(values["name"], "places.service_point.name_missing")
    values["address"] = _required(values["address"], "places.service_point.address_missing")
    area = await session.get(Area, values["commune_id"])
    if area is None or area.level != COMMUNE:
        raise NotFound("places.commune.not_found", commune_id=values["commune_id"])


async def _change(session: AsyncSession, point: ServicePoint, changes: dict[str, Any]) -> None:
    values = {name: getattr(point, name) for name in EDITABLE}
    values |= {name: value for name, value in changes.items() if name in EDITABLE}
    await _validate(session, values)
    for name, value in values.items():
        setattr(point, name, value)
    await session.flush()


async def update_point(
    session: AsyncSession, *, point_id: int, actor: str, **changes: Any
) -> ServicePoint:
    """Change a point; the same rules as adding one apply to the result."""
    point = await get_point(session, point_id)
    await _change(session, point, changes)
    await record(
        session,
        actor=actor,
        action="update",
        entity="service_point",
        entity_id=point.id,
        details={"fields": sorted(changes)},
    )
    return point


async def delete_point(session: AsyncSession, *, point_id: int, actor: str) -> None:
    """Remove a point recorded by mistake (a point that shut down is better marked closed)."""
    point = await get_point(session, point_id)
    await session.delete(point)
    await record(
        session,
        actor=actor,
        action="delete",
        entity="service_point",
        entity_id=point_id,
        details={"kind": point.kind, "commune_id": point.commune_id},
    )
    await session.flush()


@dataclass
class CommuneCoverage:
    """A commune and its active points: ATMs and the others."""

    commune: Area
    atms: int
    other_points: int


async def coverage(
    session: AsyncSession, *, communes: Collection[int] | None = None
) -> list[CommuneCoverage]:
    """Every current commune (within `communes`) with its active ATMs and other points."""
    counts = (
        select(ServicePoint.commune_id, ServicePoint.kind, func.count())
        .where(ServicePoint.status == "active")
        .group_by(ServicePoint.commune_id, ServicePoint.kind)
    )
    found: dict[int, list[int]] = {}
    for commune_id, kind, count in (await session.execute(counts)).all():
        found.setdefault(commune_id, [0, 0])[0 if kind == "atm" else 1] += count
    query = select(Area).where(Area.level == COMMUNE)
    if communes is not None:
        query = query.where(Area.id.in_(list(communes)))
    areas = sorted((await session.scalars(query)).all(), key=lambda a: (a.search_name, a.code))
    return [CommuneCoverage(a, *found.get(a.id, [0, 0])) for a in areas]


async def announce_atm(
    session: AsyncSession,
    *,
    point_id: int,
    actor: str,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Tell every active beneficiary of the commune that this ATM opened; the number told.

    One notice per ATM and person: announcing again queues nothing new.
    """
    settings = settings or get_settings()
    point = await get_point(session, point_id)
    if point.kind != "atm" or point.status != "active":
        raise Conflict("admin.point.not_active_atm")
    people = select(Beneficiary.person_id).where(
        Beneficiary.commune_id == point.commune_id,
        Beneficiary.status == BeneficiaryStatus.ACTIVE.value,
    )
    params = {"operator": point.operator_name or point.name, "address": point.address}
    told = 0
    for person_id in (await session.scalars(people)).all():
        queued = await enqueue(
            session,
            person_id=person_id,
            key="notice.atm_new",
            params=params,
            message_class="notice",
            idempotency_key=f"atm:{point.id}:{person_id}",
            settings=settings,
            now=now,
        )
        told += queued is not None
    await record(
        session,
        actor=actor,
        action="announce",
        entity="service_point",
        entity_id=point.id,
        details={"told": told},
    )
    await session.flush()
    return told


@dataclass
class PointImport:
    """What an import of service points did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    created_ids: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _number(raw: str | None) -> float | None:
    return float(raw.replace(",", ".")) if raw else None


async def _commune_of(session: AsyncSession, raw: dict[str, str]) -> int | None:
    if raw.get("commune_code"):
        found = await commune_by_code(session, raw["commune_code"])
        return found.id if found else None
    resolved = await resolve_address(session, commune=raw.get("commune"))
    return resolved.current.id if resolved.current and not resolved.ambiguous else None


def _values(raw: dict[str, str], commune_id: int) -> dict[str, Any]:
    kind = _KIND_WORDS.get(fold(raw["kind"]), fold(raw["kind"]).replace(" ", "_"))
    status = _STATUS_WORDS.get(fold(raw.get("status", "")), raw.get("status") or "active")
    return {
        "kind": kind,
        "name": raw["name"],
        "commune_id": commune_id,
        "address": raw["address"],
        "latitude": _number(raw.get("latitude")),
        "longitude": _number(raw.get("longitude")),
        "operator_name": raw.get("operator"),
        "opening_hours": raw.get("opening_hours"),
        "status": status,
    }


async def _same(session: AsyncSession, values: dict[str, Any]) -> ServicePoint | None:
    """The point this row describes again: same commune, kind and name (accents ignored)."""
    query = select(ServicePoint).where(
        ServicePoint.commune_id == values["commune_id"], ServicePoint.kind == values["kind"]
    )
    wanted = fold(values["name"])
    return next((p for p in (await session.scalars(query)).all() if fold(p.name) == wanted), None)


async def import_points(
    session: AsyncSession,
    *,
    data: bytes,
    filename: str,
    actor: str,
    communes: Collection[int] | None = None,
) -> PointImport:
    """Import points from CSV/XLSX: new ones added, known ones (commune, kind, name) updated."""
    table = read_rows(data, filename, headers=HEADERS, required=REQUIRED)
    report = PointImport(rows=len(table.rows))
    for line, raw in table.rows:
        commune_id = await _commune_of(session, raw)
        if commune_id is None or (communes is not None and commune_id not in communes):
            report.problems.append(
                RowProblem(
                    line, "commune", "import.commune_unknown", {"commune": raw.get("commune", "")}
                )
            )
            continue
        await _import_row(session, report, line, _values_or_problem(report, line, raw, commune_id))
    report.skipped = report.rows - report.created - report.updated
    await record(
        session,
        actor=actor,
        action="import",
        entity="service_point",
        details={
            "file_sha256": hashlib.sha256(data).hexdigest(),
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
        },
    )
    await session.flush()
    return report


def _values_or_problem(
    report: PointImport, line: int, raw: dict[str, str], commune_id: int
) -> dict[str, Any] | None:
    try:
        return _values(raw, commune_id)
    except ValueError:
        report.problems.append(RowProblem(line, "latitude", "places.coordinates.incomplete"))
        return None


async def _import_row(
    session: AsyncSession, report: PointImport, line: int, values: dict[str, Any] | None
) -> None:
    """Add or update one row's point; a bad row is reported and leaves nothing behind."""
    if values is None:
        return
    existing = await _same(session, values)
    try:
        if existing is not None:
            await _change(session, existing, values)
            report.updated += 1
            return
        point = await add_service_point(session, **values)
    except InvalidPlace as problem:
        report.problems.append(RowProblem(line, "kind", problem.key, problem.params))
        return
    report.created += 1
    report.created_ids.append(point.id)
