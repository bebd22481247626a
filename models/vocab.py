"""The closed vocabularies of the registry, stored as plain strings."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """BTXH: social assistance; NCC: meritorious service to the revolution."""

    BTXH = "BTXH"
    NCC = "NCC"


class BeneficiaryStatus(StrEnum):
    """Whether a beneficiary is being paid."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DECEASED = "deceased"
    EXITED = "exited"


class Verification(StrEnum):
    """Checked against the national population database by the police (never by us)."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    MISMATCH = "mismatch"


class Channel(StrEnum):
    """Address schemes of contact addresses."""

    TEL = "tel"
    TELEGRAM = "telegram"
    ZALO = "zalo"


class RepresentationKind(StrEnum):
    """Who acts for a beneficiary."""

    AUTHORIZED = "authorized"  # người được ủy quyền
    GUARDIAN = "guardian"  # người giám hộ
    CAREGIVER = "caregiver"  # family caregiver


class RepresentationStatus(StrEnum):
    """A representation's lifecycle."""

    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class PaymentMethod(StrEnum):
    """How a beneficiary is paid."""

    BANK_ACCOUNT = "bank_account"
    MOBILE_MONEY = "mobile_money"
    SOCIAL_SECURITY_ACCOUNT = "social_security_account"
    CASH_POINT = "cash_point"
    CASH_HOME = "cash_home"

    @property
    def is_cash(self) -> bool:
        """Cash at the commune payment point or at home."""
        return self in (PaymentMethod.CASH_POINT, PaymentMethod.CASH_HOME)

    @property
    def needs_account(self) -> bool:
        """Paid into an account of some kind."""
        return not self.is_cash


class ChoiceStatus(StrEnum):
    """Lifecycle of a payment-method choice."""

    REQUESTED = "requested"
    SESSION_SCHEDULED = "session_scheduled"
    OPENED = "opened"
    VERIFIED = "verified"
    ACTIVE = "active"
    CLOSED = "closed"


class Source(StrEnum):
    """Where a record came from."""

    BOT = "bot"
    SMS = "sms"
    OFFICER = "officer"
    IMPORT = "import"


class ConsentPurpose(StrEnum):
    """What a consent covers; sharing ID and phone with a bank is its own purpose."""

    PROCESSING = "processing"  # keep and use my data for the programme
    MESSAGING = "messaging"  # send me notices and campaigns
    BANK_SHARING = "bank_sharing"  # share ID and phone with the bank to open an account


WALLETS = {
    "VIETTEL_MONEY": "Viettel Money",
    "VNPT_MONEY": "VNPT Money",
    "MOBIFONE_MONEY": "MobiFone Money",
}
