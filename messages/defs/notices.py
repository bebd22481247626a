"""Transactional notices to beneficiaries and proxies, and the campaign wrapper."""

from __future__ import annotations

from messages.keyspec import MessageClass, P, define
from messages.keyspec import ParamType as T

NOTICE = MessageClass.NOTICE

_COMMUNE = P("commune", T.TEXT, "Xã Hoàng Văn Thụ", "Phường Lương Văn Tri")
_PLACE = P("place", T.TEXT, "UBND xã Hoàng Văn Thụ", "Nhà văn hóa thôn Khuổi Phầy")
_BANK = P("bank", T.TEXT, "Agribank", "Vietcombank")
_SESSION = (
    P("date", T.DATE),
    P("time", T.TIME),
    _PLACE,
    _BANK,
    P("documents", T.TEXT, "CCCD", "CCCD gắn chip và điện thoại"),
)

define(
    "notice.payment_credited",
    NOTICE,
    "The monthly allowance was paid into the person's account.",
    P("amount", T.MONEY),
    P("period", T.PERIOD),
    P("account", T.ACCOUNT),
    P("date", T.DATE),
    sms=True,
    safety=True,
)
define(
    "notice.payment_failed",
    NOTICE,
    "The monthly allowance could not be paid: why (a payment.reason.* label) and what to do "
    "(a payment.action.* label).",
    P("period", T.PERIOD),
    P("reason", T.LABEL, "payment.reason.account_closed", "payment.reason.name_mismatch"),
    P("action", T.LABEL, "payment.action.visit_commune", "payment.action.send_account"),
    sms=True,
    safety=True,
)
define(
    "notice.cash_payout",
    NOTICE,
    "The allowance will be paid in cash on a date at a place.",
    P("date", T.DATE),
    _PLACE,
    P("amount", T.MONEY),
    sms=True,
    safety=True,
)
define(
    "notice.method_confirmed",
    NOTICE,
    "The chosen payment method (a method.* label) was recorded under a reference code.",
    P("method", T.LABEL, "method.bank_account", "method.social_security_account"),
    P("code", T.CODE, "HS-1234", "HS-20261234"),
    sms=True,
    safety=True,
)
define(
    "notice.account_session_invitation",
    NOTICE,
    "Invitation to an account-opening session held by bank staff at the commune office.",
    *_SESSION,
    sms=True,
)
define(
    "notice.account_session_reminder",
    NOTICE,
    "Reminder of an account-opening session (sent the day before).",
    *_SESSION,
    sms=True,
)
define(
    "notice.account_opened",
    NOTICE,
    "The person's account was opened; allowances will be paid into it.",
    _BANK,
    P("account", T.ACCOUNT),
    sms=True,
    safety=True,
)
define(
    "notice.atm_new",
    NOTICE,
    "A new ATM opened in the person's commune.",
    P("operator", T.TEXT, "Agribank", "Vietcombank"),
    P("address", T.TEXT, "Thôn Bản Cắm, xã Hoàng Văn Thụ", "Số 2 Lê Lợi, Phường Lương Văn Tri"),
    sms=True,
    safety=True,
)
define(
    "notice.registration_received",
    NOTICE,
    "A registration (payment method, ID, phone) was received and awaits the commune's check.",
    sms=True,
)
define(
    "notice.registration_approved",
    NOTICE,
    "A registration was approved by the commune office.",
    sms=True,
)
define(
    "notice.registration_rejected",
    NOTICE,
    "A registration was not approved: why (a registration.reason.* label, or an officer's text).",
    P("reason", T.LABEL, "registration.reason.id_mismatch", "registration.reason.proxy_unverified"),
    sms=True,
)
define(
    "notice.proxy_expiring",
    NOTICE,
    "To a proxy: the authority to collect for a beneficiary ends on a date.",
    P("beneficiary", T.TEXT, "Nông Văn Lâm", "Hoàng Thị Phương Thảo"),
    P("date", T.DATE),
    sms=True,
    safety=True,
)
define(
    "notice.verification_code",
    NOTICE,
    "A code that proves the person holds this phone number; valid for some minutes.",
    P("code", T.CODE),
    P("minutes", T.INT, 10, 30),
    sms=True,
)
define(
    "notice.safety_reminder",
    NOTICE,
    "Safety reminder: never share a PIN, OTP or password; the office never asks for a fee.",
    sms=True,
)
define(
    "campaign.text",
    MessageClass.CAMPAIGN,
    "An awareness campaign written by an officer, with how to stop receiving campaigns.",
    P("text", T.TEXT, "Từ tháng 7, trợ cấp được chuyển qua tài khoản. Mời Ông/Bà đăng ký."),
    sms=True,
)

COMMUNE = _COMMUNE  # shared with the officer reminders
