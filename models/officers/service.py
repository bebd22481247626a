"""Officer accounts: create, change, log in, and the principal a request acts as."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.errors import Conflict, Invalid, NotFound
from models.officers.areas import check_grant, granted, replace_grant, scope_of
from models.officers.attempts import check_login_allowed, record_login_attempt
from models.officers.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from models.officers.principal import Principal, Scope
from models.officers.roles import OFFICER_ROLES, Role
from models.officers.tables import Officer, OfficerArea

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass(frozen=True)
class OfficerView:
    """An officer with the areas granted."""

    officer: Officer
    area_ids: list[int]


def _username(raw: str) -> str:
    name = raw.strip().lower()
    if not _USERNAME.match(name):
        raise Invalid("admin.officer.username_invalid")
    return name


def _role(role: Role | str) -> Role:
    value = Role(role)
    if value not in OFFICER_ROLES:
        raise Invalid("admin.officer.role_invalid", role=value.value)
    return value


async def create_officer(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    area_ids: Sequence[int],
    password: str,
    actor: str,
    within: Scope | None = None,
) -> Officer:
    """Add an officer; `within` is the granting officer's scope (None from the command line)."""
    name, value = _username(username), _role(role)
    check_strength(password)
    areas = await check_grant(session, area_ids, within=within)
    if await session.scalar(select(Officer.id).where(Officer.username == name)) is not None:
        raise Conflict("admin.officer.username_taken", username=name)
    officer = Officer(
        username=name,
        display_name=" ".join(display_name.split()) or name,
        password_hash=hash_password(password),
        role=value.value,
    )
    session.add(officer)
    await session.flush()
    await replace_grant(session, OfficerArea, "officer_id", officer.id, areas)
    details = {"username": name, "role": value.value, "areas": areas}
    await record(
        session,
        actor=actor,
        action="create",
        entity="officer",
        entity_id=officer.id,
        details=details,
    )
    return officer


def _visible(within: Scope | None) -> object:
    """SQL: officers whose every area lies within `within` (every officer when None)."""
    if within is None:
        return Officer.id.is_not(None)
    outside = exists().where(
        OfficerArea.officer_id == Officer.id, not_(OfficerArea.area_id.in_(sorted(within.areas)))
    )
    return not_(outside)


async def get_officer(
    session: AsyncSession, officer_id: int, *, within: Scope | None
) -> OfficerView:
    """One officer the caller may manage, or NotFound."""
    officer = await session.scalar(
        select(Officer).where(Officer.id == officer_id, _visible(within))  # type: ignore[arg-type]
    )
    if officer is None:
        raise NotFound("admin.officer.not_found", id=officer_id)
    return OfficerView(
        officer, await granted(session, OfficerArea, OfficerArea.officer_id, officer.id)
    )


async def list_officers(
    session: AsyncSession,
    *,
    within: Scope | None,
    role: Role | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OfficerView], int]:
    """Officers the caller may manage, by username, and how many there are."""
    query = select(Officer).where(_visible(within))  # type: ignore[arg-type]
    if role is not None:
        query = query.where(Officer.role == Role(role).value)
    if active is not None:
        query = query.where(Officer.active.is_(active))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    officers = await session.scalars(query.order_by(Officer.username).limit(limit).offset(offset))
    views = [
        OfficerView(o, await granted(session, OfficerArea, OfficerArea.officer_id, o.id))
        for o in officers.all()
    ]
    return views, int(total)


async def update_officer(
    session: AsyncSession,
    *,
    officer_id: int,
    actor: str,
    within: Scope | None,
    display_name: str | None = None,
    role: Role | str | None = None,
    active: bool | None = None,
    area_ids: Sequence[int] | None = None,
    password: str | None = None,
) -> OfficerView:
    """Change an officer; the audit log lists what changed (never the password)."""
    view = await get_officer(session, officer_id, within=within)
    officer, changes = view.officer, dict[str, object]()
    if display_name is not None and display_name.strip():
        officer.display_name = " ".join(display_name.split())
        changes["display_name"] = officer.display_name
    if role is not None:
        officer.role = _role(role).value
        changes["role"] = officer.role
    if active is not None:
        officer.active = active
        changes["active"] = active
    if password is not None:
        check_strength(password)
        officer.password_hash, changes["password"] = hash_password(password), "changed"
    if area_ids is not None:
        areas = await check_grant(session, area_ids, within=within)
        await replace_grant(session, OfficerArea, "officer_id", officer.id, areas)
        changes["areas"] = areas
        view = OfficerView(officer, areas)
    await record(
        session,
        actor=actor,
        action="update",
        entity="officer",
        entity_id=officer.id,
        details=changes,
    )
    return view


async def login(
    session: AsyncSession, *, username: str, password: str, client: str, now: datetime
) -> Officer | None:
    """The officer these credentials name, or None; every attempt is counted.

    TooManyAttempts before any password is checked when this username or client failed too
    often. The caller commits even on None, so the failure counts.
    """
    await check_login_allowed(session, username=username, client=client, now=now)
    officer = await session.scalar(
        select(Officer).where(Officer.username == username.strip().lower()[:64])
    )
    if officer is None or not officer.active:
        spend_verification_time(password)
        ok = False
    else:
        ok = verify_password(officer.password_hash, password)
    await record_login_attempt(session, username=username, client=client, success=ok, now=now)
    if not ok or officer is None:
        return None
    if needs_rehash(officer.password_hash):
        officer.password_hash = hash_password(password)
    officer.last_login_at = now
    await record(
        session, actor=officer.username, action="login", entity="officer", entity_id=officer.id
    )
    return officer


async def principal_for_officer(session: AsyncSession, officer_id: int) -> Principal | None:
    """The principal of an active officer, with today's role and areas."""
    officer = await session.get(Officer, officer_id)
    if officer is None or not officer.active:
        return None
    areas = await granted(session, OfficerArea, OfficerArea.officer_id, officer.id)
    return Principal(
        kind="officer",
        id=officer.id,
        name=officer.username,
        role=Role(officer.role),
        scope=await scope_of(session, areas),
        granted=tuple(areas),
    )
