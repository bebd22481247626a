"""Rendering a message key for one person, in their locale, for one channel.

Catalog texts are plain text with named placeholders ("{amount}"). Per channel:
- telegram: HTML parse mode; every value and all catalog text escaped, money and codes bold;
  at most 4096 characters; choices as numbered lines and kept in `choices` for buttons.
- zalo, sandbox: plain text of at most 2000 characters; choices as numbered lines "1. ...".
- zns: a pre-approved template: `template_id` from `zns_templates[key]`, `template_data` the
  parameters as strings (money digits grouped without unit, dates dd/mm/yyyy).
- sms: the short variant "<key>.sms" when the catalog has one, in GSM-7 (no diacritics),
  with its segment count and encoding.
A message whose key is defined with `safety=True` gets the safety line (ZNS sends only the
parameters: its approved template carries the words). Truncation shortens the longest parameter
values first and keeps the catalog's words, the safety line and the choices whole.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from messages import keys
from messages.catalog import DEFAULT_LOCALE, normalize_locale
from messages.layout import fit, join, numbered
from messages.params import Value, format_value
from messages.sms import segments, to_sms_text
from messages.words import MissingTranslation, translate

CHANNELS = ("telegram", "zalo", "zns", "sms", "sandbox")
TELEGRAM_LIMIT = 4096
ZALO_LIMIT = 2000
_FORMATTER = string.Formatter()
_LIMITS = {"telegram": TELEGRAM_LIMIT, "zalo": ZALO_LIMIT, "sandbox": ZALO_LIMIT}


@dataclass(frozen=True, slots=True)
class Choice:
    """One numbered option of a menu ("1. Tài khoản ngân hàng"); `value` is what it answers."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for a channel adapter."""

    channel: str
    text: str
    choices: tuple[Choice, ...] = ()
    parse_mode: str | None = None  # "HTML" on Telegram
    request_contact: bool = False  # Telegram "share my phone number" button
    request_location: bool = False  # Telegram "share my location" button
    template_id: str | None = None  # ZNS
    template_data: Mapping[str, str] = field(default_factory=dict)  # ZNS
    segments: int = 1  # SMS parts
    encoding: str = "GSM-7"  # SMS: "GSM-7" or "UCS-2"
    key: str = ""  # the message key it was rendered from
    locale: str = DEFAULT_LOCALE  # the locale actually used


class MissingParam(KeyError):
    """A parameter the message declares was not given."""

    def __init__(self, key: str, name: str) -> None:
        super().__init__(name)
        self.key, self.name = key, name

    def __str__(self) -> str:
        return f"message {self.key!r} needs parameter {self.name!r}"


class InvalidParam(ValueError):
    """A parameter value that cannot be shown as its declared type."""

    def __init__(self, key: str, name: str, reason: str) -> None:
        super().__init__(f"message {key!r}, parameter {name!r}: {reason}")
        self.key, self.name = key, name


