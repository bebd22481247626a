"""Importing beneficiary lists: validate every row, then write in bulk, idempotently by CCCD.

Rows with errors are reported (line, field, problem) and skipped; the rest are written in the
caller's transaction, so a failure half-way leaves nothing behind, and a dry run is the same work
rolled back.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.text import fold
from models.audit.service import record
from models.bulk import bulk_insert, one_of, reserve_ids
from models.payments.service import account_columns, confirmation_code
from models.payments.tables import PaymentMethodChoice
from models.people.identifiers import holder_name_key
from models.people.rows import Candidate, RowChecker, RowProblem
from models.people.service import encrypted_id_columns
from models.people.tables import Beneficiary, ContactAddress, Person
from models.people.tabular import Sheet, read_table
from models.places.service import resolve_address
from models.protection import DataProtector, mask_cccd
from models.vocab import ChoiceStatus, Source

CHUNK = 5000
SLICE = 250  # rows validated between two looks at the event loop (see _prepare_between)
Progress = Callable[[int], None]

# Stored values, read once rather than through the enums for every row.
_ACTIVE, _REQUESTED = ChoiceStatus.ACTIVE.value, ChoiceStatus.REQUESTED.value
_IMPORTED = Source.IMPORT.value

# Beneficiary fields an import may change on a person already registered.
_UPDATABLE = ("category", "sub_category", "village", "monthly_amount", "registry_code")


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    needs_area_confirmation: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> list[RowProblem]:
        """Problems that kept a row out (warnings excluded)."""
        return [p for p in self.problems if not _is_warning(p)]


def _is_warning(problem: RowProblem) -> bool:
    return problem.key.endswith("_mismatch") or problem.key == "import.area_ambiguous"


@dataclass
class _Area:
    commune_id: int | None
    legacy_id: int | None
    ambiguous: bool


class _AreaCache:
    """Resolves (commune, district) names once per distinct pair (and once per exact spelling)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.known: dict[tuple[str, str], _Area | None] = {}
        self.exact: dict[tuple[str, str | None], _Area | None] = {}

    async def get(self, commune: str, district: str | None) -> _Area | None:
        spelled = (commune, district)
        if spelled in self.exact:  # the common case: a spelling seen before in this file
            return self.exact[spelled]
        key = (fold(commune), fold(district or ""))
        if key not in self.known:
            found = await resolve_address(self.session, commune=commune, district=district)
            area = None
            if found.current or found.ambiguous:
                area = _Area(
                    commune_id=found.current.id if found.current and not found.ambiguous else None,
                    legacy_id=found.legacy.id if found.legacy else None,
                    ambiguous=found.ambiguous,
                )
            self.known[key] = area
        self.exact[spelled] = self.known[key]
        return self.known[key]


