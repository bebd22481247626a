"""Gettext catalogs: compiling them and giving one translator per locale (never a global one)."""

from __future__ import annotations

import sys
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "ansinh"
LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"


def compile_catalogs(directory: Path = LOCALES_DIR) -> list[Path]:
    """Compile every .po file into its .mo file when the .po is newer."""
    written = []
    for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


@lru_cache(maxsize=8)
def translator(locale: str) -> NullTranslations:
    """The translations for `locale` (falling back to Vietnamese)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    mo_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo_path.exists():
        compile_catalogs()
    if not mo_path.exists():
        return NullTranslations()
    with mo_path.open("rb") as handle:
        return GNUTranslations(handle)


if __name__ == "__main__":
    if sys.argv[1:] == ["compile"]:
        for path in compile_catalogs():
            print(f"compiled {path}")
    else:
        print("usage: python -m messages.catalog compile", file=sys.stderr)
        sys.exit(2)
