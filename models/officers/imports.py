"""Whether an uploaded list stays within the uploading officer's areas.

The import itself (models.people.importer) knows nothing of officers; before it runs, every
valid row is placed (its commune, and the commune of a beneficiary already holding its CCCD)
and the lines that would write outside the officer's areas are named.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.officers.principal import Scope
from models.people.rows import Candidate, RowChecker
from models.people.tables import Beneficiary, Person
from models.people.tabular import Sheet
from models.places.service import resolve_address
from models.protection import DataProtector

_CHUNK = 1000


async def _commune_of(
    session: AsyncSession, known: dict[tuple[str, str], int | bool | None], c: Candidate
) -> int | bool | None:
    """The row's commune id, None when an officer must choose it, False when unknown."""
    key = (fold(c.commune), fold(c.district or ""))
    if key not in known:
        found = await resolve_address(session, commune=c.commune, district=c.district)
        if found.ambiguous:
            known[key] = None
        else:
            known[key] = found.current.id if found.current else False
    return known[key]


async def _registered_communes(
    session: AsyncSession, protector: DataProtector, rows: list[Candidate]
) -> dict[int, int | None]:
    """line -> commune of the beneficiary already holding the row's CCCD."""
    by_hash = {h: c.line for c in rows if c.cccd for h in protector.lookup_hashes(c.cccd)}
    found: dict[int, int | None] = {}
    hashes = list(by_hash)
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        result = await session.execute(
            select(Person.cccd_hash, Beneficiary.commune_id)
            .join(Beneficiary, Beneficiary.person_id == Person.id)
            .where(Person.cccd_hash.in_(chunk))
        )
        for digest, commune_id in result:
            found[by_hash[str(digest)]] = commune_id
    return found


async def lines_outside(
    session: AsyncSession, *, protector: DataProtector, sheet: Sheet, scope: Scope, today: date
) -> list[int]:
    """Lines whose commune, or whose already registered beneficiary, lies outside `scope`."""
    checker = RowChecker(today)
    valid = [c for c in (checker.check(line, raw)[0] for line, raw in sheet.rows) if c]
    known: dict[tuple[str, str], int | bool | None] = {}
    outside = set()
    for c in valid:
        commune = await _commune_of(session, known, c)
        if commune is not False and not scope.covers(commune):
            outside.add(c.line)
    for line, commune_id in (await _registered_communes(session, protector, valid)).items():
        if not scope.covers(commune_id):
            outside.add(line)
    return sorted(outside)
