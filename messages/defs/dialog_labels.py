"""The conversation's menu options and fragments (keys `dialog.`)."""

from __future__ import annotations

from messages.keyspec import MessageClass, define

LABEL = MessageClass.LABEL


def _family(prefix: str, what: str, docs: dict[str, str], *, sms: bool = False) -> None:
    for name, doc in docs.items():
        define(f"dialog.{prefix}.{name}", LABEL, f"{what}: {doc}.", sms=sms)


_family(
    "menu",
    "Main menu option",
    {
        "register": "register for the allowance (consent, identification, method)",
        "pay": "choose or change how to be paid",
        "status": "see my record's status, method and payments",
        "atm": "find an ATM or payment point",
        "help": "questions and help",
        "mydata": "my data (see, withdraw consent, correct, delete)",
        "switch": "a proxy acts for another beneficiary",
        "language": "change the language (written in both languages)",
    },
    sms=True,  # the whole menu fits one SMS
)
_family(
    "opt",
    "Option",
    {
        "vi": "Vietnamese (written in Vietnamese)",
        "en": "English (written in English)",
        "self": "I am the person receiving the allowance",
        "authorized": "an authorized person (family member)",
        "guardian": "a legal guardian",
        "someone_else": "a proxy acts for someone not listed",
        "keep_date": "keep the birth date given",
        "its_me": "yes, I am the person the address is on record for",
        "not_me": "no, someone else is writing (a family member)",
        "retype": "type it again",
        "send_registration": "send a registration request to the commune officer",
        "none_of_these": "none of the communes listed",
        "skip": "skip this question",
        "share_contact": "Telegram button: share my phone number",
        "share_location": "Telegram button: share my location",
        "resend": "send a new code",
        "other_number": "use another phone number",
        "other_bank": "another bank (type its name)",
        "keep_cash": "keep cash",
        "choose_account": "choose an account instead",
        "my_commune": "in my commune",
        "other_commune": "in another commune",
    },
)
_family(
    "rel",
    "Relationship of a proxy to the beneficiary",
    {
        "child": "son or daughter",
        "spouse": "husband or wife",
        "grandchild": "grandchild",
        "sibling": "brother or sister",
        "other": "another relationship",
    },
)
_family(
    "category",
    "Allowance the person thinks they receive",
    {
        "btxh": "social assistance (elderly, disability…)",
        "ncc": "meritorious service to the revolution",
        "unknown": "not sure",
    },
)
_family(
    "cash",
    "Why cash",
    {
        "ill": "ill or bedridden",
        "no_atm": "no ATM near home",
        "no_card": "cannot use a card or phone",
        "prefer": "prefers cash",
        "other": "another reason",
    },
)
_family(
    "faq.opt",
    "Help question",
    {
        "what": "what is this programme",
        "why_account": "why have an account",
        "safe": "is it safe",
        "fees": "are there fees",
        "contact": "whom to call",
        "officer": "ask the commune officer a question",
    },
    sms=True,
)
_family(
    "mydata.opt",
    "My-data option",
    {
        "view": "see my data",
        "withdraw": "withdraw my consent",
        "correct": "ask for a correction",
        "delete": "ask for deletion",
        "no_reason": "send the deletion request without a reason",
    },
)
# Completes "Record: {state}."
_family(
    "state",
    "State of a beneficiary's record",
    {
        "verified": "verified",
        "unverified": "awaiting verification",
        "mismatch": "details differ, the officer will get in touch",
        "proxy_pending": "the proxy's paper awaits the officer's check",
        "inactive": "not being paid at present",
    },
)
# Completes "… by {method} ({progress})".
_family(
    "progress",
    "Progress of a payment-method choice",
    {
        "requested": "awaiting the officer's check",
        "session_scheduled": "account-opening session booked",
        "opened": "account opened",
        "verified": "checked",
        "active": "in use",
        "closed": "closed",
    },
)
_family(
    "paid", "State of a payment", {"paid": "paid", "failed": "failed", "pending": "in progress"}
)
_family(
    "point",
    "Kind of service point (starts a line about it)",
    {
        "atm": "ATM",
        "bank_branch": "bank branch",
        "post_office": "post office",
        "withdrawal_point": "withdrawal point",
        "payment_point": "payment point",
    },
)
# Completes "You agreed on {date}: {purpose}."
_family(
    "purpose",
    "What a consent covers",
    {
        "processing": "keeping and using the data to pay the allowance",
        "messaging": "receiving notices",
        "bank_sharing": "giving ID and phone to the bank to open an account",
    },
)
define("dialog.opt.no_account", LABEL, "Option: I have no account yet.", sms=True)
define("dialog.atm.hours_unknown", LABEL, "Opening hours: not known.")
