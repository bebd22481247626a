"""Gettext catalogs: compiling them and giving one translator per locale (never a global one).

The msgid of every message is its key (messages/keys.py). Keys are kept in parts, one .po file
each, so the words of different areas can be written side by side: a key `dialog.…` lives in
dialog.po, `admin.…` in admin.po, every other key in ansinh.po. Commands:
  python -m messages.catalog compile   .po -> .mo (also done on first use when stale)
  python -m messages.catalog extract   write locales/ansinh.pot from the key registry
  python -m messages.catalog update [PART…]   extract, then add new keys (empty) to the .po files
"""

from __future__ import annotations

import os
import sys
import tempfile
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "ansinh"
LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
POT_PATH = LOCALES_DIR / f"{DOMAIN}.pot"
PARTS = (DOMAIN, "dialog", "admin")
_HEADER = (
    "# ansinh messages.\n"
    "# msgid: a message key (messages/keys.py); msgstr: its text, with {named} placeholders.\n"
    "# Vietnamese: polite and plain for elderly people (Ông/Bà).\n#"
)


def normalize_locale(locale: str | None) -> str:
    """One of LOCALES: 'en_US' and 'EN-gb' give 'en'; anything unknown gives Vietnamese."""
    language = (locale or "").replace("-", "_").split("_", 1)[0].strip().lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def part_of(msgid: str) -> str:
    """The catalog part a key lives in: its first segment when that names a part."""
    first = msgid.split(".", 1)[0]
    return first if first in PARTS else DOMAIN


def po_path(locale: str, directory: Path = LOCALES_DIR, part: str = DOMAIN) -> Path:
    """Where the .po file of `locale` (and `part`) lives."""
    return directory / locale / "LC_MESSAGES" / f"{part}.po"


def read_locale(locale: str, directory: Path = LOCALES_DIR) -> Catalog:
    """Every part of `locale` merged into one catalog (for checks and tools)."""
    merged = _new_catalog(locale)
    for part in PARTS:
        path = po_path(locale, directory, part)
        if path.exists():
            for message in read_catalog(path, locale):
                if message.id:
                    merged[message.id] = message
    return merged


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A .po or .pot file as a Babel catalog."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write_atomically(path: Path, data: bytes) -> None:
    # Several processes (tests, workers) may compile at once: readers never see half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_catalogs(directory: Path = LOCALES_DIR) -> list[Path]:
    """Compile every .po file into its .mo file when the .po is newer."""
    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not _is_stale(po, mo):
            continue
        catalog = read_catalog(po, locale=po.parent.parent.name)
        buffer = _Buffer()
        write_mo(buffer, catalog, use_fuzzy=False)
        _write_atomically(mo, bytes(buffer))
        written.append(mo)
    return written


class _Buffer(bytearray):
    """A bytes sink for write_mo."""

    def write(self, data: bytes) -> int:
        self.extend(data)
        return len(data)


@lru_cache(maxsize=8)
def translator(locale: str) -> NullTranslations:
    """The translations for `locale`: every part, chained (falling back to Vietnamese)."""
    locale = normalize_locale(locale)
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    if any(_is_stale(po, po.with_suffix(".mo")) for po in folder.glob("*.po")):
        compile_catalogs()
    chain: NullTranslations | None = None
    for part in PARTS:
        mo_path = folder / f"{part}.mo"
        if not mo_path.exists():
            continue
        with mo_path.open("rb") as handle:
            translations = GNUTranslations(handle)
        if chain is None:
            chain = translations
        else:
            chain.add_fallback(translations)
    return chain or NullTranslations()


def template(part: str | None = None) -> Catalog:
    """The .pot catalog (of one part, or all) from the key registry, with translators' notes."""
    from messages import keys  # the registry imports nothing from here; keep startup light

    pot = _new_catalog(None)
    for msgid in keys.msgids():
        if part is not None and part_of(msgid) != part:
            continue
        entry = keys.get(msgid.removesuffix(".sms"))
        notes = [f"{entry.cls.value}: {entry.doc}"]
        if msgid.endswith(".sms"):
            notes.append("Short SMS variant: one SMS (160 letters without accents) at most.")
        if entry.params:
            names = ", ".join(f"{{{p.name}}} {p.type}" for p in entry.params)
            notes.append(f"Placeholders: {names}")
        pot.add(msgid, auto_comments=notes)
    return pot


def _new_catalog(locale: str | None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        header_comment=_HEADER,
        project="ansinh",
        version="1",
        copyright_holder="ansinh",
        msgid_bugs_address="-",
        last_translator="ansinh",
        language_team="ansinh",
        fuzzy=False,
    )


def _write_catalog(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = _Buffer()
    write_po(buffer, catalog, width=0, no_location=True, omit_header=False)  # no wrapping
    _write_atomically(path, bytes(buffer))


def extract(directory: Path = LOCALES_DIR, parts: tuple[str, ...] = PARTS) -> list[Path]:
    """Write one .pot template per part from the registry."""
    paths = []
    for part in parts:
        path = directory / f"{part}.pot"
        _write_catalog(path, template(part))
        paths.append(path)
    return paths


def update(directory: Path = LOCALES_DIR, parts: tuple[str, ...] = PARTS) -> list[Path]:
    """Extract, then merge each template into its .po files: new keys come with empty text."""
    extract(directory, parts)
    written = []
    for part in parts:
        pot = template(part)
        for locale in LOCALES:
            path = po_path(locale, directory, part)
            catalog = read_catalog(path, locale) if path.exists() else _new_catalog(locale)
            catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
            catalog.obsolete.clear()  # a key removed from the registry leaves the catalogs
            _write_catalog(path, catalog)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    """The command line: compile | extract | update."""
    if argv == ["compile"]:
        paths = compile_catalogs()
    elif argv == ["extract"]:
        paths = extract()
    elif argv[:1] == ["update"] and set(argv[1:]) <= set(PARTS):
        paths = update(parts=tuple(argv[1:]) or PARTS)
    else:
        print("usage: python -m messages.catalog compile|extract|update [PART…]", file=sys.stderr)
        return 2
    verb = "compiled" if argv == ["compile"] else "wrote"
    for path in paths:
        print(f"{verb} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
