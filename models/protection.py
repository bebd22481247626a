"""Personal data at rest: encryption, keyed lookup hashes, key rotation and masking."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.messaging.tables import ProviderToken
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Person
from models.randomness import random_bytes
from models.requests.tables import RegistrationRequest
from models.settings import Settings

_FORMAT_VERSION = b"\x01"
_KEY_ID_SIZE = 4
_HEADER_SIZE = len(_FORMAT_VERSION) + _KEY_ID_SIZE
_NONCE_SIZE = 12
_TAG_SIZE = 16
_SALT = b"ansinh data protection"
MIN_KEY_LENGTH = 32
_SHA256_BLOCK = 64  # bytes; the HMAC key (32 bytes, from HKDF) is padded to it


class DecryptionError(ValueError):
    """A blob was tampered with, is not ours, or was written under a key we no longer have."""


@dataclass(frozen=True)
class _Keys:
    """What one secret gives: an id written in each blob, a cipher and a separate MAC key."""

    key_id: bytes
    cipher: AESGCM
    # HMAC-SHA256 keyed once: the hashes of the key's inner and outer pads (RFC 2104), which
    # each lookup hash copies instead of redoing them (what hmac.HMAC.copy does, minus the
    # Python wrapper around every step).
    inner: Any
    outer: Any


def _hkdf(secret: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=_SALT, info=info).derive(secret)


def _derive(secret: str) -> _Keys:
    """Independent keys for the blob id, encryption and hashing, all from one secret."""
    material = secret.encode("utf-8")
    mac_key = _hkdf(material, b"ansinh lookup hash v1").ljust(_SHA256_BLOCK, b"\0")
    return _Keys(
        key_id=_hkdf(material, b"ansinh key id v1", _KEY_ID_SIZE),
        cipher=AESGCM(_hkdf(material, b"ansinh encryption v1")),
        inner=hashlib.sha256(bytes(b ^ 0x36 for b in mac_key)),
        outer=hashlib.sha256(bytes(b ^ 0x5C for b in mac_key)),
    )


class DataProtector:
    """Encrypts ID and account numbers (AES-256-GCM) and computes their keyed lookup hashes.

    Blob layout: version (1 byte) | key id (4) | nonce (12) | ciphertext + tag; the header is
    authenticated too. Old keys still decrypt and hash, so rotation needs no downtime.
    """

    def __init__(self, key: str, old_keys: Sequence[str] = ()) -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"the data key must be at least {MIN_KEY_LENGTH} characters long")
        if any(not old for old in old_keys):
            raise ValueError("an old data key is empty")
        self._secrets = (key, tuple(old_keys))
        self._current = _derive(key)
        self._old = [_derive(old) for old in dict.fromkeys(old_keys) if old != key]
        self._by_id = {keys.key_id: keys for keys in [self._current, *self._old]}
        if len(self._by_id) != 1 + len(self._old):
            raise ValueError("two data keys share a key id; choose another key")

    def __reduce__(self) -> tuple[type[DataProtector], tuple[str, tuple[str, ...]]]:
        """Rebuilt from its keys in another process (bulk imports validate in a worker)."""
        return (DataProtector, self._secrets)

    def __repr__(self) -> str:
        return "DataProtector(<keys hidden>)"

    @classmethod
    def from_settings(cls, settings: Settings) -> DataProtector:
        """The protector for ANSINH_DATA_KEY and ANSINH_DATA_OLD_KEYS."""
        old = [secret.get_secret_value() for secret in settings.data_old_keys]
        return cls(settings.data_key.get_secret_value(), old)

    def encrypt(self, plain: str) -> bytes:
        """Encrypt under the current key with a fresh random nonce."""
        header = _FORMAT_VERSION + self._current.key_id
        nonce = random_bytes(_NONCE_SIZE)
        return header + nonce + self._current.cipher.encrypt(nonce, plain.encode("utf-8"), header)

    def decrypt(self, blob: bytes) -> str:
        """Decrypt a blob written under the current or an old key."""
        blob = bytes(blob)
        if len(blob) < _HEADER_SIZE + _NONCE_SIZE + _TAG_SIZE or blob[:1] != _FORMAT_VERSION:
            raise DecryptionError("not an ansinh encrypted value")
        keys = self._by_id.get(blob[1:_HEADER_SIZE])
        if keys is None:
            raise DecryptionError("encrypted under a key that is not configured")
        nonce = blob[_HEADER_SIZE : _HEADER_SIZE + _NONCE_SIZE]
        try:
            plain = keys.cipher.decrypt(
                nonce, blob[_HEADER_SIZE + _NONCE_SIZE :], blob[:_HEADER_SIZE]
            )
        except InvalidTag:
            raise DecryptionError("encrypted value was altered") from None
        return plain.decode("utf-8")

    def lookup_hash(self, plain: str) -> str:
        """Keyed HMAC-SHA256 (64 hex characters) under the current key, for equality lookups."""
        return _mac(self._current, plain)

    def lookup_hashes(self, plain: str) -> list[str]:
        """The hash under the current key, then under each old key (lookups while rotating)."""
        return [_mac(keys, plain) for keys in [self._current, *self._old]]

    def is_current(self, blob: bytes) -> bool:
        """Whether the blob was written under the current key."""
        blob = bytes(blob)
        return blob[:1] == _FORMAT_VERSION and blob[1:_HEADER_SIZE] == self._current.key_id


def _mac(keys: _Keys, plain: str) -> str:
    """HMAC-SHA256 of `plain` in hex: H(outer pad || H(inner pad || plain))."""
    inner = keys.inner.copy()
    inner.update(plain.encode("utf-8"))
    outer = keys.outer.copy()
    outer.update(inner.digest())
    return str(outer.hexdigest())


# --- key rotation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _EncryptedTable:
    """A table's encrypted columns, each with its lookup-hash column (if it has one)."""

    table: type[Any]
    key: str
    columns: tuple[tuple[str, str | None], ...]


