"""API keys for the paying bank's systems: shown once, kept hashed, scoped, revocable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid, NotFound
from models.officers.areas import check_grant, granted, replace_grant, scope_of
from models.officers.principal import Principal, Scope
from models.officers.roles import Role
from models.officers.tables import ApiKey, ApiKeyArea
from models.officers.tokens import api_key_hash, api_key_prefix, new_api_key

# Writing last_used_at on every call would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class KeyView:
    """An API key (never its secret) with the areas it reaches."""

    key: ApiKey
    area_ids: list[int]


async def create_api_key(
    session: AsyncSession,
    *,
    name: str,
    area_ids: Sequence[int],
    actor: str,
    within: Scope | None = None,
) -> tuple[KeyView, str]:
    """A new payer key and its secret, which is returned here and never again."""
    label = " ".join(name.split())
    if not label:
        raise Invalid("admin.api_key.name_missing")
    areas = await check_grant(session, area_ids, within=within)
    secret = new_api_key()
    key = ApiKey(
        name=label[:200],
        prefix=api_key_prefix(secret),
        key_hash=api_key_hash(secret),
        role=Role.PAYER.value,
        created_by=actor,
    )
    session.add(key)
    await session.flush()
    await replace_grant(session, ApiKeyArea, "api_key_id", key.id, areas)
    await record(
        session,
        actor=actor,
        action="create",
        entity="api_key",
        entity_id=key.id,
        details={"prefix": key.prefix, "areas": areas},
    )
    return KeyView(key, areas), secret


def _visible(within: Scope | None) -> object:
    if within is None:
        return ApiKey.id.is_not(None)
    outside = exists().where(
        ApiKeyArea.api_key_id == ApiKey.id, not_(ApiKeyArea.area_id.in_(sorted(within.areas)))
    )
    return not_(outside)


async def get_api_key(session: AsyncSession, key_id: int, *, within: Scope | None) -> KeyView:
    """One key the caller may manage, or NotFound."""
    key = await session.scalar(select(ApiKey).where(ApiKey.id == key_id, _visible(within)))  # type: ignore[arg-type]
    if key is None:
        raise NotFound("admin.api_key.not_found", id=key_id)
    return KeyView(key, await granted(session, ApiKeyArea, ApiKeyArea.api_key_id, key.id))


async def list_api_keys(
    session: AsyncSession,
    *,
    within: Scope | None,
    revoked: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[KeyView], int]:
    """Keys the caller may manage, newest first, and how many there are."""
    query = select(ApiKey).where(_visible(within))  # type: ignore[arg-type]
    if revoked is not None:
        query = query.where(
            ApiKey.revoked_at.is_not(None) if revoked else ApiKey.revoked_at.is_(None)
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    keys = await session.scalars(query.order_by(ApiKey.id.desc()).limit(limit).offset(offset))
    views = [
        KeyView(k, await granted(session, ApiKeyArea, ApiKeyArea.api_key_id, k.id))
        for k in keys.all()
    ]
    return views, int(total)


async def revoke_api_key(
    session: AsyncSession,
    *,
    key_id: int,
    actor: str,
    within: Scope | None,
    now: datetime | None = None,
) -> KeyView:
    """Stop a key from working, at once and for good."""
    view = await get_api_key(session, key_id, within=within)
    if view.key.revoked_at is not None:
        raise Conflict("admin.api_key.revoked", id=key_id)
    view.key.revoked_at = now or utcnow()
    await record(
        session,
        actor=actor,
        action="revoke",
        entity="api_key",
        entity_id=key_id,
        details={"prefix": view.key.prefix},
    )
    return view


async def principal_for_api_key(
    session: AsyncSession, secret: str, *, now: datetime | None = None
) -> Principal | None:
    """The principal of a live key, or None for an unknown or revoked one."""
    key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == api_key_hash(secret)))
    if key is None or key.revoked_at is not None:
        return None
    now = now or utcnow()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        key.last_used_at = now
    areas = await granted(session, ApiKeyArea, ApiKeyArea.api_key_id, key.id)
    return Principal(
        kind="api_key",
        id=key.id,
        name=key.prefix,
        role=Role(key.role),
        scope=await scope_of(session, areas),
        granted=tuple(areas),
    )
