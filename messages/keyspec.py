"""Building blocks of the message registry: classes, parameter types, `define`.

Definitions live in messages/defs/; `messages.keys` imports them all and is what callers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any


class MessageClass(StrEnum):
    """What a message is for, which decides how and when it may be sent."""

    REPLY = "reply"  # an answer in a conversation
    NOTICE = "notice"  # a transactional notice to a beneficiary or proxy
    CAMPAIGN = "campaign"  # awareness campaign (advertising rules apply to SMS)
    OFFICER = "officer"  # a reminder to an officer
    PROBLEM = "problem"  # what is wrong with something a person typed (parsers' Problem keys)
    LABEL = "label"  # a fragment used inside other messages or as a menu option


class ParamType(StrEnum):
    """How a parameter value is given and shown."""

    MONEY = "money"  # int VND -> "500.000 đ" / "500,000 VND"
    DATE = "date"  # date, aware datetime or ISO string -> "dd/mm/yyyy" (Asia/Ho_Chi_Minh)
    TIME = "time"  # time, aware datetime or "HH:MM" -> "08:00"
    PERIOD = "period"  # "YYYY-MM", "MM/YYYY" or a date -> "11/2026"
    TEXT = "text"  # free text given by a person or an officer: always escaped for HTML
    INT = "int"  # a count -> locale grouping
    YEAR = "year"  # a year -> digits, never grouped
    CODE = "code"  # machine-made code or number shown as is (verification code, prefix)
    ACCOUNT = "account"  # an account number: only its last 4 digits are ever shown
    LABEL = "label"  # the key of a LABEL message, translated; other text is shown as TEXT
    LIST = "list"  # a list of texts -> "a, b, c"


@dataclass(frozen=True, slots=True)
class Param:
    """One named parameter; `sample` is typical, `worst` the longest realistic value."""

    name: str
    type: ParamType
    sample: Any
    worst: Any


@dataclass(frozen=True, slots=True)
class MessageKey:
    """A registered message."""

    key: str
    cls: MessageClass
    doc: str  # what the message says and when it is sent (shown to translators)
    params: tuple[Param, ...] = ()
    sms: bool = False  # the catalog has a short variant "<key>.sms"
    safety: bool = False  # rendered with the safety line (every message that mentions money)

    @property
    def param_names(self) -> frozenset[str]:
        """The names of the declared parameters."""
        return frozenset(p.name for p in self.params)


class UnknownMessage(KeyError):
    """A message key that is not in the registry."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"unknown message key {self.key!r}: define it in a module of messages/defs/"


_DEFAULTS: dict[ParamType, tuple[Any, Any]] = {
    ParamType.MONEY: (500_000, 12_345_678),
    ParamType.DATE: (date(2026, 11, 10), date(2026, 12, 28)),
    ParamType.TIME: (time(8, 0), time(14, 30)),
    ParamType.PERIOD: ("2026-11", "2026-12"),
    ParamType.INT: (5, 999),
    ParamType.YEAR: (1950, 1950),
    ParamType.CODE: ("482913", "48291375"),
    ParamType.ACCOUNT: ("1234567890123", "1234567890123456789"),
    ParamType.LIST: (("Vietcombank", "VietinBank"), ("Vietcombank", "VietinBank", "Vietbank")),
}

REGISTRY: dict[str, MessageKey] = {}


def P(name: str, type_: ParamType, sample: Any = None, worst: Any = None) -> Param:
    """A parameter; sample and worst default by type (TEXT and LABEL must give them)."""
    default = _DEFAULTS.get(type_)
    if sample is None:
        if default is None:
            raise ValueError(f"parameter {name!r} of type {type_} needs a sample")
        sample = default[0]
    if worst is None:
        worst = default[1] if default and sample == default[0] else sample
    return Param(name, type_, sample, worst)


def define(
    key: str, cls: MessageClass, doc: str, *params: Param, sms: bool = False, safety: bool = False
) -> MessageKey:
    """Register one message key (once)."""
    if key in REGISTRY:
        raise ValueError(f"message key {key!r} defined twice")
    if key.endswith(".sms"):
        raise ValueError(f"{key!r}: '.sms' is reserved for short SMS variants")
    REGISTRY[key] = entry = MessageKey(key, cls, doc, tuple(params), sms, safety)
    return entry
