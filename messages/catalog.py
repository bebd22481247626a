"""Gettext catalogs: compiling them and giving one translator per locale (never a global one).

The msgid of every message is its key (messages/keys.py). Commands:
  python -m messages.catalog compile   .po -> .mo (also done on first use when stale)
  python -m messages.catalog extract   write locales/ansinh.pot from the key registry
  python -m messages.catalog update    extract, then add new keys (empty) to every .po
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
_HEADER = (
    "# ansinh messages.\n"
    "# msgid: a message key (messages/keys.py); msgstr: its text, with {named} placeholders.\n"
    "# Vietnamese: polite and plain for elderly people (Ông/Bà).\n#"
)


def normalize_locale(locale: str | None) -> str:
    """One of LOCALES: 'en_US' and 'EN-gb' give 'en'; anything unknown gives Vietnamese."""
    language = (locale or "").replace("-", "_").split("_", 1)[0].strip().lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def po_path(locale: str, directory: Path = LOCALES_DIR) -> Path:
    """Where the .po file of `locale` lives."""
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


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
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
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
    """The translations for `locale` (falling back to Vietnamese)."""
    locale = normalize_locale(locale)
    po = po_path(locale)
    mo_path = po.with_suffix(".mo")
    if po.exists() and _is_stale(po, mo_path):
        compile_catalogs()
    if not mo_path.exists():
        return NullTranslations()
    with mo_path.open("rb") as handle:
        return GNUTranslations(handle)


def template() -> Catalog:
    """The .pot catalog built from the key registry, with each key's notes for translators."""
    from messages import keys  # the registry imports nothing from here; keep startup light

    pot = _new_catalog(None)
    for msgid in keys.msgids():
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


def extract(directory: Path = LOCALES_DIR) -> Path:
    """Write the .pot template from the registry."""
    path = directory / f"{DOMAIN}.pot"
    _write_catalog(path, template())
    return path


def update(directory: Path = LOCALES_DIR) -> list[Path]:
    """Extract, then merge the template into every .po: new keys appear with an empty msgstr."""
    pot = template()
    extract(directory)
    written = []
    for locale in LOCALES:
        path = po_path(locale, directory)
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
        paths = [extract()]
    elif argv == ["update"]:
        paths = update()
    else:
        print("usage: python -m messages.catalog compile|extract|update", file=sys.stderr)
        return 2
    verb = "compiled" if argv == ["compile"] else "wrote"
    for path in paths:
        print(f"{verb} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