async def import_file(
    session: AsyncSession,
    *,
    protector: DataProtector,
    data: bytes,
    filename: str,
    actor: str,
    today: date,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV/XLSX beneficiary list. The caller commits, or rolls back for a dry run."""
    # Paused from the read on: the rows read (a dict each) live until the import returns.
    with _collection_paused():
        sheet = read_table(data, filename)
        report = ImportReport(ignored_columns=sheet.ignored, dry_run=dry_run)
        await import_sheet(
            session,
            protector=protector,
            sheet=sheet,
            actor=actor,
            today=today,
            report=report,
            progress=progress,
        )
        await record(
            session,
            actor=actor,
            action="import",
            entity="beneficiary",
            details={
                "file_sha256": hashlib.sha256(data).hexdigest(),
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "skipped": report.skipped,
                "dry_run": dry_run,
            },
        )
    return report


@dataclass(slots=True)
class _Prepared:
    """A valid row with its database rows already built (encryption included)."""

    candidate: Candidate
    hashes: list[str]
    person: dict[str, Any]
    choice: dict[str, Any] | None


def _prepare(
    checker: RowChecker,
    protector: DataProtector,
    chunk: list[tuple[int, dict[str, str]]],
    actor: str,
) -> tuple[list[_Prepared], list[RowProblem]]:
    """Validate a chunk and build its database rows (encryption included)."""
    prepared, problems = [], []
    for line, raw in chunk:
        candidate, found = checker.check(line, raw)
        if found:
            problems.extend(found)
        if candidate is None:
            continue
        hashes = protector.lookup_hashes(candidate.cccd) if candidate.cccd else []
        choice = _choice_row(protector, candidate, actor) if candidate.method else None
        person = _person_row(protector, candidate, hashes)
        prepared.append(_Prepared(candidate, hashes, person, choice))
    return prepared, problems


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import builds its rows.

    An import allocates millions of small objects that live until their chunk is written (the
    rows read from the file, until the import returns); the collector would walk them again and
    again (a third of the import's time) and find nothing: they are freed by reference
    counting. Collection resumes, as it was, afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def import_sheet(
    session: AsyncSession,
    *,
    protector: DataProtector,
    sheet: Sheet,
    actor: str,
    today: date,
    report: ImportReport,
    progress: Progress | None = None,
) -> None:
    """Validate and write the rows of `sheet` chunk by chunk, in file order."""
    checker = RowChecker(today)
    areas = _AreaCache(session)
    seen: dict[str, int] = {}
    report.rows = len(sheet.rows)
    overlap = (await session.connection()).dialect.name in OVERLAPPED
    writing: asyncio.Task[None] | None = None
    with _collection_paused():
        try:
            for start in range(0, len(sheet.rows), CHUNK):
                chunk = sheet.rows[start : start + CHUNK]
                prepared, problems = await _prepare_between(checker, protector, chunk, actor)
                if writing is not None:
                    await writing  # the session is free again: the previous chunk is written
                report.problems.extend(problems)
                unique = _drop_duplicates(prepared, seen, report)
                placed = await _place_all(unique, areas, report)
                report.skipped += len(chunk) - len(unique)
                written = _write_chunk(session, protector, placed, report, actor, progress, chunk)
                writing = asyncio.create_task(written)
                if not overlap:
                    await writing
            if writing is not None:
                await writing
        finally:
            await _settled(writing)


# Databases whose writes run elsewhere (the server) while the next chunk is validated here.
OVERLAPPED = frozenset({"postgresql"})


async def _prepare_between(
    checker: RowChecker,
    protector: DataProtector,
    chunk: list[tuple[int, dict[str, str]]],
    actor: str,
) -> tuple[list[_Prepared], list[RowProblem]]:
    """`_prepare` a slice at a time, letting the previous chunk's write take its next step."""
    prepared: list[_Prepared] = []
    problems: list[RowProblem] = []
    for start in range(0, len(chunk), SLICE):
        done, found = _prepare(checker, protector, chunk[start : start + SLICE], actor)
        prepared += done
        problems += found
        await asyncio.sleep(0)
    return prepared, problems


async def _settled(task: asyncio.Task[None] | None) -> None:
    """Wait for a write still running when the import failed: the caller then rolls back."""
    if task is None or task.done():
        return
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()  # retrieved: the import's own error is the one raised


def _drop_duplicates(
    prepared: list[_Prepared], seen: dict[str, int], report: ImportReport
) -> list[_Prepared]:
    """Keep the first row of each CCCD in the file; report the later ones."""
    kept = []
    for item in prepared:
        c = item.candidate
        first = seen.setdefault(c.cccd, c.line) if c.cccd else c.line
        if first == c.line:
            kept.append(item)
        else:
            report.problems.append(
                RowProblem(c.line, "cccd", "import.duplicate", {"line": str(first)})
            )
    return kept


async def _place_all(
    prepared: list[_Prepared], areas: _AreaCache, report: ImportReport
) -> list[tuple[_Prepared, _Area]]:
    placed = []
    seen = areas.exact
    for item in prepared:
        c = item.candidate
        spelled = (c.commune, c.district)
        area = seen[spelled] if spelled in seen else await areas.get(c.commune, c.district)
        if area is None:
            report.problems.append(
                RowProblem(c.line, "commune", "import.commune_unknown", {"commune": c.commune})
            )
            report.skipped += 1
            continue
        if area.ambiguous:
            report.needs_area_confirmation += 1
            report.problems.append(
                RowProblem(c.line, "commune", "import.area_ambiguous", {"commune": c.commune})
            )
        placed.append((item, area))
    return placed


async def _existing(
    session: AsyncSession, prepared: Sequence[_Prepared]
) -> dict[str, tuple[Person, Beneficiary]]:
    """Registered beneficiaries in this chunk, keyed by the CCCD as given."""
    by_hash = {digest: p.candidate.cccd for p in prepared for digest in p.hashes}
    if not by_hash:
        return {}
    dialect = (await session.connection()).dialect
    known = await session.scalars(
        select(Person.cccd_hash).where(one_of(Person.cccd_hash, list(by_hash), dialect))
    )
    found = list(known)
    if not found:  # a new list: nothing to load
        return {}
    rows = await session.execute(
        select(Person, Beneficiary)
        .join(Beneficiary, Beneficiary.person_id == Person.id)
        .where(Person.cccd_hash.in_(found))
    )
    return {str(by_hash[p.cccd_hash]): (p, b) for p, b in rows if p.cccd_hash}


async def _write_chunk(
    session: AsyncSession,
    protector: DataProtector,
    placed: list[tuple[_Prepared, _Area]],
    report: ImportReport,
    actor: str,
    progress: Progress | None = None,
    chunk: Sequence[object] = (),
) -> None:
    existing = await _existing(session, [p for p, _ in placed])
    new = []
    for item, area in placed:
        cccd = item.candidate.cccd
        if cccd and cccd in existing:
            person, beneficiary = existing[cccd]
            changed = await _update(session, item.candidate, area, person, beneficiary, actor)
            report.updated += changed
            report.unchanged += not changed
        else:
            new.append((item, area))
    await _insert_new(session, new)
    report.created += len(new)
    if progress:
        progress(len(chunk))


async def _insert_new(session: AsyncSession, new: list[tuple[_Prepared, _Area]]) -> None:
    """Write new beneficiaries with one bulk statement per table, their ids known beforehand."""
    if not new:
        return
    person_ids = await reserve_ids(session, Person, len(new))
    for (item, _), pid in zip(new, person_ids, strict=True):
        item.person["id"] = pid
    await bulk_insert(session, Person, [item.person for item, _ in new])
    beneficiary_ids = await reserve_ids(session, Beneficiary, len(new))
    await bulk_insert(
        session,
        Beneficiary,
        [
            _beneficiary_row(item.candidate, area, pid, bid)
            for (item, area), pid, bid in zip(new, person_ids, beneficiary_ids, strict=True)
        ],
    )
    addresses = [
        {
            "person_id": pid,
            "channel": "tel",
            "address": f"tel:{item.candidate.phone}",
            "priority": 0,
        }
        for (item, _), pid in zip(new, person_ids, strict=True)
        if item.candidate.phone
    ]
    await bulk_insert(session, ContactAddress, addresses)
    choices = []
    for (item, _), bid in zip(new, beneficiary_ids, strict=True):
        if item.choice is not None:
            item.choice["beneficiary_id"] = bid
            choices.append(item.choice)
    await bulk_insert(session, PaymentMethodChoice, choices)


def _person_row(protector: DataProtector, c: Candidate, hashes: list[str]) -> dict[str, Any]:
    """The person's columns; `hashes` are the CCCD's lookup hashes, the current key's first."""
    row: dict[str, Any] = {
        "full_name": c.full_name,
        "search_name": _search_name(c.full_name),
        "birth_date": c.birth_date,
        "birth_year": c.birth_date.year if c.birth_date else c.birth_year,
        "gender": c.gender,
        "locale": "vi",
    }
    if c.cccd and not c.cmnd:  # the common case: the CCCD's hash is already computed
        row["cccd_enc"] = protector.encrypt(c.cccd)
        row["cccd_hash"] = hashes[0]
        row["cccd_masked"] = mask_cccd(c.cccd)
        row["cmnd_enc"] = row["cmnd_hash"] = row["cmnd_masked"] = None
    else:
        row.update(encrypted_id_columns(protector, cccd=c.cccd, cmnd=c.cmnd))
    return row


def _search_name(full_name: str) -> str:
    """`fold(full_name)` for a name already in single-spaced words, folded word by word.

    Names repeat their words (family names, middle names, syllables) but hardly ever a whole
    name: each word is folded once per process (fold's cache) instead of every name once per
    row, and a plain ASCII word needs no more than lower case.
    """
    words = [w.lower() if w.isascii() else fold(w) for w in full_name.split(" ")]
    return " ".join(w for w in words if w)


def _beneficiary_row(
    c: Candidate, area: _Area, person_id: int, beneficiary_id: int
) -> dict[str, Any]:
    return {
        "id": beneficiary_id,
        "person_id": person_id,
        "category": c.category,
        "sub_category": c.sub_category,
        "commune_id": area.commune_id,
        "legacy_area_id": area.legacy_id,
        "area_needs_confirmation": area.ambiguous,
        "village": c.village,
        "monthly_amount": c.monthly_amount,
        "registry_code": c.registry_code,
        "status": "active",
        "verification_status": "unverified",
        "cash_at_home_allowed": c.method == "cash_home",
    }


def _choice_row(protector: DataProtector, c: Candidate, actor: str) -> dict[str, Any]:
    """The payment choice's columns; its beneficiary id is set once reserved."""
    matches = None
    if c.holder_name:
        matches = holder_name_key(c.holder_name) == holder_name_key(c.full_name)
    row = account_columns(protector, c.account)
    row.update(
        beneficiary_id=0,
        method=c.method,
        provider_code=c.provider_code,
        holder="beneficiary",
        holder_name=c.holder_name,
        holder_name_matches=matches,
        status=_ACTIVE if c.account else _REQUESTED,
        source=_IMPORTED,
        confirmation_code=confirmation_code(),
        cash_reason=c.cash_reason,
        created_by=actor,
    )
    return row


async def _update(
    session: AsyncSession,
    c: Candidate,
    area: _Area,
    person: Person,
    beneficiary: Beneficiary,
    actor: str,
) -> bool:
    """Apply a re-imported row to a registered beneficiary; True when anything changed."""
    changes: dict[str, object] = {}
    for name in _UPDATABLE:
        value = getattr(c, name)
        if value is not None and getattr(beneficiary, name) != value:
            changes[name] = value
            setattr(beneficiary, name, value)
    if area.commune_id and beneficiary.commune_id != area.commune_id:
        changes["commune_id"] = beneficiary.commune_id = area.commune_id
    if c.full_name != person.full_name:
        person.full_name, person.search_name = c.full_name, fold(c.full_name)
        changes["full_name"] = "changed"
    if changes:
        await record(
            session,
            actor=actor,
            action="update",
            entity="beneficiary",
            entity_id=beneficiary.id,
            details=changes,
            reason="import",
        )
    return bool(changes)
