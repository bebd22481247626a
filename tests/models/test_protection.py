"""Encryption at rest, lookup hashes, key rotation on a real database, and masking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from models.messaging.tables import ProviderToken
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary, Person
from models.protection import (
    DataProtector,
    DecryptionError,
    mask_account,
    mask_address,
    mask_cccd,
    mask_cmnd,
    mask_phone,
    mask_text,
    rotate_keys,
)
from tests.conftest import TEST_KEY, Database, make_test_settings

OLD_KEY = "old-data-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
NEW_KEY = "new-data-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
CCCD = "020190012345"
PROTECTOR = DataProtector(TEST_KEY)


# --- encryption ---------------------------------------------------------------------------
@given(st.text())
def test_round_trip(plain: str) -> None:
    assert PROTECTOR.decrypt(PROTECTOR.encrypt(plain)) == plain


def test_each_encryption_is_different_and_hides_the_value() -> None:
    first, second = PROTECTOR.encrypt(CCCD), PROTECTOR.encrypt(CCCD)
    assert first != second
    assert CCCD.encode() not in first
    assert PROTECTOR.decrypt(first) == PROTECTOR.decrypt(second) == CCCD
    assert PROTECTOR.is_current(first)


def test_any_altered_byte_is_detected() -> None:
    blob = PROTECTOR.encrypt(CCCD)
    for position in range(len(blob)):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            PROTECTOR.decrypt(bytes(altered))


@pytest.mark.parametrize("blob", [b"", b"\x01", b"x" * 60, b"\x02" + b"\x00" * 40])
def test_foreign_or_short_blobs_are_refused(blob: bytes) -> None:
    with pytest.raises(DecryptionError):
        PROTECTOR.decrypt(blob)


def test_truncated_blob_is_refused() -> None:
    with pytest.raises(DecryptionError):
        PROTECTOR.decrypt(PROTECTOR.encrypt(CCCD)[:-1])


def test_another_key_cannot_decrypt() -> None:
    with pytest.raises(DecryptionError):
        DataProtector(NEW_KEY).decrypt(DataProtector(OLD_KEY).encrypt(CCCD))


def test_lookup_hash_is_keyed_and_stable() -> None:
    digest = PROTECTOR.lookup_hash(CCCD)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == DataProtector(TEST_KEY).lookup_hash(CCCD)
    assert digest != DataProtector(NEW_KEY).lookup_hash(CCCD)
    assert digest != PROTECTOR.lookup_hash("020190012346")
    assert PROTECTOR.lookup_hashes(CCCD) == [digest]


def test_lookup_hash_is_hmac_sha256_and_never_changes() -> None:
    """Stored hashes are looked up again later: the value for a key and a number is fixed."""
    import hmac

    from models.protection import _hkdf

    key = _hkdf(TEST_KEY.encode(), b"ansinh lookup hash v1")
    for value in (CCCD, "", "Đ" * 70, "9" * 200):
        assert PROTECTOR.lookup_hash(value) == hmac.new(key, value.encode(), "sha256").hexdigest()
    assert PROTECTOR.lookup_hash(CCCD) == (
        "527a7efa17f738b0b7635683f4082ebe84a3573b88b22b9a85df50fad8bb1522"
    )


def test_old_keys_decrypt_and_hash_while_rotating() -> None:
    old = DataProtector(OLD_KEY)
    blob = old.encrypt(CCCD)
    rotating = DataProtector(NEW_KEY, [OLD_KEY])
    assert rotating.decrypt(blob) == CCCD
    assert not rotating.is_current(blob)
    assert rotating.is_current(rotating.encrypt(CCCD))
    assert rotating.lookup_hashes(CCCD) == [rotating.lookup_hash(CCCD), old.lookup_hash(CCCD)]
    assert rotating.lookup_hash(CCCD) == DataProtector(NEW_KEY).lookup_hash(CCCD)


def test_keys_are_checked() -> None:
    with pytest.raises(ValueError, match="32"):
        DataProtector("short")
    with pytest.raises(ValueError, match="empty"):
        DataProtector(NEW_KEY, [""])
    same = DataProtector(NEW_KEY, [NEW_KEY, OLD_KEY, OLD_KEY])
    assert len(same.lookup_hashes(CCCD)) == 2


def test_from_settings() -> None:
    settings = make_test_settings("sqlite+aiosqlite://", data_key=NEW_KEY, data_old_keys=[OLD_KEY])
    protector = DataProtector.from_settings(settings)
    assert protector.decrypt(DataProtector(OLD_KEY).encrypt(CCCD)) == CCCD
    assert protector.lookup_hash(CCCD) == DataProtector(NEW_KEY).lookup_hash(CCCD)


# --- at rest in the database --------------------------------------------------------------
def _person(
    protector: DataProtector, name: str, cccd: str | None, cmnd: str | None = None
) -> Person:
    return Person(
        full_name=name,
        search_name=name.lower(),
        cccd_enc=protector.encrypt(cccd) if cccd else None,
        cccd_hash=protector.lookup_hash(cccd) if cccd else None,
        cccd_masked=mask_cccd(cccd) if cccd else None,
        cmnd_enc=protector.encrypt(cmnd) if cmnd else None,
        cmnd_hash=protector.lookup_hash(cmnd) if cmnd else None,
    )


async def test_clear_number_never_reaches_the_database(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        session.add(_person(PROTECTOR, "Hoàng Văn Sáng", CCCD, "080123456"))
    async with db.sessions() as session:
        rows = (await session.execute(select(Person.__table__))).all()
    as_text = repr(rows)
    assert "020******345" in as_text
    for secret in (CCCD, "080123456"):
        assert secret not in as_text
        assert secret.encode() not in rows[0].cccd_enc
    if db.is_sqlite:
        await db.engine.dispose()
        path = db.settings.sqlite_path()
        assert path is not None
        raw = b"".join(p.read_bytes() for p in Path(path).parent.glob(path.name + "*"))
        assert b"020******345" in raw
        assert CCCD.encode() not in raw
        assert b"080123456" not in raw


async def _seed(db: Database, old: DataProtector, new: DataProtector) -> None:
    """Seven people under the old key, one under the new, one without IDs, one choice, one token."""
    async with db.sessions() as session, session.begin():
        people = [_person(old, f"Person {i}", f"0201900{i:05d}", f"08012345{i}") for i in range(7)]
        people += [_person(new, "Already new", "020190099999"), _person(old, "No IDs", None)]
        session.add_all(people)
        await session.flush()
        beneficiary = Beneficiary(person_id=people[0].id, category="BTXH")
        session.add(beneficiary)
        await session.flush()
        account = "888812345678"
        session.add(
            PaymentMethodChoice(
                beneficiary_id=beneficiary.id,
                method="bank_account",
                provider_code="AGRIBANK",
                account_enc=old.encrypt(account),
                account_hash=old.lookup_hash(account),
                source="officer",
                confirmation_code="K7M2QX",
            )
        )
        session.add(
            ProviderToken(
                name="zns",
                access_token_enc=old.encrypt("acc"),
                refresh_token_enc=old.encrypt("ref"),
            )
        )


async def _find(db: Database, protector: DataProtector, cccd: str) -> Person | None:
    async with db.sessions() as session:
        query = select(Person).where(Person.cccd_hash.in_(protector.lookup_hashes(cccd)))
        return (await session.scalars(query)).first()


async def test_rotation_reencrypts_and_rehashes_everything(db: Database) -> None:
    old, rotating = DataProtector(OLD_KEY), DataProtector(NEW_KEY, [OLD_KEY])
    await _seed(db, old, DataProtector(NEW_KEY))
    before = await _find(db, rotating, "020190000003")
    assert before is not None
    assert before.cccd_hash == old.lookup_hash("020190000003")
    async with db.sessions() as session:
        stamps = dict((await session.execute(select(Person.id, Person.updated_at))).all())

    async with db.sessions() as session, session.begin():
        changed = await rotate_keys(session, rotating, batch_size=3)
    assert changed == 7 + 1 + 1  # seven people, one choice, one token

    new_only = DataProtector(NEW_KEY)
    after = await _find(db, new_only, "020190000003")
    assert after is not None
    assert after.id == before.id
    async with db.sessions() as session:
        people = (await session.scalars(select(Person).order_by(Person.id))).all()
        choice = (await session.scalars(select(PaymentMethodChoice))).one()
        token = await session.get(ProviderToken, "zns")
    for person in people:
        assert person.updated_at == stamps[person.id]
        if person.cccd_enc is None:
            continue
        cccd = new_only.decrypt(person.cccd_enc)
        assert person.cccd_hash == new_only.lookup_hash(cccd)
        if person.cmnd_enc is not None:
            assert person.cmnd_hash == new_only.lookup_hash(new_only.decrypt(person.cmnd_enc))
    assert new_only.decrypt(choice.account_enc or b"") == "888812345678"
    assert choice.account_hash == new_only.lookup_hash("888812345678")
    assert token is not None
    assert new_only.decrypt(token.access_token_enc or b"") == "acc"
    assert new_only.decrypt(token.refresh_token_enc or b"") == "ref"

    async with db.sessions() as session, session.begin():
        assert await rotate_keys(session, rotating) == 0


async def test_rotation_can_commit_between_batches(db: Database) -> None:
    old, rotating = DataProtector(OLD_KEY), DataProtector(NEW_KEY, [OLD_KEY])
    await _seed(db, old, rotating)
    commits = 0
    async with db.sessions() as session:

        async def commit() -> None:
            nonlocal commits
            await session.commit()
            commits += 1

        assert await rotate_keys(session, rotating, batch_size=2, after_batch=commit) == 9
    assert commits >= 5  # people in five batches, then choices and tokens
    assert await _find(db, DataProtector(NEW_KEY), "020190000006") is not None


# --- masking ------------------------------------------------------------------------------
def test_masks() -> None:
    assert mask_cccd("020190012345") == "020******345"
    assert mask_cccd("020 190 012 345") == "020******345"
    assert mask_cmnd("021234589") == "02*****89"
    assert mask_account("0123456789") == "******6789"
    assert mask_account("8888 1234 5678") == "********5678"
    assert mask_account("1234") == "****"
    assert mask_cccd("") == ""


@pytest.mark.parametrize(
    "raw", ["+84912345678", "0912345678", "0912 345 678", "84912345678", "+84 0912 345 678"]
)
def test_mask_phone(raw: str) -> None:
    assert mask_phone(raw) == "091****678"


def test_mask_phone_other_shapes() -> None:
    assert mask_phone("01621234567") == "016*****567"
    assert mask_phone("+447911123456") == "+44*******456"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("tel:+84912345678", "tel:091****678"),
        ("sms:+84912345678", "sms:091****678"),
        ("telegram:123456789", "telegram:12*****89"),
        ("telegram:-1001234567890", "telegram:-1**********90"),
        ("zalo:8401234567890123456", "zalo:84***************56"),
        ("zalo:abc123", "zalo:a****3"),
        ("0912345678", "091****678"),
    ],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CCCD 020190012345 của tôi", "CCCD 020******345 của tôi"),
        ("số 020 190 012 345.", "số 020******345."),
        ("số 020.190.012.345", "số 020******345"),
        ("gọi 0912 345 678 nhé", "gọi 091****678 nhé"),
        ("gọi +84 912 345 678", "gọi 091****678"),
        ("gọi 0912.345.678", "gọi 091****678"),
        ("số cũ 0162 123 4567", "số cũ 016*****567"),
        ("CMND 080123456", "CMND 08*****56"),
        ("TK 1903 1234 5678 90", "TK **********7890"),
        ("nhận 500.000 đ ngày 2025-01-15", "nhận 500.000 đ ngày 2025-01-15"),
        ("mã K7M2QX, 12345678", "mã K7M2QX, 12345678"),
        ("a020190012345b", "a020******345b"),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@given(st.text())
def test_mask_text_never_leaves_nine_digits_in_a_row(text: str) -> None:
    assert not re.search(r"\d{9}", mask_text(text))


@given(
    st.lists(
        st.one_of(
            st.text(max_size=5),
            st.from_regex(r"[0-9]{9,20}", fullmatch=True),
            st.from_regex(r"\+?[0-9]{1,4}([ .\-][0-9]{1,4}){1,5}", fullmatch=True),
        ),
        max_size=6,
    )
)
def test_mask_text_never_leaks_a_twelve_digit_number(parts: list[str]) -> None:
    masked = mask_text("".join(parts))
    assert not re.search(r"\d{9}", masked)
    assert not re.search(r"\d(?:[ .\-]?\d){11}", masked)


@pytest.mark.parametrize(
    "line", ["at 2026-11-27 13:45:00 UTC", "2026-11-27T08:00", "on 27.11.2026 08:30"]
)
def test_timestamps_in_log_lines_are_left_alone(line: str) -> None:
    assert mask_text(line) == line


def test_a_cccd_next_to_a_timestamp_is_still_masked() -> None:
    masked = mask_text("2026-11-27 13:45 cccd 020190012345")
    assert "020190012345" not in masked and masked.startswith("2026-11-27 13:45")
