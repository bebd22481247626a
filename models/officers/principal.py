"""Who is calling (an officer or an API key) and the areas they reach, as SQL filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.officers.roles import Role
from models.places.tables import Area

S = TypeVar("S", bound=Select)


@dataclass(frozen=True)
class Scope:
    """The current areas a principal reaches; `unplaced` adds beneficiaries with no commune yet.

    A province-wide scope sees people whose former commune was split (their commune waits for
    an officer's choice); a commune scope does not.
    """

    areas: frozenset[int] = field(default_factory=frozenset)
    unplaced: bool = False

    def covers(self, area_id: int | None) -> bool:
        """Whether a row in this area (None: not yet placed) is within reach."""
        return self.unplaced if area_id is None else area_id in self.areas

    def clause(self, column: Any) -> ColumnElement[bool]:
        """SQL: `column` (an area id) lies within reach."""
        parts: list[ColumnElement[bool]] = []
        if self.areas:
            parts.append(column.in_(sorted(self.areas)))
        if self.unplaced:
            parts.append(column.is_(None))
        if not parts:
            return false()
        return parts[0] if len(parts) == 1 else or_(*parts)

    def contains(self, other: Scope) -> bool:
        """Whether everything `other` reaches is reached by this scope too."""
        return other.areas <= self.areas and (self.unplaced or not other.unplaced)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: an officer or one of the paying bank's API keys."""

    kind: Literal["officer", "api_key"]
    id: int
    name: str
    role: Role
    scope: Scope
    granted: tuple[int, ...] = ()

    @property
    def actor(self) -> str:
        """How the audit log names this caller (usernames never contain ':')."""
        return self.name if self.kind == "officer" else f"key:{self.name}"

    def can(self, roles: Iterable[Role]) -> bool:
        """Whether the principal's role is one of `roles`."""
        return self.role in tuple(roles)


def scoped(query: S, column: Any, principal: Principal) -> S:
    """`query` restricted to rows whose `column` (an area id) the principal reaches."""
    return query.where(principal.scope.clause(column))


def in_scope(principal: Principal, area_id: int | None) -> bool:
    """Whether one row's area is within the principal's reach."""
    return principal.scope.covers(area_id)


async def resolve_scope(session: AsyncSession, area_ids: Iterable[int]) -> Scope:
    """Every current area under the granted ones (legacy areas are never reached)."""
    rows = (
        await session.execute(select(Area.id, Area.parent_id).where(Area.legacy.is_(False)))
    ).all()
    children: dict[int | None, list[int]] = {}
    for area_id, parent_id in rows:
        children.setdefault(parent_id, []).append(area_id)
    known = {area_id for area_id, _ in rows}
    roots = [area_id for area_id, parent in rows if parent is None]
    start = [a for a in area_ids if a in known]
    reached: set[int] = set()
    while start:
        area_id = start.pop()
        if area_id not in reached:
            reached.add(area_id)
            start.extend(children.get(area_id, ()))
    return Scope(frozenset(reached), unplaced=any(root in reached for root in roots))
