"""Rendering a message key for one person, in their locale, for one channel.

(Interface fixed here; the catalog-backed implementation lands with the delivery work.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


def render(
    key: str,
    params: Mapping[str, Any],
    *,
    locale: str,
    channel: str,
    zns_templates: Mapping[str, str] | None = None,
) -> Rendered:
    """Render message `key` with `params` in `locale` for `channel`."""
    raise NotImplementedError("messages.render.render is implemented by the delivery work")
