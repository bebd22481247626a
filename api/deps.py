"""What admin routes depend on: one transaction per request, who is calling, roles, areas, pages.

A route declares `principal: Principal = Depends(require(*roles))` and filters every query with
`scoped(query, Beneficiary.commune_id, principal)`; a row outside the caller's areas is answered
404, exactly like a row that does not exist, so nothing leaks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.fields import MAX_INT
from messages.catalog import normalize_locale
from models.db import transaction
from models.errors import Forbidden, NotFound, Unauthorized
from models.officers.keys import principal_for_api_key
from models.officers.principal import Principal, in_scope, scoped
from models.officers.roles import Role
from models.officers.service import principal_for_officer
from models.officers.tokens import read_access_token
from models.people.tables import Beneficiary
from models.protection import DataProtector
from models.settings import Settings

__all__ = [
    "Paging",
    "PagingDep",
    "PrincipalDep",
    "ProtectorDep",
    "SessionDep",
    "SettingsDep",
    "area_in_scope",
    "beneficiary_in_scope",
    "current_principal",
    "in_scope",
    "locale_of",
    "one_in_scope",
    "page_of",
    "require",
    "scoped",
]

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 (a path, not a secret)
API_KEY_HEADER = "X-API-Key"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: committed before the response is sent, or rolled back."""
    async with transaction(request.app.state.sessions) as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _protector(request: Request) -> DataProtector:
    state = request.app.state
    if getattr(state, "protector", None) is None:
        state.protector = DataProtector.from_settings(state.settings)
    protector: DataProtector = state.protector
    return protector


# scope="function": the transaction ends when the route returns, so a failed commit is an error
# response, never a success that did not happen.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
ProtectorDep = Annotated[DataProtector, Depends(_protector)]


async def current_principal(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The officer (bearer token) or paying bank's system (X-API-Key) making the request."""
    if api_key:
        principal = await principal_for_api_key(session, api_key)
        if principal is None:
            raise Unauthorized("admin.auth.api_key_invalid")
        return principal
    if not token:
        raise Unauthorized("admin.auth.missing")
    officer = await principal_for_officer(session, read_access_token(settings, token))
    if officer is None:
        raise Unauthorized("admin.auth.token_invalid")
    return officer


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency giving the caller when their role is one of `roles`, else 403."""
    allowed = frozenset(roles)

    async def dependency(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden("admin.auth.forbidden")
        return principal

    return dependency


def locale_of(request: Request) -> str:
    """The caller's language from Accept-Language (vi unless English is asked for)."""
    return normalize_locale(request.headers.get("accept-language", "").split(",", 1)[0])


@dataclass(frozen=True)
class Paging:
    """Which slice of a list: at most `limit` items after skipping `offset`."""

    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(_paging)]


async def page_of(
    session: AsyncSession, query: Select, paging: Paging, *, order_by: Sequence[Any] = ()
) -> tuple[list[Any], int]:
    """One page of `query` (ORM rows or tuples) and the total number of rows it matches."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    ordered = query.order_by(*order_by) if order_by else query
    result = await session.execute(ordered.limit(paging.limit).offset(paging.offset))
    rows = result.all()
    items = [row[0] if len(row) == 1 else row for row in rows]
    return items, int(total or 0)


async def beneficiary_in_scope(
    session: AsyncSession, beneficiary_id: int, principal: Principal
) -> Beneficiary:
    """The beneficiary if the caller reaches their commune; else 404, as if it did not exist."""
    query = scoped(
        select(Beneficiary).where(Beneficiary.id == beneficiary_id),
        Beneficiary.commune_id,
        principal,
    )
    beneficiary = await session.scalar(query)
    if beneficiary is None:
        raise NotFound("registry.beneficiary_not_found", id=beneficiary_id)
    return beneficiary


def area_in_scope(principal: Principal, area_id: int | None) -> None:
    """404 for an area the caller does not reach (so its existence is not revealed either)."""
    if area_id is None or not in_scope(principal, area_id):
        raise NotFound("admin.area.not_found", id=area_id if area_id is not None else "")


async def one_in_scope(
    session: AsyncSession,
    model: Any,
    row_id: int,
    column: Any,
    principal: Principal,
    not_found: str,
    *,
    for_update: bool = False,
) -> Any:
    """The row `row_id` of `model` whose area `column` the caller reaches, else 404 `not_found`.

    `for_update` locks the row (PostgreSQL) so two officers cannot decide the same thing twice.
    """
    query = scoped(select(model).where(model.id == row_id), column, principal)
    if for_update:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None:
        raise NotFound(not_found, id=row_id)
    return row