class NoZnsTemplate(LookupError):
    """A message sent through ZNS without a pre-approved template mapped to its key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no ZNS template is mapped to message {key!r}: add it to zns_templates")
        self.key = key


class UnknownChannel(ValueError):
    """A channel name render() does not know."""


def make_choices(
    options: Iterable[Choice | str], *, locale: str, sms: bool = False
) -> tuple[Choice, ...]:
    """Choices from option keys (translated; the key is the value) or ready Choice values."""
    return tuple(
        option
        if isinstance(option, Choice)
        else Choice(label=translate(option, locale=locale, sms=sms), value=option)
        for option in options
    )


def _values(
    entry: keys.MessageKey, params: Mapping[str, Any], locale: str, channel: str
) -> dict[str, Value]:
    values = {}
    for param in entry.params:
        if params.get(param.name) is None:
            raise MissingParam(entry.key, param.name)
        try:
            values[param.name] = format_value(param, params[param.name], locale, channel)
        except ValueError as error:
            raise InvalidParam(entry.key, param.name, str(error)) from error
    return values


def _fill(key: str, template: str, values: Mapping[str, Value]) -> list[Value]:
    """The catalog text with its placeholders replaced, as runs of plain or bold text."""
    runs = []
    try:
        for literal, name, spec, conversion in _FORMATTER.parse(template):
            if literal:
                runs.append(Value(literal))
            if name is None:
                continue
            if spec or conversion or name not in values:
                raise MissingTranslation(f"message {key!r}: bad placeholder {{{name}}}")
            runs.append(values[name])
    except ValueError as error:  # an unmatched brace
        raise MissingTranslation(f"message {key!r}: {error}") from None
    return runs


def _compose(
    key: str, params: Mapping[str, Any], locale: str, channel: str, choices: tuple[Choice, ...]
) -> tuple[list[Value], list[Value]]:
    """Body runs, and tail runs (safety line, numbered choices) that truncation never cuts."""
    entry = keys.get(key)
    sms = channel == "sms"
    values = _values(entry, params, locale, channel)
    body = _fill(key, translate(key, locale=locale, sms=sms), values)
    tail: list[Value] = []
    if entry.safety:
        tail.append(Value("\n" + translate("safety.line", locale=locale, sms=sms)))
    if choices:
        tail.append(Value(("\n" if sms else "\n\n") + numbered(c.label for c in choices)))
    return body, tail


def render(
    key: str,
    params: Mapping[str, Any],
    *,
    locale: str,
    channel: str,
    zns_templates: Mapping[str, str] | None = None,
    choices: Iterable[Choice | str] = (),
    request_contact: bool = False,
    request_location: bool = False,
) -> Rendered:
    """Render message `key` with `params` in `locale` for `channel`.

    `choices` are option keys (translated, SMS variants on SMS; the key is the answer value)
    or ready Choice values; they become numbered lines and stay in `Rendered.choices`.
    """
    if channel not in CHANNELS:
        raise UnknownChannel(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    locale = normalize_locale(locale)
    options = make_choices(choices, locale=locale, sms=channel == "sms")
    if channel == "zns":
        return _render_zns(key, params, locale, zns_templates or {}, options)
    body, tail = _compose(key, params, locale, channel, options)
    if channel == "sms":
        text = to_sms_text(join(body + tail))
        info = segments(text)
        return Rendered(
            "sms",
            text,
            options,
            segments=info.segments,
            encoding=info.encoding,
            key=key,
            locale=locale,
        )
    markup = channel == "telegram"
    return Rendered(
        channel,
        fit(body + tail, _LIMITS[channel], markup=markup),
        options,
        parse_mode="HTML" if markup else None,
        request_contact=request_contact,
        request_location=request_location,
        key=key,
        locale=locale,
    )


def _render_zns(
    key: str,
    params: Mapping[str, Any],
    locale: str,
    templates: Mapping[str, str],
    options: tuple[Choice, ...],
) -> Rendered:
    """A pre-approved template: its id and its parameters as strings."""
    template_id = templates.get(key)
    if not template_id:
        raise NoZnsTemplate(key)
    values = _values(keys.get(key), params, locale, "zns")
    data = {name: value.text for name, value in values.items()}
    text = render_text(key, params, locale=locale)  # for the record; the template has the words
    return Rendered(
        "zns", text, options, template_id=template_id, template_data=data, key=key, locale=locale
    )


def render_text(
    key: str, params: Mapping[str, Any], *, locale: str, choices: Iterable[Choice | str] = ()
) -> str:
    """Plain text of message `key` (CLI, API): no markup, no length limit."""
    locale = normalize_locale(locale)
    body, tail = _compose(key, params, locale, "text", make_choices(choices, locale=locale))
    return join(body + tail)


__all__ = [
    "CHANNELS",
    "Choice",
    "InvalidParam",
    "MissingParam",
    "MissingTranslation",
    "NoZnsTemplate",
    "Rendered",
    "UnknownChannel",
    "make_choices",
    "render",
    "render_text",
    "translate",
]
