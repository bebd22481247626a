"""Reserved outbox parameters: a conversation reply's options and share buttons.

A reply is queued as a key and parameters like any message; its numbered options and
Telegram's share buttons travel in parameters whose names start with "_", which no message
declares. The dispatcher (and the sandbox) turn them back into render()'s arguments:
- "_choices": a list of {"key": <label message key>, "value": v} (translated at render time,
  SMS variant on SMS) or {"label": <ready text>, "value": v} (a commune, a bank, a name);
- "_request_contact", "_request_location": true for Telegram's share buttons (the option whose
  value is "share_contact" / "share_location" becomes that button).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from messages.render import Choice
from messages.words import translate

CHOICES = "_choices"
REQUEST_CONTACT = "_request_contact"
REQUEST_LOCATION = "_request_location"


class RenderExtras(TypedDict):
    """The render() keyword arguments carried by reserved parameters."""

    choices: tuple[Choice, ...]
    request_contact: bool
    request_location: bool


def pack(
    params: Mapping[str, Any],
    *,
    choices: Sequence[Mapping[str, str]] = (),
    request_contact: bool = False,
    request_location: bool = False,
) -> dict[str, Any]:
    """The parameters with the reserved ones added (only those that are set)."""
    packed = dict(params)
    if choices:
        packed[CHOICES] = [dict(choice) for choice in choices]
    if request_contact:
        packed[REQUEST_CONTACT] = True
    if request_location:
        packed[REQUEST_LOCATION] = True
    return packed


def _choice(option: Any, locale: str, sms: bool) -> Choice:
    if isinstance(option, str):  # a bare label key answers with itself
        return Choice(translate(option, locale=locale, sms=sms), option)
    value = str(option.get("value", ""))
    if option.get("key"):
        return Choice(translate(str(option["key"]), locale=locale, sms=sms), value or option["key"])
    return Choice(str(option.get("label") or value), value)


def unpack(
    params: Mapping[str, Any], *, locale: str, channel: str
) -> tuple[dict[str, Any], RenderExtras]:
    """(the message's own parameters, render()'s choices / request_contact / request_location)."""
    own = {name: value for name, value in params.items() if not name.startswith("_")}
    sms = channel == "sms"
    choices = tuple(_choice(option, locale, sms) for option in params.get(CHOICES) or ())
    extras = RenderExtras(
        choices=choices,
        request_contact=bool(params.get(REQUEST_CONTACT)),
        request_location=bool(params.get(REQUEST_LOCATION)),
    )
    return own, extras
