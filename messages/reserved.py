"""Reserved outbox parameters: a conversation reply's options and share buttons.

A reply is queued as a key and parameters like any message; its numbered options and
Telegram's share buttons travel in parameters whose names start with "_", which no message
declares. The dispatcher (and the sandbox) turn them back into render()'s arguments:
- "_choices": a list of {"key": <label message key>, "value": v} (translated at render time,
  SMS variant on SMS) or {"label": <ready text>, "value": v} (a commune, a bank, a name);
- "_request_contact", "_request_location": true for Telegram's share buttons (the option whose
  value is "share_contact" / "share_location" becomes that button);
- "_parts": the replies of one turn that fit one message together travel as one, key
  `JOINED`, whose "_parts" are their keys and parameters, rendered one under the other
  (`join_replies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypedDict

from messages.render import TELEGRAM_LIMIT, ZALO_LIMIT, Choice, Rendered, render
from messages.sms import segments
from messages.words import translate

CHOICES = "_choices"
REQUEST_CONTACT = "_request_contact"
REQUEST_LOCATION = "_request_location"
PARTS = "_parts"
JOINED = "reply.joined"  # the key of one SMS carrying several replies of a turn


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


# Between the replies one message carries: a line on SMS, a blank line on messengers.
_SEPARATOR = {"sms": "\n", "telegram": "\n\n", "zalo": "\n\n", "sandbox": "\n\n"}
_LIMIT = {"telegram": TELEGRAM_LIMIT, "zalo": ZALO_LIMIT, "sandbox": ZALO_LIMIT}


def render_queued(
    key: str,
    params: Mapping[str, Any],
    *,
    locale: str,
    channel: str,
    zns_templates: Mapping[str, str] | None = None,
) -> Rendered:
    """A queued message (key and parameters, reserved ones included) as its channel shows it."""
    if key == JOINED:
        parts = [
            render_queued(part["key"], part["params"], locale=locale, channel=channel)
            for part in params[PARTS]
        ]
        text = _SEPARATOR.get(channel, "\n").join(part.text for part in parts)
        info = segments(text)
        return replace(
            parts[-1], text=text, segments=info.segments, encoding=info.encoding, key=key
        )
    own, extras = unpack(params, locale=locale, channel=channel)
    return render(key, own, locale=locale, channel=channel, zns_templates=zns_templates, **extras)


def _fits(text: str, channel: str) -> bool:
    if channel == "sms":
        info = segments(text)
        return info.segments == 1 and info.encoding == "GSM-7"
    return len(text) <= _LIMIT[channel]


def _ends_a_message(params: Mapping[str, Any]) -> bool:
    """Options and share buttons belong to the message's end: nothing is joined after them."""
    return bool(params.get(CHOICES) or params.get(REQUEST_CONTACT) or params.get(REQUEST_LOCATION))


def join_replies(
    messages: Sequence[tuple[str, Mapping[str, Any]]], *, locale: str, channel: str
) -> list[tuple[str, dict[str, Any]]]:
    """Consecutive replies (key, parameters) of one turn that fit one message of `channel`
    together become one `JOINED` message: an answer and the menu after it, a status and its
    payments, "not understood" and the question again. One SMS is paid for instead of two;
    a messenger shows one message instead of a string of them. Replies with options or share
    buttons end a message. Channels other than SMS, Telegram, Zalo and the sandbox: as they are.
    """
    if channel not in _SEPARATOR:
        return [(key, dict(params)) for key, params in messages]
    joined: list[tuple[str, dict[str, Any]]] = []
    group: list[tuple[str, Mapping[str, Any]]] = []
    text = ""

    def close() -> None:
        if len(group) == 1:
            joined.append((group[0][0], dict(group[0][1])))
        elif group:
            parts = [{"key": key, "params": dict(params)} for key, params in group]
            joined.append((JOINED, {PARTS: parts}))
        group.clear()

    for key, params in messages:
        alone = render_queued(key, params, locale=locale, channel=channel).text
        together = f"{text}{_SEPARATOR[channel]}{alone}" if group else alone
        if group and (_ends_a_message(group[-1][1]) or not _fits(together, channel)):
            close()
            together = alone
        group.append((key, params))
        text = together
    close()
    return joined


def part_keys(key: str, params: Mapping[str, Any]) -> list[str]:
    """The keys of the replies a queued message carries (one, or a joined message's parts)."""
    if key == JOINED:
        return [str(part["key"]) for part in params[PARTS]]
    return [key]
