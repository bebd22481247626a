"""Fragments used inside other messages, and menu options."""

from __future__ import annotations

from messages.keyspec import MessageClass, define

LABEL = MessageClass.LABEL


def _family(prefix: str, what: str, docs: dict[str, str], *, sms: bool) -> None:
    for name, doc in docs.items():
        define(f"{prefix}.{name}", LABEL, f"{what}: {doc}.", sms=sms)


define(
    "safety.line",
    LABEL,
    "Safety line added to every message that mentions money: officials and banks never ask "
    "for a PIN, OTP, password or fee.",
    sms=True,
)
_family("choice", "Menu option", {"yes": "yes", "no": "no"}, sms=False)

# DOMAIN.md "Payment methods": the value of a `method` parameter, and menu options.
_METHODS = {
    "bank_account": "a bank account",
    "mobile_money": "a mobile-money account (Viettel Money, VNPT Money, MobiFone Money)",
    "social_security_account": "a social-security account (linked to VNeID)",
    "cash_point": "cash at the commune payment point",
    "cash_home": "cash at home (special cases only)",
}
_family("method", "Payment method", _METHODS, sms=True)

# Completes "... could not be paid because {reason}" (SMS: "... not paid: {reason}").
_PAYMENT_REASONS = {
    "account_closed": "the account is closed",
    "account_invalid": "the account number is wrong",
    "name_mismatch": "the account holder's name does not match",
    "bank_rejected": "the bank refused the transfer",
    "other": "any other transfer error",
}
_family("payment.reason", "Why a payment failed", _PAYMENT_REASONS, sms=True)

# Completes "Please {action}."
_PAYMENT_ACTIONS = {
    "visit_commune": "come to the commune office with the ID card",
    "send_account": "reply with the correct account number",
    "wait": "nothing to do, the money will be sent again",
}
_family("payment.action", "What to do about a failed payment", _PAYMENT_ACTIONS, sms=True)

# Completes "... not approved because {reason}".
_REGISTRATION_REASONS = {
    "id_mismatch": "the ID number differs from the records",
    "not_listed": "the person is not on the allowance list",
    "duplicate": "the person is already registered",
    "proxy_unverified": "the authorized person could not be verified",
}
_family("registration.reason", "Why a registration was refused", _REGISTRATION_REASONS, sms=False)
