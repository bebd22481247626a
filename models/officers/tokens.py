"""Short-lived access tokens for officers (JWT, HS256) and the paying bank's API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.base import utcnow
from models.errors import Unauthorized
from models.settings import Settings

ISSUER = "ansinh"
AUDIENCE = "ansinh-admin"
ALGORITHM = "HS256"
API_KEY_PREFIX = "ask_"
PREFIX_LENGTH = 12  # "ask_" and 8 characters: enough to tell keys apart, too short to guess


@dataclass(frozen=True)
class AccessToken:
    """A signed token and when it stops being accepted."""

    token: str
    expires_at: datetime


def signing_key(settings: Settings) -> bytes:
    """ANSINH_AUTH_SECRET, or a key derived from the data key (so a new install needs neither)."""
    if settings.auth_secret is not None:
        return settings.auth_secret.get_secret_value().encode("utf-8")
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=b"ansinh auth", info=b"access token v1")
    return hkdf.derive(settings.data_key.get_secret_value().encode("utf-8"))


def issue_access_token(
    settings: Settings, *, officer_id: int, role: str, now: datetime | None = None
) -> AccessToken:
    """A token naming the officer, valid for ANSINH_ACCESS_TOKEN_MINUTES."""
    now = now or utcnow()
    expires = now + timedelta(minutes=settings.access_token_minutes)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": f"officer:{officer_id}",
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_urlsafe(12),
    }
    return AccessToken(jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), expires)


def read_access_token(settings: Settings, token: str) -> int:
    """The officer id a valid token names; Unauthorized when expired, forged or malformed."""
    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("admin.auth.token_expired") from None
    except jwt.PyJWTError:
        raise Unauthorized("admin.auth.token_invalid") from None
    kind, _, number = str(claims["sub"]).partition(":")
    if kind != "officer" or not number.isdigit():
        raise Unauthorized("admin.auth.token_invalid")
    return int(number)


def new_api_key() -> str:
    """A fresh API key, shown once: 'ask_' and 43 random URL-safe characters."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_prefix(key: str) -> str:
    """The part of a key kept in clear to tell keys apart."""
    return key[:PREFIX_LENGTH]


def api_key_hash(key: str) -> str:
    """SHA-256 of a key: keys are long and random, so a fast hash is enough."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
