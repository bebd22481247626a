"""Problems the registry, imports, payments and places report to officers and people."""

from __future__ import annotations

from messages.keyspec import MessageClass, P, define
from messages.keyspec import ParamType as T

PROBLEM = MessageClass.PROBLEM
COLUMNS = ("ho_ten, doi_tuong", "ho_ten, doi_tuong, xa_phuong, cccd")
COMMUNE = ("Xã Đông Kinh", "Xã Hoàng Văn Thụ")

# imports
define("import.empty", PROBLEM, "The uploaded file is empty.")
define("import.encoding", PROBLEM, "The file's text encoding cannot be read (use UTF-8).")
define(
    "import.missing_columns",
    PROBLEM,
    "Required columns are missing from the header row.",
    P("columns", T.TEXT, *COLUMNS),
)
define("import.not_spreadsheet", PROBLEM, "The file is not a real XLSX spreadsheet.")
define("import.too_large", PROBLEM, "The spreadsheet is too large once unpacked.")
define("import.unknown_format", PROBLEM, "Only CSV and XLSX files can be imported.")
define("import.required", PROBLEM, "A required value is empty in this row.")
define("import.category_unknown", PROBLEM, "The category is neither BTXH nor NCC.")
define("import.gender_unknown", PROBLEM, "The gender is neither Nam nor Nữ.")
define("import.amount_invalid", PROBLEM, "The monthly amount is not a whole number of VND.")
define("import.method_unknown", PROBLEM, "The payment method is not one ansinh knows.")
define(
    "import.duplicate",
    PROBLEM,
    "The same CCCD already appears on an earlier line of this file.",
    P("line", T.INT),
)
define(
    "import.commune_unknown",
    PROBLEM,
    "The commune name matches no current or former commune.",
    P("commune", T.TEXT, *COMMUNE),
)
define(
    "import.area_ambiguous",
    PROBLEM,
    "Warning: a former commune was split; an officer must choose today's commune.",
    P("commune", T.TEXT, *COMMUNE),
)

# registry
define("registry.name_missing", PROBLEM, "A person needs a name.")
define("registry.amount_negative", PROBLEM, "A monthly amount cannot be negative.")
define("registry.address_invalid", PROBLEM, "A contact address must be tel:, telegram: or zalo:.")
define(
    "registry.beneficiary_not_found",
    PROBLEM,
    "No such beneficiary.",
    P("id", T.CODE, "12", "123456"),
)
define("registry.representation_dates", PROBLEM, "A representation ends before it starts.")
define(
    "registry.representation_not_found",
    PROBLEM,
    "No such representation.",
    P("id", T.CODE, "12", "123456"),
)
define(
    "registry.representation_not_pending",
    PROBLEM,
    "The representation was already decided.",
    P("status", T.CODE, "active", "revoked"),
)

# payment methods
define("payment.wallet_unknown", PROBLEM, "The mobile-money wallet is not one ansinh knows.")
define("payment.cash_with_account", PROBLEM, "Cash payment cannot carry an account number.")
define("payment.cash_reason_missing", PROBLEM, "Choosing cash needs a reason.")

# places
define(
    "places.service_point.kind",
    PROBLEM,
    "Unknown kind of service point.",
    P("kind", T.TEXT, "kiosk", "kiosk"),
    P("allowed", T.TEXT, "atm, post_office", "atm, bank_branch, post_office, withdrawal_point"),
)
define(
    "places.service_point.status",
    PROBLEM,
    "Unknown status of service point.",
    P("status", T.TEXT, "open", "open"),
    P("allowed", T.TEXT, "active, planned, closed", "active, planned, closed"),
)
define("places.service_point.name_missing", PROBLEM, "A service point needs a name.")
define("places.service_point.address_missing", PROBLEM, "A service point needs an address.")
define("places.coordinates.incomplete", PROBLEM, "Give both latitude and longitude, or neither.")
define(
    "places.coordinates.range",
    PROBLEM,
    "Coordinates out of range.",
    P("latitude", T.CODE, "95", "-95.123456"),
    P("longitude", T.CODE, "190", "-190.123456"),
)
define(
    "places.commune.not_found", PROBLEM, "No such commune.", P("commune_id", T.CODE, "7", "99999")
)
define(
    "places.organisation.not_found",
    PROBLEM,
    "No such organisation.",
    P("organisation_id", T.CODE, "7", "99999"),
)
