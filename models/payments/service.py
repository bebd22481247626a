"""Payment-method choices: recorded append-only, each with a short confirmation code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.errors import Invalid
from models.payments.tables import PaymentMethodChoice
from models.people.identifiers import holder_name_key
from models.protection import DataProtector, mask_account
from models.randomness import random_bytes
from models.vocab import WALLETS, ChoiceStatus, PaymentMethod, Source

# No 0/O or 1/I: codes are read aloud over the phone and typed on keypads.
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# byte -> letter, for bytes.translate (one C call instead of a loop per code: imports make many)
_CODE_TABLE = bytes(ord(_CODE_ALPHABET[byte % 32]) for byte in range(256))


def confirmation_code() -> str:
    """A short code a person can read to an officer ('K7M2QX')."""
    # 32 letters divide 256 evenly, so taking each random byte modulo 32 is unbiased.
    return random_bytes(6).translate(_CODE_TABLE).decode("ascii")


def account_columns(protector: DataProtector, account_number: str | None) -> dict[str, object]:
    """Encrypted, hashed and masked columns for an account number."""
    if not account_number:
        return {"account_enc": None, "account_hash": None, "account_masked": None}
    return {
        "account_enc": protector.encrypt(account_number),
        "account_hash": protector.lookup_hash(account_number),
        "account_masked": mask_account(account_number),
    }


def _check_method(
    method: PaymentMethod, provider_code: str | None, account: str | None, cash_reason: str | None
) -> None:
    if method == PaymentMethod.MOBILE_MONEY and provider_code not in WALLETS:
        raise Invalid("payment.wallet_unknown")
    if method == PaymentMethod.BANK_ACCOUNT and not provider_code:
        raise Invalid("id.bank.unknown")
    if method.is_cash and account:
        raise Invalid("payment.cash_with_account")
    if method.is_cash and not cash_reason:
        raise Invalid("payment.cash_reason_missing")


async def record_choice(
    session: AsyncSession,
    *,
    protector: DataProtector,
    beneficiary_id: int,
    method: PaymentMethod,
    source: Source,
    actor: str,
    provider_code: str | None = None,
    account_number: str | None = None,
    holder: str = "beneficiary",
    holder_person_id: int | None = None,
    holder_name: str | None = None,
    expected_names: tuple[str, ...] = (),
    cash_reason: str | None = None,
    status: ChoiceStatus = ChoiceStatus.REQUESTED,
) -> PaymentMethodChoice:
    """Append a new choice; earlier choices stay as history. Inputs must be validated."""
    method = PaymentMethod(method)
    _check_method(method, provider_code, account_number, cash_reason)
    matches = None
    if holder_name and expected_names:
        keys = {holder_name_key(name) for name in expected_names}
        matches = holder_name_key(holder_name) in keys
    choice = PaymentMethodChoice(
        beneficiary_id=beneficiary_id,
        method=method.value,
        provider_code=provider_code,
        holder=holder,
        holder_person_id=holder_person_id,
        holder_name=holder_name,
        holder_name_matches=matches,
        status=ChoiceStatus(status).value,
        source=Source(source).value,
        confirmation_code=confirmation_code(),
        cash_reason=cash_reason,
        created_by=actor,
        **account_columns(protector, account_number),
    )
    session.add(choice)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="create",
        entity="payment_method_choice",
        entity_id=choice.id,
        details={
            "beneficiary_id": beneficiary_id,
            "method": choice.method,
            "account": choice.account_masked,
        },
    )
    return choice


async def current_choice(session: AsyncSession, beneficiary_id: int) -> PaymentMethodChoice | None:
    """The beneficiary's latest choice that still stands (closed ones are history), if any."""
    result = await session.scalars(
        select(PaymentMethodChoice)
        .where(
            PaymentMethodChoice.beneficiary_id == beneficiary_id,
            PaymentMethodChoice.status != ChoiceStatus.CLOSED.value,  # refused or superseded
        )
        .order_by(PaymentMethodChoice.id.desc())
        .limit(1)
    )
    return result.first()
