"""What is wrong with an identifier a person typed: the keys of the parsers' Problem values."""

from __future__ import annotations

from messages.keyspec import MessageClass, P, define
from messages.keyspec import ParamType as T

PROBLEM = MessageClass.PROBLEM

define("id.cccd.empty", PROBLEM, "No citizen-ID (CCCD) number was given.")
define("id.cccd.not_digits", PROBLEM, "The CCCD number has characters that are not digits.")
define(
    "id.cccd.length", PROBLEM, "The CCCD number has the wrong number of digits.", P("got", T.INT)
)
define(
    "id.cccd.cmnd_given",
    PROBLEM,
    "A 9-digit old ID (CMND) was given; it stopped being valid on 31/12/2024.",
)
define(
    "id.cccd.province",
    PROBLEM,
    "The first three digits are not a province code.",
    P("prefix", T.CODE, "099", "099"),
)
define("id.cccd.century", PROBLEM, "The 4th digit (century and gender) is impossible.")
define("id.cccd.birth_year_future", PROBLEM, "The birth year in the CCCD number is in the future.")
define(
    "id.cccd.birth_year_mismatch",
    PROBLEM,
    "Warning: the birth year in the CCCD number differs from the record.",
    P("card_year", T.YEAR),
)
define("id.cccd.gender_mismatch", PROBLEM, "Warning: the CCCD's gender differs from the record.")
define("id.cmnd.invalid", PROBLEM, "An old ID (CMND) number that is not 9 digits.")
define("id.phone.empty", PROBLEM, "No phone number was given.")
define("id.phone.invalid", PROBLEM, "The phone number cannot be read or is not valid.")
define("id.phone.not_mobile", PROBLEM, "The phone number is valid but not a mobile number.")
define("id.phone.foreign", PROBLEM, "The phone number is not Vietnamese.")
define(
    "id.phone.old_format",
    PROBLEM,
    "A pre-2018 11-digit number: ask whether the new 10-digit number is right.",
    P("suggestion", T.CODE, "0321234567", "0321234567"),
)
define("id.bank.unknown", PROBLEM, "No bank matches the name given.")
define(
    "id.bank.ambiguous",
    PROBLEM,
    "Several banks match the name given: list them and ask to choose.",
    P("options", T.LIST),
)
define("id.account.invalid", PROBLEM, "An account number must have 6 to 19 digits.")
define("id.date.invalid", PROBLEM, "A date that cannot be read; dd/mm/yyyy is expected.")
