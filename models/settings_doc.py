"""The README's settings table, generated from the settings object so it never drifts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import SecretStr

from models.settings import Settings

START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        value: object = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if isinstance(value, SecretStr):
        return "(development key)"
    if value in (None, [], {}):
        return ""
    return f"`{value}`"


def settings_table() -> str:
    """A Markdown table of every setting: variable, default, meaning."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        meaning = (field.description or "").replace("|", "\\|")
        lines.append(f"| `ANSINH_{name.upper()}` | {_default(name)} | {meaning} |")
    return "\n".join(lines)


def update_readme(path: Path) -> bool:
    """Rewrite the table between the markers; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{settings_table()}\n{END}"
    new = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README settings table updated" if changed else "README settings table up to date")
