"""Signing in: OAuth2 password flow for officers; who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.routers.views import area_refs
from api.schemas.common import PROBLEMS
from api.schemas.fields import Text
from api.schemas.officers import MeOut, TokenOut
from models.base import utcnow
from models.db import transaction
from models.errors import Unauthorized
from models.officers.service import login
from models.officers.tokens import issue_access_token

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEMS)


class SignIn:
    """The OAuth2 password form (other OAuth2 fields are ignored), bounded like every input."""

    def __init__(
        self,
        username: Annotated[Text, Form(min_length=1, max_length=200)],
        password: Annotated[str, Form(min_length=1, max_length=1000)],
    ) -> None:
        self.username = username
        self.password = password


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/token",
    summary="Sign in with username and password",
    description="OAuth2 password flow. Failed attempts are counted per username and per client "
    "address; too many answer 429 with Retry-After.",
    response_model=TokenOut,
)
async def token(
    request: Request,
    form: Annotated[SignIn, Depends()],
    settings: SettingsDep,
) -> TokenOut:
    """A short-lived access token for an officer."""
    now = utcnow()
    # Its own transaction: a failed attempt must be counted even though the answer is an error.
    async with transaction(request.app.state.sessions) as session:
        officer = await login(
            session,
            username=form.username,
            password=form.password,
            client=_client(request),
            now=now,
        )
    if officer is None:
        raise Unauthorized("admin.auth.bad_credentials")
    issued = issue_access_token(settings, officer_id=officer.id, role=officer.role, now=now)
    return TokenOut(
        access_token=issued.token,
        expires_in=int((issued.expires_at - now).total_seconds()),
        expires_at=issued.expires_at,
    )


@router.get("/me", summary="Who am I", response_model=MeOut)
async def me(principal: PrincipalDep, session: SessionDep) -> MeOut:
    """The caller's identity, role and granted areas."""
    return MeOut(
        kind=principal.kind,
        id=principal.id,
        name=principal.name,
        role=principal.role,
        areas=await area_refs(session, principal.granted),
    )
