"""Reminders to commune and province officers."""

from __future__ import annotations

from messages.defs.notices import COMMUNE
from messages.keyspec import MessageClass, P, define
from messages.keyspec import ParamType as T

OFFICER = MessageClass.OFFICER

define(
    "officer.payment_list_due",
    OFFICER,
    "The commune's monthly payment list (new, removed, changed) must reach the paying "
    "organisation before a date (the 15th).",
    COMMUNE,
    P("period", T.PERIOD),
    P("due", T.DATE, "2026-11-15", "2026-12-15"),
)
define(
    "officer.report_due",
    OFFICER,
    "The commune's monthly payment report is due before a date (the 15th).",
    COMMUNE,
    P("period", T.PERIOD),
    P("due", T.DATE, "2026-11-15", "2026-12-15"),
)
