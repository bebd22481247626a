"""Turning one parameter value into the text a person reads, by its declared type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from messages import formats, keys
from messages.keyspec import MessageClass, Param, ParamType
from messages.words import translate


@dataclass(frozen=True, slots=True)
class Value:
    """A run of text; `strong` ones (money, codes) are bold where markup exists."""

    text: str
    strong: bool = False
    cuttable: bool = False  # a parameter value: what is shortened when a message is too long


def _text(value: Any) -> str:
    if not isinstance(value, str | int):
        raise formats.FormatError(f"a text is expected, got {type(value).__name__}")
    return str(value).strip()


def _list(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return ", ".join(_text(item) for item in value)


def _label(value: Any, locale: str, sms: bool) -> str:
    """A LABEL key translated; any other text (an officer's own words) as it is."""
    entry = keys.REGISTRY.get(value) if isinstance(value, str) else None
    if entry is not None and entry.cls is MessageClass.LABEL:
        return translate(value, locale=locale, sms=sms)
    return _text(value)


_PLAIN: dict[ParamType, Callable[[Any], str]] = {
    ParamType.DATE: formats.format_date,
    ParamType.TIME: formats.format_time,
    ParamType.PERIOD: formats.format_period,
    ParamType.YEAR: formats.format_year,
    ParamType.ACCOUNT: formats.mask_account,
    ParamType.TEXT: _text,
    ParamType.LIST: _list,
}


def format_value(param: Param, value: Any, locale: str, channel: str) -> Value:
    """The text of `value` for parameter `param` (ZNS gets money without its unit)."""
    return replace(_format(param, value, locale, channel), cuttable=True)


def _format(param: Param, value: Any, locale: str, channel: str) -> Value:
    kind = param.type
    if kind is ParamType.MONEY:
        if channel == "zns":
            return Value(formats.format_number(value, locale), strong=True)
        return Value(formats.format_money(value, locale), strong=True)
    if kind is ParamType.INT:
        return Value(formats.format_number(value, locale))
    if kind is ParamType.CODE:
        return Value(_text(value), strong=True)
    if kind is ParamType.LABEL:
        return Value(_label(value, locale, channel == "sms"))
    return Value(_PLAIN[kind](value))