ENCRYPTED_TABLES = (
    _EncryptedTable(Person, "id", (("cccd_enc", "cccd_hash"), ("cmnd_enc", "cmnd_hash"))),
    _EncryptedTable(PaymentMethodChoice, "id", (("account_enc", "account_hash"),)),
    _EncryptedTable(RegistrationRequest, "id", (("cccd_enc", "cccd_hash"),)),
    _EncryptedTable(
        ProviderToken, "name", (("access_token_enc", None), ("refresh_token_enc", None))
    ),
)


def _rotated(
    protector: DataProtector, spec: _EncryptedTable, blobs: Sequence[bytes | None]
) -> dict[str, object]:
    """New values for the columns of one row that are still under an old key."""
    values: dict[str, object] = {}
    for (enc, hashed), blob in zip(spec.columns, blobs, strict=True):
        if blob is None or protector.is_current(blob):
            continue
        plain = protector.decrypt(blob)
        values[enc] = protector.encrypt(plain)
        if hashed is not None:
            values[hashed] = protector.lookup_hash(plain)
    return values


async def _rotate_batch(
    session: AsyncSession, protector: DataProtector, spec: _EncryptedTable, after: object, size: int
) -> tuple[int, object]:
    """Rotate one batch of rows after the key `after`; returns (rows changed, last key or None)."""
    key = getattr(spec.table, spec.key)
    blobs = [getattr(spec.table, enc) for enc, _ in spec.columns]
    # Keep updated_at: a rotation changes how a value is stored, not the value.
    kept = [spec.table.updated_at] if hasattr(spec.table, "updated_at") else []
    query = select(key, *blobs, *kept).where(or_(*(b.is_not(None) for b in blobs)))
    if after is not None:
        query = query.where(key > after)
    rows = (await session.execute(query.order_by(key).limit(size))).all()
    changed = 0
    for row in rows:
        values = _rotated(protector, spec, row[1 : 1 + len(blobs)])
        if values:
            if kept:
                values["updated_at"] = row[-1]
            await session.execute(update(spec.table).where(key == row[0]).values(**values))
            changed += 1
    return changed, (rows[-1][0] if len(rows) == size else None)


