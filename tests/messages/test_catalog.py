"""The catalogs against the key registry: complete in both languages, placeholders declared."""

from __future__ import annotations

import ast
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from messages import catalog, keys
from messages.keyspec import MessageClass, ParamType

MESSAGES_DIR = Path(catalog.__file__).parent


def _po(locale: str) -> Catalog:
    return catalog.read_locale(locale)


def _texts(locale: str) -> dict[str, str]:
    """msgid -> msgstr of the translated, non-fuzzy messages of `locale`."""
    texts = {}
    for message in _po(locale):
        msgid, text = message.id, message.string
        if (
            msgid
            and isinstance(msgid, str)
            and text
            and isinstance(text, str)
            and not message.fuzzy
        ):
            texts[msgid] = text
    return texts


def _placeholders(text: str) -> set[str]:
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            assert not spec and not conversion, f"plain placeholders only: {text!r}"
            assert name.isidentifier(), f"bad placeholder {name!r} in {text!r}"
            names.add(name)
    return names


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_every_key_is_translated(locale: str) -> None:
    texts = _texts(locale)
    missing = [msgid for msgid in keys.msgids() if msgid not in texts]
    assert not missing, f"{locale}: no translation (or fuzzy) for {missing}"


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_catalog_holds_only_registered_keys(locale: str) -> None:
    extra = {m.id for m in _po(locale) if m.id} - set(keys.msgids())
    assert not extra, f"{locale}: msgids not in the registry (or .sms without sms=True): {extra}"


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_placeholders_are_declared(locale: str) -> None:
    for msgid, text in _texts(locale).items():
        entry = keys.get(msgid.removesuffix(".sms"))
        used = _placeholders(text)
        assert used <= entry.param_names, f"{locale}: {msgid} uses {used - entry.param_names}"
        if not msgid.endswith(".sms"):  # a full text says everything it is given
            assert used == entry.param_names, f"{locale}: {msgid} omits a parameter"


@pytest.mark.parametrize("locale", catalog.LOCALES)
def test_texts_avoid_characters_that_break_sms(locale: str) -> None:
    for msgid, text in _texts(locale).items():
        assert "\u00a0" not in text and "₫" not in text, msgid


def test_vietnamese_addresses_people_politely() -> None:
    texts = _texts("vi")
    for entry in keys.of_class(MessageClass.NOTICE, MessageClass.REPLY, MessageClass.PROBLEM):
        words = texts[entry.key].lower().split()
        assert "bạn" not in words, f"{entry.key}: use Ông/Bà, not 'bạn'"


def test_every_message_with_money_carries_the_safety_line() -> None:
    for entry in keys.REGISTRY.values():
        if any(p.type is ParamType.MONEY for p in entry.params):
            assert entry.safety, f"{entry.key} mentions money: define it with safety=True"


@pytest.mark.parametrize("part", catalog.PARTS)
def test_template_is_up_to_date(part: str) -> None:
    shipped = catalog.read_catalog(catalog.LOCALES_DIR / f"{part}.pot")
    fresh = catalog.template(part)
    assert [m.id for m in shipped if m.id] == [m.id for m in fresh if m.id], (
        "run: python -m messages.catalog update"
    )
    for message in fresh:
        old = shipped.get(message.id) if message.id else None
        if old is not None:  # comments come back wrapped: compare the words
            assert " ".join(old.auto_comments) == " ".join(message.auto_comments), message.id


def test_compile_writes_a_translator(tmp_path: Path) -> None:
    for locale in catalog.LOCALES:
        for part in catalog.PARTS:
            target = catalog.po_path(locale, tmp_path, part)
            target.parent.mkdir(parents=True, exist_ok=True)
            if catalog.po_path(locale, part=part).exists():
                shutil.copyfile(catalog.po_path(locale, part=part), target)
    written = catalog.compile_catalogs(tmp_path)
    assert {p.parent.parent.name for p in written} == set(catalog.LOCALES)
    assert catalog.compile_catalogs(tmp_path) == []  # up to date: nothing to do
    assert catalog.main(["compile"]) == 0
    assert catalog.main(["nonsense"]) == 2


def test_update_adds_new_keys_with_empty_text(tmp_path: Path) -> None:
    catalog.update(tmp_path)
    for locale in catalog.LOCALES:
        po = catalog.read_locale(locale, tmp_path)
        assert {m.id for m in po if m.id} == set(keys.msgids())
    assert (tmp_path / "ansinh.pot").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [("vi", "vi"), ("en", "en"), ("en_US", "en"), ("EN-gb", "en"), ("fr", "vi"), ("", "vi")],
)
def test_normalize_locale(given: str, expected: str) -> None:
    assert catalog.normalize_locale(given) == expected


def test_messages_import_nothing_from_other_layers() -> None:
    forbidden = ("models", "bot", "api", "scheduler", "cli")
    for path in MESSAGES_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
            if isinstance(node, ast.Attribute):  # no process-wide locale or gettext install
                assert node.attr not in ("setlocale", "install"), f"{path.name}: {node.attr}"
