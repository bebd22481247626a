"""Looking up the catalog text of a key in a locale, with the Vietnamese fallback."""

from __future__ import annotations

from messages import keys
from messages.catalog import DEFAULT_LOCALE, normalize_locale, translator


class MissingTranslation(LookupError):
    """A key with no text in the catalogs (not even Vietnamese), or a broken catalog text."""


def translate(key: str, *, locale: str, sms: bool = False) -> str:
    """The catalog text of `key` (its SMS variant first when `sms`), falling back to Vietnamese."""
    keys.get(key)
    for loc in dict.fromkeys((normalize_locale(locale), DEFAULT_LOCALE)):
        catalog = translator(loc)
        for msgid in (f"{key}.sms", key) if sms else (key,):
            text = catalog.gettext(msgid)
            if text != msgid:
                return text
    raise MissingTranslation(f"message {key!r} has no translation: add it to the .po files")