async def rotate_keys(
    session: AsyncSession,
    protector: DataProtector,
    *,
    batch_size: int = 500,
    after_batch: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Re-encrypt and re-hash every value still under an old key; returns the rows changed.

    Works through each table in batches ordered by primary key and never commits; a caller
    that wants short transactions commits in `after_batch`.
    """
    total = 0
    for spec in ENCRYPTED_TABLES:
        after: object = None
        while True:
            changed, after = await _rotate_batch(session, protector, spec, after, batch_size)
            total += changed
            if after_batch is not None:
                await after_batch()
            if after is None:
                break
    return total


# --- masking ----------------------------------------------------------------------------------
def _digits(value: str) -> str:
    """The decimal digits of a value, as ASCII."""
    if value.isascii() and value.isdigit():  # the common case, without a per-character loop
        return value
    return "".join(str(unicodedata.decimal(ch)) for ch in value if ch.isdecimal())


def _keep(value: str, head: int, tail: int) -> str:
    """Show `head` and `tail` characters; hide all when fewer than three would stay hidden."""
    hidden = len(value) - head - tail
    if hidden < 3:
        return "*" * len(value)
    return value[:head] + "*" * hidden + value[len(value) - tail :]


def mask_cccd(v: str) -> str:
    """'020190012345' -> '020******345'."""
    return _keep(_digits(v), 3, 3)


def mask_cmnd(v: str) -> str:
    """'021234589' -> '02*****89'."""
    return _keep(_digits(v), 2, 2)


def mask_account(v: str) -> str:
    """'0123456789' -> '******6789'."""
    digits = _digits(v)
    return _keep(digits, 0, 4) if len(digits) > 4 else "*" * len(digits)


def mask_phone(v: str) -> str:
    """A phone in national form with the middle hidden: '+84912345678' -> '091****678'."""
    digits = _digits(v)
    international = v.strip().startswith("+") or v.strip().startswith("00")
    digits = digits[2:] if v.strip().startswith("00") else digits
    if digits.startswith("84") and (international or len(digits) in (11, 12)):
        return _keep("0" + digits[2:].removeprefix("0"), 3, 3)
    if international:
        return "+" + _keep(digits, 2, 3)
    if not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    return _keep(digits, 3, 3)


def _mask_middle(value: str) -> str:
    """A chat or user id with its middle hidden."""
    return _keep(value, 2, 2) if len(value) >= 8 else _keep(value, 1, 1)


def mask_address(address: str) -> str:
    """A contact address fit to show: 'tel:+84912345678' -> 'tel:091****678'."""
    scheme, sep, value = address.partition(":")
    if not sep:
        return mask_text(address) if _ID_RUN.search(address) else _mask_middle(address)
    if scheme in ("tel", "sms"):
        return f"{scheme}:{mask_phone(value)}"
    return f"{scheme}:{_mask_middle(value)}"


# Nine or more digits, single spaces, dots or dashes allowed between them, an optional '+'.
_ID_RUN = re.compile(r"(?<!\d)\+?\d(?:[ .\-]?\d){8,}")


def _looks_like_phone(digits: str) -> bool:
    if len(digits) == 10:
        return digits.startswith("0")
    if len(digits) == 11:
        return digits.startswith(("01", "84"))
    return len(digits) == 12 and digits.startswith("841")


# A timestamp ("2026-11-27 13:45", "27.11.2026 08:00") is a digit run too; it carries no one's data.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2})?|\d{2}\.\d{2}\.\d{4}(?: \d{1,2})?")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    if _TIMESTAMP.fullmatch(run):
        return run
    digits = _digits(run)
    if run.startswith("+") or _looks_like_phone(digits):
        return mask_phone(("+" if run.startswith("+") else "") + digits)
    if len(digits) == 9:
        return mask_cmnd(digits)
    if len(digits) == 12:
        return mask_cccd(digits)
    return mask_account(digits)


def mask_text(text: str) -> str:
    """Free text with every ID-, account- or phone-like number (9+ digits) masked."""
    return _ID_RUN.sub(_mask_run, text)
