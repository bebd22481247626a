"""Which channel reaches a person: the routing policy, as plain functions over addresses."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

# ContactAddress.reachability values. A phone that is not on Zalo still takes SMS.
UNKNOWN = "unknown"
REACHABLE = "reachable"
UNREACHABLE = "unreachable"
NO_ZALO = "no_zalo"

MESSAGE_CLASSES = ("reply", "notice", "officer", "campaign")
PRIORITY = {"reply": 0, "notice": 1, "officer": 1, "campaign": 2}
PRIORITIES = tuple(sorted(set(PRIORITY.values())))

_SCHEMES = {"tel": "sms", "telegram": "telegram", "zalo": "zalo", "sandbox": "sandbox"}
# SMS always works and costs most: it comes after every other route.
_SMS_LAST = 1


class Contact(Protocol):
    """What routing needs to know of a ContactAddress."""

    @property
    def address(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def reachability(self) -> str: ...
    @property
    def opted_out_at(self) -> object: ...


@dataclass(frozen=True, slots=True)
class Route:
    """One way to send one message: an adapter name and an address."""

    channel: str
    address: str


def channel_for_address(address: str) -> str:
    """The channel an address is written on: 'tel:+84…' -> 'sms', 'telegram:1' -> 'telegram'."""
    scheme = address.split(":", 1)[0]
    try:
        return _SCHEMES[scheme]
    except KeyError:
        raise ValueError(f"unknown address scheme {scheme!r}") from None


def uses_zns(key: str, message_class: str, zns_templates: Mapping[str, str]) -> bool:
    """ZNS needs an approved template for the key; replies never go through it."""
    return message_class != "reply" and key in zns_templates


def _routes_of(contact: Contact, zns: bool) -> Iterable[tuple[int, Route]]:
    if contact.reachability == UNREACHABLE:
        return
    channel = channel_for_address(contact.address)
    if channel != "sms":
        yield 0, Route(channel, contact.address)
        return
    if zns and contact.reachability != NO_ZALO:
        yield 0, Route("zns", contact.address)
    yield _SMS_LAST, Route("sms", contact.address)


def routes(
    contacts: Iterable[Contact],
    *,
    key: str,
    message_class: str,
    zns_templates: Mapping[str, str],
    tried: Collection[Route] = (),
) -> list[Route]:
    """Every route for a message, best first: chat and ZNS by address priority, then SMS."""
    zns = uses_zns(key, message_class, zns_templates)
    ranked: list[tuple[int, int, int, Route]] = []
    for order, contact in enumerate(contacts):
        if message_class == "campaign" and contact.opted_out_at is not None:
            continue
        for rank, route in _routes_of(contact, zns):
            if route not in tried:
                ranked.append((rank, contact.priority, order, route))
    ranked.sort(key=lambda item: item[:3])
    return [route for *_, route in ranked]
