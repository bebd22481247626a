"""The admin API's words for payment lists, campaigns, account-opening sessions, service points
and reports (problems an officer or the paying bank reads in an answer).
"""

from __future__ import annotations

from messages.keyspec import MessageClass, P, Param, define
from messages.keyspec import ParamType as T

PROBLEM = MessageClass.PROBLEM
_ID = P("id", T.CODE, "12", "123456")
_STATUS = P("status", T.CODE, "draft", "results_imported")
_EXPECTED = P("expected", T.CODE, "submitted", "approved, exported, results_imported")
_PERIOD = P("period", T.TEXT, "2026-11", "2026-13")


def _problem(key: str, doc: str, *params: Param) -> None:
    define(f"admin.{key}", PROBLEM, doc, *params)


# --- monthly payment lists ---------------------------------------------------------------
_problem("pay.period_invalid", "A month must be written YYYY-MM (2026-11).", _PERIOD)
_problem("pay.list_not_found", "No such payment list (or it is outside the caller's areas).", _ID)
_problem(
    "pay.list_locked",
    "The month's list of this commune was already submitted: it cannot be generated again.",
    _PERIOD,
)
_problem("pay.wrong_status", "The list is not at the step this action needs.", _STATUS, _EXPECTED)
_problem("pay.list_empty", "The list has no lines: there is nothing to submit.")
_problem("pay.same_officer", "A list is approved by another officer than the one who made it.")
_problem("pay.cash_details_incomplete", "Give both the date and the place of the cash payout.")
_problem(
    "pay.cash_date_past",
    "The cash payout date has already passed.",
    P("date", T.CODE, "2026-11-10", "2026-11-10"),
)
_problem(
    "pay.results_missing",
    "Some lines have no result yet from the payer: the list cannot be reconciled.",
    P("count", T.INT),
)
_problem("pay.result.unknown", "The result is neither paid nor failed.")
_problem("pay.result.line_unknown", "No line of an exported list matches this row.")
_problem("pay.result.not_exported", "This line's list was not sent to the payer.")
_problem("pay.result.amount_mismatch", "The amount differs from the amount on the list.")
_problem("pay.result.already_paid", "This line was already reported paid; it cannot fail now.")
_problem(
    "pay.result.cut_off",
    "The file ends inside this line (it has no line break after it, or is cut short): it was "
    "not applied. Upload the whole file again.",
    P("line", T.CODE, "41", "2001"),
)
_problem("pay.result.date_invalid", "The payment date cannot be read: write it dd/mm/yyyy.")
_problem("pay.result.amount_invalid", "The amount is not a whole number of dong.")
_problem(
    "pay.result.file_cut_off",
    "The spreadsheet cannot be opened: it looks cut off. Nothing was applied; upload the whole "
    "file again.",
)

# --- campaigns ---------------------------------------------------------------------------
_problem("campaign.text_missing", "A campaign needs a title and a Vietnamese text.")
_problem(
    "campaign.filter_unknown",
    "An audience filter has a value that is not allowed.",
    P("field", T.CODE, "channel", "category"),
    P("allowed", T.TEXT, "sms, telegram, zalo", "bank_account, mobile_money, cash_point"),
)
_problem("campaign.not_found", "No such campaign.", _ID)
_problem(
    "campaign.wrong_status",
    "The campaign is not at the step this action needs.",
    P("status", T.CODE, "running", "cancelled"),
    P("expected", T.CODE, "draft", "draft, approved, scheduled"),
)
_problem("campaign.same_officer", "A campaign is approved by another officer than its author.")
_problem("campaign.needs_approval", "This campaign must be approved by a second officer first.")

# --- account-opening sessions ------------------------------------------------------------
_problem("session.bank_missing", "A session needs a known bank (a bank code or organisation).")
_problem("session.times", "A session ends after it starts.")
_problem("session.place_missing", "A session needs a place and the documents to bring.")
_problem("session.not_found", "No such account-opening session.", _ID)
_problem(
    "session.not_planned",
    "The session was already held or cancelled.",
    P("status", T.CODE, "held", "cancelled"),
)
_problem("session.attendee_not_found", "This beneficiary is not invited to the session.", _ID)
_problem("session.account_recorded", "An account was already recorded for this person.")
_problem("session.account_without_attendance", "An account is opened only for someone who came.")

# --- service points ----------------------------------------------------------------------
_problem("point.not_found", "No such service point.", _ID)
_problem("point.not_active_atm", "Only an active ATM is announced to the commune.")

# --- reports and reminders ---------------------------------------------------------------
_problem("report.format_unknown", "Files are CSV or XLSX.", P("format", T.CODE, "pdf", "docx"))
_problem("report.already_submitted", "The commune's report for this month was submitted.", _PERIOD)
_problem("report.contact_not_found", "No such reminder address of yours.", _ID)
_problem(
    "report.locale_unknown",
    "Reminders are in Vietnamese (vi) or English (en).",
    P("locale", T.CODE, "fr", "zh"),
)
