"""The registry of every message key: its class, its parameters and their types.

A key is the gettext msgid; the catalogs (messages/locales) hold its words. To add a message:
`define(...)` it in a module of messages/defs/ (imported below), run
`python -m messages.catalog update`, then write its msgstr in every .po file.
A key defined with `sms=True` also has a short variant `<key>.sms`, preferred on SMS.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from messages.defs import (
    admin,
    admin_payments,
    dialog,
    dialog_info,
    dialog_labels,
    labels,
    notices,
    officers,
    problems,
    registry,
    replies,
)
from messages.keyspec import (
    REGISTRY,
    MessageClass,
    MessageKey,
    Param,
    ParamType,
    UnknownMessage,
)

__all__ = [
    "REGISTRY",
    "MessageClass",
    "MessageKey",
    "Param",
    "ParamType",
    "UnknownMessage",
    "get",
    "msgids",
    "of_class",
    "sample_params",
]

# imported for their definitions
_DEFINITIONS = (
    admin,
    admin_payments,
    dialog,
    dialog_info,
    dialog_labels,
    labels,
    notices,
    officers,
    problems,
    registry,
    replies,
)


def get(key: str) -> MessageKey:
    """The registered message `key` (UnknownMessage if there is none)."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise UnknownMessage(key) from None


def of_class(*classes: MessageClass) -> list[MessageKey]:
    """Every registered message of one of `classes`, sorted by key."""
    return sorted((m for m in REGISTRY.values() if m.cls in classes), key=lambda m: m.key)


def msgids() -> Iterator[str]:
    """Every msgid the catalogs must translate: keys and their SMS variants, sorted."""
    for key in sorted(REGISTRY):
        yield key
        if REGISTRY[key].sms:
            yield f"{key}.sms"


def sample_params(key: str, *, worst: bool = False) -> Mapping[str, Any]:
    """Example parameters for `key`: typical ones, or the longest realistic ones."""
    return {p.name: (p.worst if worst else p.sample) for p in get(key).params}
