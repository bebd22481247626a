"""The conversation's replies (bot/dialog): every key starts with `dialog.`.

Menu options and other fragments are in dialog_labels.py. A reply is one SMS at most:
long ones have a short `.sms` variant.
"""

from __future__ import annotations

from messages.keyspec import MessageClass, P, define
from messages.keyspec import ParamType as T

R = MessageClass.REPLY

NAME = P("name", T.TEXT, "Nông V. L.", "Hoàng T. P. T.")
COMMUNE = P("commune", T.TEXT, "Xã Hoàng Văn Thụ", "Phường Lương Văn Tri")
REF = P("ref", T.CODE, "DK12", "DK1234567")
PHONE = P("phone", T.TEXT, "091****678", "091****678")
METHOD = P("method", T.LABEL, "method.bank_account", "method.social_security_account")
STATE = P("state", T.LABEL, "dialog.state.verified", "dialog.state.proxy_pending")
SESSION = (  # an account-opening session: when, where, with which bank, what to bring
    P("date", T.DATE),
    P("time", T.TIME),
    P("place", T.TEXT, "UBND xã Hoàng Văn Thụ", "Nhà văn hóa thôn Khuổi Phầy"),
    P("bank", T.TEXT, "Agribank", "Vietcombank"),
    P("documents", T.TEXT, "CCCD", "CCCD gắn chip và điện thoại"),
)
PROGRESS = P("progress", T.LABEL, "dialog.progress.requested", "dialog.progress.requested")
ACCOUNT = P("account", T.ACCOUNT, "******6789", "***************6789")
POINT = (
    P("kind", T.LABEL, "dialog.point.atm", "dialog.point.withdrawal_point"),
    P("operator", T.TEXT, "Agribank", "Vietcombank"),
    P("address", T.TEXT, "Thôn Bản Cắm, xã Hoàng Văn Thụ", "Số 2 Lê Lợi, Phường Lương Văn Tri"),
    P("hours", T.LABEL, "dialog.atm.hours_unknown", "dialog.atm.hours_unknown"),
)


def _replies(docs: dict[str, str], *, sms: bool = False) -> None:
    for key, doc in docs.items():
        define(f"dialog.{key}", R, doc, sms=sms)


