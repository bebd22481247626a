"""Load the shipped administrative units and organisations; every load is idempotent."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import data
from models.base import Base
from models.places.index import forget_places
from models.places.names import search_key
from models.places.tables import (
    COMMUNE,
    DISTRICT,
    LEGACY_COMMUNE,
    PROVINCE,
    Area,
    AreaConversion,
    AreaLevel,
    Organisation,
)

__all__ = [
    "BANK",
    "COMMUNE",
    "COMMUNE_COMMITTEE",
    "DISTRICT",
    "LEGACY_COMMUNE",
    "LEVELS",
    "PROVINCE",
    "LoadReport",
    "load_organisations",
    "load_units",
]

# The levels of the area tree: rows, so another tree (a future reform) is data too.
LEVELS: tuple[dict[str, Any], ...] = (
    {"code": PROVINCE, "depth": 0, "legacy": False, "name_vi": "Tỉnh", "name_en": "Province"},
    {"code": COMMUNE, "depth": 1, "legacy": False, "name_vi": "Xã, phường", "name_en": "Commune"},
    {
        "code": DISTRICT,
        "depth": 1,
        "legacy": True,
        "name_vi": "Huyện, thành phố (trước 01/7/2025)",
        "name_en": "District (before 1 July 2025)",
    },
    {
        "code": LEGACY_COMMUNE,
        "depth": 2,
        "legacy": True,
        "name_vi": "Xã, phường, thị trấn (trước 01/7/2025)",
        "name_en": "Commune (before 1 July 2025)",
    },
)
BANK = "bank"
COMMUNE_COMMITTEE = "commune_committee"


@dataclass
class LoadReport:
    """Rows created, updated, unchanged and removed, per kind of row."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        """Whether the load wrote anything."""
        return any(sum(c.values()) for c in (self.created, self.updated, self.removed))

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(kind, created, updated, unchanged, removed) for every kind seen."""
        kinds = list(dict.fromkeys([*self.created, *self.updated, *self.unchanged, *self.removed]))
        return [
            (k, self.created[k], self.updated[k], self.unchanged[k], self.removed[k]) for k in kinds
        ]


def _read_json(path: Path) -> dict[str, Any]:
    """A small shipped data file (read once per load, so blocking is harmless)."""
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _code(value: int, width: int) -> str:
    """NSO unit codes are zero-padded strings: province 2, district 3, commune 5 digits."""
    return str(value).zfill(width)


