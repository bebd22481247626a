"""The conversation's informative replies: status, ATMs, help, my data (keys `dialog.`)."""

from __future__ import annotations

from messages.defs.dialog import (
    ACCOUNT,
    COMMUNE,
    METHOD,
    NAME,
    POINT,
    PROGRESS,
    REF,
    SESSION,
    STATE,
)
from messages.keyspec import MessageClass, P, define
from messages.keyspec import ParamType as T

R = MessageClass.REPLY
_DATE = P("date", T.DATE)

# --- status ------------------------------------------------------------------------------------
define(
    "dialog.status.method_account_state",
    R,
    "Status: the record's state, the method with its masked account and its progress.",
    STATE,
    METHOD,
    ACCOUNT,
    PROGRESS,
)
define(
    "dialog.status.method_state",
    R,
    "Status: the record's state, a method without account (cash) and its progress.",
    STATE,
    METHOD,
    PROGRESS,
)
define(
    "dialog.status.opening_session_state",
    R,
    "Status: the record's state; no account yet, expected at the commune's account-opening "
    "session: when, where, what to bring.",
    STATE,
    *SESSION,
    sms=True,
)
define(
    "dialog.status.opening_waiting_state",
    R,
    "Status: the record's state; no account yet, on the list for the commune's next "
    "account-opening session, not planned yet.",
    STATE,
)
define(
    "dialog.status.no_method_state",
    R,
    "Status: the record's state; no method chosen yet (DK to choose).",
    STATE,
)
define(
    "dialog.status.method_account",
    R,
    "My data: the method with its masked account and progress.",
    METHOD,
    ACCOUNT,
    PROGRESS,
)
define(
    "dialog.status.method",
    R,
    "My data: a method without account and its progress.",
    METHOD,
    PROGRESS,
)
define("dialog.status.no_method", R, "My data: no method chosen yet.")
define(
    "dialog.status.no_payment",
    R,
    "No payment recorded yet; the next is made before this date (the 15th).",
    _DATE,
)
define(
    "dialog.status.payment",
    R,
    "One payment: month, amount, state (a dialog.paid.* label).",
    P("period", T.PERIOD),
    P("amount", T.MONEY),
    P("state", T.LABEL, "dialog.paid.paid", "dialog.paid.failed"),
    safety=True,
)
define("dialog.status.next", R, "The next payment is made before this date.", _DATE)
define("dialog.status.not_registered", R, "No record known for this person yet: DK to register.")
define(
    "dialog.status.withdrawn",
    R,
    "After consent was withdrawn here: the record is not shown; still paid; DK to agree again.",
)
define(
    "dialog.status.registration",
    R,
    "A registration request sent on a date waits for the commune officer's check.",
    REF,
    _DATE,
)
# --- ATMs and payment points -------------------------------------------------------------------
define("dialog.atm.ask", R, "Where to look for ATMs: my commune, another, my location; or a name.")
define("dialog.atm.ask_commune", R, "Ask the commune's name (with an example).")
define("dialog.atm.point", R, "One point: kind, operator, address, opening hours.", *POINT)
define(
    "dialog.atm.near",
    R,
    "One point near the person: kind, operator, distance (km, one decimal), address, hours.",
    *POINT,
    P("km", T.TEXT, "1,2", "123,4"),
)
define("dialog.atm.none", R, "No ATM or payment point recorded in this commune.", COMMUNE)
define(
    "dialog.atm.no_atm_here",
    R,
    "No ATM in this commune: the nearest one (operator, distance, address, hours); the "
    "commune's other places to get money follow.",
    COMMUNE,
    *POINT[1:],
    P("km", T.TEXT, "1,2", "123,4"),
    sms=True,
)
define(
    "dialog.atm.no_atm_at_all",
    R,
    "No ATM in this commune and none known near it: its other places to get money follow.",
    COMMUNE,
)
define("dialog.atm.none_near", R, "No ATM or payment point found near the location shared.")
# --- help --------------------------------------------------------------------------------------
_HELP = {
    "help.ask_question": "Ask the person to write their question for the commune officer.",
    "help.question_empty": "The question is too short: write a little more.",
    "faq.what": "What this is: the province pays allowances into accounts; the amount is the same.",
    "faq.why_account": "Why an account: on time (before the 15th), no waiting, safer than cash.",
    "faq.contact": "Whom to call: the commune People's Committee, social policy officer.",
}
for _key, _doc in _HELP.items():
    define(f"dialog.{_key}", R, _doc)
define("dialog.help.topics", R, "The numbered questions; 0 goes back, MENU to the start.", sms=True)
define(
    "dialog.faq.safe", R, "Is it safe: trust only this channel; the account is yours.", safety=True
)
define(
    "dialog.faq.fees",
    R,
    "Fees: registering and receiving are free; banks asked to waive.",
    safety=True,
)
define(
    "dialog.faq.contact_commune",
    R,
    "Whom to call: this commune office, social policy officer.",
    P("office", T.TEXT, "UBND Xã Hoàng Văn Thụ", "UBND Phường Lương Văn Tri"),
)
define(
    "dialog.faq.contact_phone",
    R,
    "Whom to call: this commune office at this number.",
    P("office", T.TEXT, "UBND Xã Hoàng Văn Thụ", "UBND Phường Lương Văn Tri"),
    P("phone", T.TEXT, "0205 3812 345", "0205 3812 345"),
)
define(
    "dialog.help.question_received",
    R,
    "The question went to the commune officer; an answer comes by this date (2 working days).",
    _DATE,
)
# --- my data -----------------------------------------------------------------------------------
_MYDATA = {
    "mydata.ask": "My data: the options follow.",
    "mydata.no_consent": "No consent is in force.",
    "mydata.nothing": "No personal data is held about this person.",
    "mydata.withdraw_confirm": "Withdrawing consent stops using data here; still paid. Sure?",
    "mydata.withdrawn": "Consent withdrawn: nothing personal will be asked any more.",
    "mydata.ask_correction": "Ask what should be corrected (with an example).",
    "mydata.delete_confirm": "Before a deletion request: it goes to the officer. Send it?",
    "mydata.ask_deletion": "Ask why the data should be deleted (a reason is not required).",
}
for _key, _doc in _MYDATA.items():
    define(f"dialog.{_key}", R, _doc)
define(
    "dialog.mydata.person",
    R,
    "Held data: masked name, birth year, commune.",
    NAME,
    P("year", T.TEXT, "1950", "-"),
    COMMUNE,
)
define(
    "dialog.mydata.ids",
    R,
    "Held data: masked CCCD and phone numbers.",
    P("cccd", T.TEXT, "020******345", "020******345"),
    P("phones", T.LIST, ("091****678",), ("091****678", "098****321")),
)
define(
    "dialog.mydata.registration",
    R,
    "Held data of a registration request: reference, masked name and CCCD.",
    REF,
    NAME,
    P("cccd", T.TEXT, "020******345", "020******345"),
)
define(
    "dialog.mydata.consent",
    R,
    "A consent in force: its date and purpose (a dialog.purpose.* label).",
    _DATE,
    P("purpose", T.LABEL, "dialog.purpose.processing", "dialog.purpose.bank_sharing"),
)
define(
    "dialog.mydata.request_received",
    R,
    "A data request was received: acknowledged by one date, completed by another.",
    P("ack", T.DATE),
    P("due", T.DATE),
)