# --- engine and menu ---------------------------------------------------------------------------
_replies(
    {
        "not_understood": "The answer is not one of the options: reply with a number.",
        "error": "Something unexpected failed: try again or send MENU.",
        "resume": "After a long pause: the person was in the middle of the step shown next.",
        "call_commune": "After three failed tries: call or visit the commune office.",
        "expired.sensitive": "After 30 idle minutes the ID/account/code being typed was deleted.",
        "expired.conversation": "After 3 idle days the unfinished step was cancelled.",
        "language.ask": "Choose a language (written in both languages).",
        "language.set": "The language was changed (said in the new language).",
        "name.invalid": "A name must be written in letters (an example name follows).",
    }
)
# --- start, who is writing ---------------------------------------------------------------------
_replies(
    {
        "start.welcome": "First message: this is the official channel of the programme.",
        "start.explain": "What one can do here (choose a method, status, ATMs); it is free.",
        "start.declined": "No consent: nothing is kept; ATMs and help stay open; DK to register.",
        "who.ask": "Who is writing: the beneficiary, an authorized family member, a guardian.",
        "proxy.ask_name": "Ask the proxy's own full name.",
        "proxy.ask_cccd": "Ask the proxy's own 12-digit CCCD number.",
        "proxy.ask_relationship": "Ask how the proxy is related to the beneficiary.",
        "proxy.pick": "A proxy chooses which beneficiary to act for (masked names follow).",
        "proxy.pending": "Bring the authorization or guardianship paper to the commune office.",
    }
)
define(
    "dialog.menu",
    R,
    "The main menu's question; the options follow as numbered lines.",
    sms=True,
)
define(
    "dialog.pay.ask_method",
    R,
    "Ask how the person wants to receive the allowance; the methods follow.",
    sms=True,
)
define(
    "dialog.start.consent",
    R,
    "Explicit consent: what is kept (name, birth date, CCCD, phone, method) and why; yes/no.",
    sms=True,
)
define("dialog.proxy.acting_for", R, "The proxy now acts for this beneficiary.", NAME)
define(
    "dialog.start.known_as",
    R,
    "The address is on record for this person (masked name): is it they who write?",
    NAME,
)
define("dialog.status.whose", R, "To a proxy, before a status: whose record it is.", NAME)
# --- identification and registration ----------------------------------------------------------
_replies(
    {
        "identify.ask_cccd_self": "Ask the beneficiary's own CCCD (12 digits on the card).",
        "identify.ask_cccd": "Ask a proxy for the beneficiary's CCCD.",
        "identify.ask_birth": "Ask the birth date as day/month/year, or the year alone when the "
        "papers give no more, with examples.",
        "identify.bad_birth": "A birth date that cannot be read or is impossible: the forms "
        "accepted, the year alone among them.",
        "identify.locked": "The details of this CCCD were typed wrong too often in a day: try "
        "again in 24 hours or ask the commune office (the record is protected).",
        "proxy.cccd_not_theirs": "The CCCD a proxy gave as their own is on record under another "
        "name (often the beneficiary's): send the proxy's own.",
        "identify.full_date_unknown": "The year alone again for a record with the whole date: "
        "the date is on the card; otherwise the commune office helps.",
        "identify.full_date_needed": "Only a birth year was given, but the record has the whole "
        "date: ask for it as on the card.",
        "identify.ask_name": "Ask a proxy for the beneficiary's full name.",
        "identify.no_match": "The record was found but the details differ: check the card.",
        "register.ask_name": "Ask the applicant's full name.",
        "register.ask_commune": "Ask the commune the beneficiary lives in (former names fine).",
        "register.ask_village": "Ask the village or hamlet (or skip).",
        "register.ask_category": "Ask a proxy which allowance the person receives.",
        "register.ask_category_self": "Ask the person registering which allowance they receive.",
        "commune.pick": "Several communes match the name typed: choose one.",
        "commune.unknown": "No commune matches the name typed: write it again (an example).",
    }
)
define(
    "dialog.identify.not_found",
    R,
    "No record with this CCCD (masked): check the number, or send a registration request.",
    P("cccd", T.TEXT, "020******345", "020******345"),
    sms=True,
)
define(
    "dialog.identify.year_differs",
    R,
    "The birth year in the CCCD differs from the date given: keep it or type it again?",
    P("card_year", T.YEAR),
)
define("dialog.identify.found", R, "The beneficiary's record was found (masked name).", NAME)
define(
    "dialog.register.received",
    R,
    "The registration request was sent to the commune officer, under a reference.",
    REF,
)
# --- phone -------------------------------------------------------------------------------------
_replies(
    {
        "phone.ask": "Ask a mobile number for the code and notices (with an example).",
        "phone.code_format": "A code has six digits: send it again.",
        "phone.code_expired": "The code expired: a new code, or another number?",
        "phone.code_locked": "Three wrong codes: a new code, or another number?",
    }
)
define(
    "dialog.phone.ask_code",
    R,
    "A six-digit code was sent by SMS to this (masked) number; send it here.",
    PHONE,
    P("minutes", T.INT, 5, 5),
)
define(
    "dialog.phone.ask_owner_code",
    R,
    "To be sure it is the person, a code was sent to the (masked) phone on record; send it here, "
    "or ask a new code or use another number.",
    PHONE,
    P("minutes", T.INT, 5, 5),
)
define("dialog.phone.code_wrong", R, "The code is wrong; tries left.", P("left", T.INT, 2, 2))
define(
    "dialog.phone.too_many",
    R,
    "Too many codes were sent: wait some minutes and send the number again.",
    P("minutes", T.INT, 15, 15),
)
define("dialog.phone.verified", R, "The (masked) phone number is confirmed.", PHONE)
# --- payment method ----------------------------------------------------------------------------
_replies(
    {
        "pay.ask_bank": "Ask the bank's name (with an example).",
        "pay.bank_pick": "Several banks look alike: choose one.",
        "pay.ask_wallet": "Ask which mobile-money service.",
        "pay.ask_account": "Ask the account number (6 to 19 digits).",
        "pay.ask_holder": "Ask the holder's full name as printed on the card or passbook.",
        "pay.holder_differs": "The holder's name differs from the record: accepted, to be checked.",
        "pay.ask_cash_reason": "Ask why the person prefers cash (one tap).",
        "pay.home_review": "Cash at home needs the commune officer's approval.",
        "pay.cancelled": "Nothing recorded; the method stays as it was.",
        "pay.bank_consent": "To open an account the commune gives ID and phone to the bank: agree?",
        "pay.bank_unknown": "No bank matches the name: type it again (an example), or go back "
        "to choose another way to be paid (no).",
        "pay.opening_listed_plain": "On the list for the next account-opening session.",
        "pay.opening_declined": "Nothing sent to the bank; open an account and send DK later.",
    }
)
define(
    "dialog.pay.cash_benefits",
    R,
    "Gently: what an account brings (on time, no travel, any ATM); cash is still possible.",
    sms=True,
)
define(
    "dialog.pay.cash_benefits_ill",
    R,
    "To someone ill who chose cash at home: get well; an account spares anyone collecting it.",
    sms=True,
)
define(
    "dialog.pay.cash_benefits_ill_home",
    R,
    "To someone ill who chose cash at the payment point: get well; the commune officer can "
    "be asked for payment at home; an account spares anyone collecting it.",
    sms=True,
)
define("dialog.pay.bank_confirm", R, "Is this the bank meant?", P("bank", T.TEXT, "Agribank"))
define(
    "dialog.pay.summary_account",
    R,
    "Summary before recording: method, bank or wallet, masked number, holder; right?",
    METHOD,
    P("provider", T.TEXT, "Agribank", "MobiFone Money"),
    ACCOUNT,
    P("holder", T.TEXT, "Nông Văn Lâm", "Hoàng Thị Phương Thảo"),
)
define(
    "dialog.pay.summary_cash",
    R,
    "Summary before recording: a cash method and the reason given; right?",
    P("method", T.LABEL, "method.cash_point", "method.cash_point"),
    P("reason", T.LABEL, "dialog.cash.ill", "dialog.cash.no_card"),
)
define(
    "dialog.pay.recorded",
    R,
    "The choice was recorded under a reference; the commune officer checks it.",
    P("code", T.CODE, "K7M2QX", "K7M2QX"),
)
define(
    "dialog.pay.opening_session",
    R,
    "On the list of the commune's next account-opening session, which is planned: when, where, "
    "with which bank, what to bring.",
    *SESSION,
    sms=True,
)
define(
    "dialog.pay.opening_listed",
    R,
    "On the list for the commune's next account-opening session; date told later; bring CCCD.",
    COMMUNE,
)
