"""The README shows the two commands and documents every setting."""

from __future__ import annotations

from pathlib import Path

from models.settings_doc import END, START, settings_table

README = Path(__file__).parent.parent / "README.md"


def test_readme_opens_with_the_two_commands() -> None:
    head = "\n".join(README.read_text(encoding="utf-8").splitlines()[:40])
    assert "make run" in head and "make test" in head


def test_every_setting_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == settings_table(), "run: .venv/bin/python -m models.settings_doc"
