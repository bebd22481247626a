"""The admin API's words: sign-in and access problems, registry work, list columns, answers."""

from __future__ import annotations

from messages.keyspec import MessageClass, P, Param, define
from messages.keyspec import ParamType as T

PROBLEM = MessageClass.PROBLEM
LABEL = MessageClass.LABEL
_ID = P("id", T.CODE, "12", "123456")
_CODE = P("code", T.CODE, "05977", "99999")


def _problem(key: str, doc: str, *params: Param) -> None:
    define(f"admin.{key}", PROBLEM, doc, *params)


# --- signing in and access ---------------------------------------------------------------
_problem("auth.missing", "No access token or API key was sent with the request.")
_problem("auth.bad_credentials", "The username or password is wrong (which one is not said).")
_problem("auth.token_invalid", "The access token is not valid, or its officer was deactivated.")
_problem("auth.token_expired", "The access token expired: sign in again.")
_problem("auth.api_key_invalid", "The API key is unknown or was revoked.")
_problem("auth.forbidden", "The caller's role may not do this.")
_problem(
    "auth.too_many_attempts",
    "Too many failed sign-ins: wait some minutes before trying again.",
    P("minutes", T.INT, 15, 15),
)
_problem(
    "officer.username_invalid",
    "A username is 3 to 64 lower-case letters, digits, dots, dashes or underscores.",
)
_problem(
    "officer.username_taken",
    "Another officer has this username.",
    P("username", T.TEXT, "lan.nt", "nguyen.thi.phuong.thao"),
)
_problem("officer.password_short", "The password is too short.", P("min", T.INT, 10, 10))
_problem(
    "officer.role_invalid",
    "This role cannot be given to an officer account (payer is for API keys).",
    P("role", T.CODE, "payer", "payer"),
)
_problem("officer.not_found", "No such officer (or outside the caller's areas).", _ID)
_problem("officer.needs_area", "An officer or API key needs at least one area.")
_problem("area.unknown", "No administrative unit has this code.", _CODE)
_problem("area.legacy", "This code is a former unit (before 1 July 2025); give today's.", _CODE)
_problem("area.not_found", "No such commune, or outside the caller's areas.", _ID)
_problem("api_key.name_missing", "An API key needs a name saying whose system uses it.")
_problem("api_key.not_found", "No such API key (or outside the caller's areas).", _ID)
_problem("api_key.revoked", "The API key was already revoked.", _ID)

# --- registry ----------------------------------------------------------------------------------
_problem("beneficiary.duplicate_cccd", "Another beneficiary already has this CCCD number.")
_problem(
    "beneficiary.status_conflict",
    "The change is not possible in the beneficiary's current status.",
    P("status", T.LABEL, "admin.status.deceased", "admin.status.suspended"),
)
_problem(
    "import.too_large", "The uploaded file is larger than allowed.", P("max_mb", T.INT, 20, 20)
)
_problem(
    "import.out_of_scope",
    "Some lines are for communes (or registered people) outside the officer's areas.",
    P("lines", T.TEXT, "3, 7", "3, 7, 12, 15, 18, 21, 25, 30, 31, 40 …"),
    P("count", T.INT, 2, 24),
)
_problem(
    "import.rows_invalid",
    "Some lines of the list have errors; nothing was imported (see the list of problems).",
    P("count", T.INT, 3, 999),
)

# --- review queue, questions, personal-data requests -------------------------------------------
_problem("review.not_found", "No such review item (or outside the caller's areas).", _ID)
_problem(
    "review.decided", "The item was already decided.", P("status", T.CODE, "approved", "rejected")
)
_problem("review.reason_missing", "Refusing needs a reason, which the person is told.")
_problem(
    "review.incomplete",
    "The item lacks what approving it needs (a commune, a category, a request).",
)
_problem("question.not_found", "No such question (or outside the caller's areas).", _ID)
_problem("question.closed", "The question is already closed.")
_problem("question.answer_missing", "An answer needs some words.")
_problem("data_request.not_found", "No such personal-data request (or outside the areas).", _ID)
_problem(
    "data_request.closed",
    "The personal-data request is already completed or refused.",
    P("status", T.CODE, "completed", "rejected"),
)
_problem("data_request.no_person", "The request is not linked to a person in the registry.")
_problem("data_request.not_deletion", "Only a deletion request can anonymise a person.")

define(
    "admin.question_answer",
    MessageClass.REPLY,
    "An officer's answer to a question the person asked through the bot.",
    P(
        "answer",
        T.TEXT,
        "Ông/Bà mang CCCD đến UBND xã sáng thứ Hai.",
        "Ông/Bà mang CCCD và sổ hộ khẩu đến UBND xã Hoàng Văn Thụ vào sáng thứ Hai tuần sau.",
    ),
    sms=True,
)

# --- words inside exported lists -------------------------------------------------------------
_COLUMNS = {
    "registry_code": "code of the beneficiary in the commune's records",
    "full_name": "full name",
    "birth_date": "date of birth (or year)",
    "gender": "gender",
    "cccd": "citizen-ID (CCCD) number",
    "phone": "phone number",
    "category": "category (BTXH or NCC)",
    "commune": "commune or ward of today",
    "village": "village",
    "monthly_amount": "monthly allowance in VND",
    "method": "payment method",
    "bank": "bank or wallet code",
    "account": "account number",
    "holder_name": "account holder's name",
    "cash_reason": "why the person is paid in cash",
    "status": "beneficiary status",
    "payment_kind": "paid by account, in cash, or not decided",
    "flags": "problems found on the line",
}
for name, doc in _COLUMNS.items():
    define(f"admin.column.{name}", LABEL, f"Column header of an exported list: {doc}.")
for name, doc in {"male": "male", "female": "female"}.items():
    define(f"admin.gender.{name}", LABEL, f"Gender in an exported list: {doc}.")
_STATUSES = {
    "active": "being paid",
    "suspended": "payments suspended",
    "deceased": "deceased",
    "exited": "no longer on the list",
}
for name, doc in _STATUSES.items():
    define(f"admin.status.{name}", LABEL, f"Beneficiary status: {doc}.")
_KINDS = {"account": "paid into an account", "cash": "paid in cash", "none": "no method chosen"}
for name, doc in _KINDS.items():
    define(f"admin.payment_kind.{name}", LABEL, f"How a beneficiary is paid: {doc}.")
_FLAGS = {
    "no_cccd": "no CCCD number recorded",
    "no_phone": "no phone number recorded",
    "invalid_phone": "the phone number is not a valid mobile or cannot be reached",
    "no_method": "no payment method chosen",
    "cash_without_reason": "paid in cash without a recorded reason",
    "duplicate_cccd": "the same CCCD is recorded for another person",
    "duplicate_account": "the same account number is recorded for another beneficiary",
    "proxy_expired": "the authorized person's authority has expired",
    "holder_name_mismatch": "the account holder's name differs from the beneficiary or proxy",
}
for name, doc in _FLAGS.items():
    define(f"admin.flag.{name}", LABEL, f"Problem on a reconciliation line: {doc}.")