def _apply(row: Base, values: dict[str, Any]) -> bool:
    """Set the values that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


class _Areas:
    """Upserts areas keyed by (level, code), counting what happened."""

    def __init__(self, session: AsyncSession, report: LoadReport, existing: list[Area]) -> None:
        self.session = session
        self.report = report
        self.by_key = {(a.level, a.code): a for a in existing}

    def upsert(self, label: str, level: str, code: str, values: dict[str, Any]) -> Area:
        """Create or update one area (coordinates set by officers are left alone)."""
        values = {**values, "search_name": search_key(values["name"])}
        area = self.by_key.get((level, code))
        if area is None:
            area = Area(level=level, code=code, **values)
            self.session.add(area)
            self.by_key[(level, code)] = area
            self.report.created[label] += 1
        elif _apply(area, values):
            self.report.updated[label] += 1
        else:
            self.report.unchanged[label] += 1
        return area


async def _load_levels(session: AsyncSession, report: LoadReport) -> None:
    existing = {lv.code: lv for lv in (await session.scalars(select(AreaLevel))).all()}
    for spec in LEVELS:
        level = existing.get(spec["code"])
        if level is None:
            session.add(AreaLevel(**spec))
            report.created["levels"] += 1
        elif _apply(level, spec):
            report.updated["levels"] += 1
        else:
            report.unchanged["levels"] += 1
    await session.flush()


async def load_units(session: AsyncSession, *, path: Path = data.UNITS_FILE) -> LoadReport:
    """Load the province, its current and former units and the old-to-new conversion."""
    units = _read_json(path)
    report = LoadReport()
    await _load_levels(session, report)
    areas = _Areas(session, report, list((await session.scalars(select(Area))).all()))
    effective = date.fromisoformat(units["effective_date"])
    province = _load_province(areas, units["province"])
    await session.flush()
    current = _load_communes(areas, units["communes"], province, effective)
    districts = _load_districts(areas, units["legacy_districts"], province, effective)
    await session.flush()
    legacy = _load_legacy_communes(areas, units["legacy_communes"], districts, effective)
    await session.flush()
    await _load_conversions(session, report, units["legacy_communes"], legacy, current)
    # the names kept for searches are read again once the load is committed (or undone)
    forget_places()
    for moment in ("after_commit", "after_rollback"):
        event.listen(session.sync_session, moment, _forget, once=True)
    return report


def _forget(_session: object) -> None:
    forget_places()


def _load_province(areas: _Areas, unit: dict[str, Any]) -> Area:
    values = {"kind": "tỉnh", "name": unit["name"], "parent_id": None, "legacy": False}
    return areas.upsert("province", PROVINCE, _code(unit["code"], 2), values)


def _load_communes(
    areas: _Areas, units: list[dict[str, Any]], province: Area, effective: date
) -> dict[int, Area]:
    loaded = {}
    for unit in units:
        values = {
            "kind": unit["kind"],
            "name": unit["name"],
            "parent_id": province.id,
            "legacy": False,
            "valid_from": effective,
            "valid_until": None,
        }
        loaded[unit["code"]] = areas.upsert("communes", COMMUNE, _code(unit["code"], 5), values)
    return loaded


def _legacy_values(unit: dict[str, Any], parent: Area, effective: date) -> dict[str, Any]:
    return {
        "kind": unit["kind"],
        "name": unit["name"],
        "parent_id": parent.id,
        "legacy": True,
        "valid_until": effective - timedelta(days=1),
    }


def _load_districts(
    areas: _Areas, units: list[dict[str, Any]], province: Area, effective: date
) -> dict[int, Area]:
    return {
        unit["code"]: areas.upsert(
            "legacy_districts",
            DISTRICT,
            _code(unit["code"], 3),
            _legacy_values(unit, province, effective),
        )
        for unit in units
    }


def _load_legacy_communes(
    areas: _Areas, units: list[dict[str, Any]], districts: dict[int, Area], effective: date
) -> dict[int, Area]:
    return {
        unit["code"]: areas.upsert(
            "legacy_communes",
            LEGACY_COMMUNE,
            _code(unit["code"], 5),
            _legacy_values(unit, districts[unit["district_code"]], effective),
        )
        for unit in units
    }


async def _load_conversions(
    session: AsyncSession,
    report: LoadReport,
    units: list[dict[str, Any]],
    legacy: dict[int, Area],
    current: dict[int, Area],
) -> None:
    rows = (await session.scalars(select(AreaConversion))).all()
    existing = {(c.legacy_area_id, c.current_area_id): c for c in rows}
    wanted: set[tuple[int, int]] = set()
    for unit in units:
        partial = bool(unit["partly_merged"]) or len(unit["now_in"]) > 1
        for target in unit["now_in"]:
            key = (legacy[unit["code"]].id, current[target].id)
            wanted.add(key)
            row = existing.get(key)
            if row is None:
                session.add(
                    AreaConversion(legacy_area_id=key[0], current_area_id=key[1], partial=partial)
                )
                report.created["conversions"] += 1
            elif _apply(row, {"partial": partial}):
                report.updated["conversions"] += 1
            else:
                report.unchanged["conversions"] += 1
    loaded = {a.id for a in legacy.values()}
    for key, row in existing.items():
        if key[0] in loaded and key not in wanted:  # the official table dropped this link
            await session.delete(row)
            report.removed["conversions"] += 1
    await session.flush()


async def load_organisations(session: AsyncSession, *, path: Path = data.BANKS_FILE) -> int:
    """Banks from the shipped list and one People's Committee per current commune; rows written."""
    existing = {o.code: o for o in (await session.scalars(select(Organisation))).all()}
    banks = _read_json(path)["banks"]
    written = sum(_upsert_organisation(session, existing, _bank_values(bank)) for bank in banks)
    communes = await session.scalars(select(Area).where(Area.level == COMMUNE))
    for commune in communes.all():
        written += _upsert_organisation(session, existing, _committee_values(commune))
    await session.flush()
    return written


def _bank_values(bank: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": f"bank:{bank['code']}",
        "kind": BANK,
        "name": bank["name"],
        "short_name": bank.get("short_name") or None,
        "bank_bin": bank.get("bin") or None,
    }


def _committee_values(commune: Area) -> dict[str, Any]:
    return {
        "code": f"ubnd:{commune.code}",
        "kind": COMMUNE_COMMITTEE,
        "name": f"UBND {commune.name}",
        "area_id": commune.id,
    }


def _upsert_organisation(
    session: AsyncSession, existing: dict[str, Organisation], values: dict[str, Any]
) -> bool:
    """Create or update one organisation; whether anything was written."""
    row = existing.get(values["code"])
    if row is None:
        row = Organisation(**values)
        session.add(row)
        existing[row.code] = row
        return True
    return _apply(row, values)
