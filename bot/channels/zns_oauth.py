"""The ZNS access token: cached, refreshed through Zalo OAuth v4, stored in provider_tokens.

Zalo's refresh token is single-use, so only the process whose claim on the stored row succeeds
spends it; the others re-read until the new access token is there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.common import json_or_empty
from models.db import transaction
from models.messaging.tokens import (
    Cipher,
    Tokens,
    claim_refresh,
    read_tokens,
    release_claim,
    seed_tokens,
    store_refreshed,
)

log = logging.getLogger(__name__)

TOKEN_NAME = "zns"  # noqa: S105 (the row's name, not a secret)
EXPIRY_MARGIN = timedelta(minutes=5)  # refresh a little early rather than fail a send
POLL_SECONDS = 0.05
FAILURE_PAUSE = timedelta(minutes=1)  # after a failed refresh, do not retry on every send


class TokenUnavailable(Exception):
    """No usable access token: the refresh failed or another process's refresh did not finish."""


class TokenKeeper:
    """Hands out a valid ZNS access token, refreshing it at most once across processes."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        cipher: Cipher,
        client: httpx.AsyncClient,
        oauth_url: str,
        app_id: str,
        secret_key: str,
        first_refresh_token: str | None,
        clock: Callable[[], datetime],
        lease_seconds: float,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._client = client
        self._url = f"{oauth_url.rstrip('/')}/v4/oa/access_token"
        self._app_id = app_id
        self._secret_key = secret_key
        self._first = first_refresh_token
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self._lock = asyncio.Lock()
        self._cached: Tokens | None = None
        self._failed_until = datetime.min.replace(tzinfo=UTC)

    async def access_token(self, *, rejected: str | None = None) -> str:
        """A usable access token other than `rejected` (one the provider just refused)."""
        cached = self._cached_token(rejected)
        if cached is not None:
            return cached
        async with self._lock:  # one coroutine per process does the database work
            cached = self._cached_token(rejected)  # renewed while this one waited
            if cached is not None:
                return cached
            if self._clock() < self._failed_until:
                raise TokenUnavailable("the last ZNS token refresh failed; waiting before retrying")
            return await self._renew(rejected)

    def _cached_token(self, rejected: str | None) -> str | None:
        cached = self._cached
        if (
            cached
            and cached.access_token != rejected
            and cached.usable(self._clock(), EXPIRY_MARGIN)
        ):
            return cached.access_token
        return None

    async def _renew(self, rejected: str | None) -> str:
        # Waiting two leases lets a crashed holder's claim lapse so this process can take over.
        deadline = self._clock() + self._lease * 2
        while True:
            tokens = await self._read()
            if tokens.access_token != rejected and tokens.usable(self._clock(), EXPIRY_MARGIN):
                self._cached = tokens
                return str(tokens.access_token)
            claimed = await self._claim(tokens)
            if claimed is not None:
                return await self._refresh(tokens, claimed)
            if self._clock() >= deadline:
                raise TokenUnavailable("another process's token refresh did not finish")
            await asyncio.sleep(POLL_SECONDS)

    async def _read(self) -> Tokens:
        for _ in range(2):  # a second process may insert the first row at the same moment
            try:
                async with transaction(self._sessions) as session:
                    return await self._read_or_seed(session)
            except IntegrityError:
                continue
        raise TokenUnavailable("could not read the stored ZNS tokens")

    async def _read_or_seed(self, session: AsyncSession) -> Tokens:
        if self._first is not None:
            return await seed_tokens(
                session,
                name=TOKEN_NAME,
                refresh_token=self._first,
                cipher=self._cipher,
                now=self._clock(),
            )
        tokens = await read_tokens(session, name=TOKEN_NAME, cipher=self._cipher)
        if tokens is None:
            raise TokenUnavailable("no ZNS refresh token: set ANSINH_ZNS_REFRESH_TOKEN")
        return tokens

    async def _claim(self, tokens: Tokens) -> int | None:
        async with transaction(self._sessions) as session:
            return await claim_refresh(session, tokens=tokens, now=self._clock(), lease=self._lease)

    async def _refresh(self, tokens: Tokens, claimed: int) -> str:
        """Spend the refresh token (ours by claim) and store the new pair."""
        if not tokens.refresh_token:
            raise TokenUnavailable("no ZNS refresh token stored")
        try:
            access, refresh, expires_in = await self._call_oauth(tokens.refresh_token)
        except TokenUnavailable:
            await self._give_up(claimed)
            raise
        now = self._clock()
        expires_at = now + timedelta(seconds=expires_in)
        async with transaction(self._sessions) as session:
            stored = await store_refreshed(
                session,
                name=TOKEN_NAME,
                claimed_version=claimed,
                access_token=access,
                refresh_token=refresh,
                expires_at=expires_at,
                cipher=self._cipher,
                now=now,
            )
        if not stored:
            log.error("ZNS tokens refreshed but another process took the claim over; not stored")
        self._cached = Tokens(TOKEN_NAME, access, refresh, expires_at, claimed + 1, now)
        log.info("ZNS access token refreshed")
        return access

    async def _give_up(self, claimed: int) -> None:
        """Release the claim and pause refreshing in this process for a while."""
        self._failed_until = self._clock() + FAILURE_PAUSE
        async with transaction(self._sessions) as session:
            await release_claim(
                session, name=TOKEN_NAME, claimed_version=claimed, now=self._clock()
            )

    async def _call_oauth(self, refresh_token: str) -> tuple[str, str, float]:
        form = {
            "refresh_token": refresh_token,
            "app_id": self._app_id,
            "grant_type": "refresh_token",
        }
        try:
            response = await self._client.post(
                self._url, data=form, headers={"secret_key": self._secret_key}
            )
        except httpx.HTTPError as error:
            raise TokenUnavailable(
                f"ZNS token refresh got no answer ({type(error).__name__})"
            ) from None
        data = json_or_empty(response)
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not (isinstance(access, str) and isinstance(refresh, str) and access and refresh):
            log.error(
                "ZNS token refresh refused: HTTP %s, error %s",
                response.status_code,
                data.get("error"),
            )
            raise TokenUnavailable("ZNS token refresh refused")
        return access, refresh, _seconds(data.get("expires_in"))


def _seconds(value: object) -> float:
    """Zalo gives expires_in as a string of seconds ("90000"); assume 25 hours if absent."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 90_000.0
