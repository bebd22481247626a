"""Joining runs of text, with or without HTML, and fitting them within a length limit."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from messages.params import Value

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts, and never less than the characters."""
    return len(text.encode("utf-16-le")) // 2


def _piece(text: str, strong: bool, markup: bool) -> str:
    if not markup:
        return text
    escaped = html.escape(text, quote=False)
    return f"<b>{escaped}</b>" if strong and escaped else escaped


def _size(run: Value, markup: bool) -> int:
    return utf16_len(_piece(run.text, run.strong, markup))


def join(runs: Iterable[Value], *, markup: bool = False) -> str:
    """The runs as one text; with `markup`, HTML-escaped and strong runs in <b>."""
    return "".join(_piece(run.text, run.strong, markup) for run in runs)


def numbered(labels: Iterable[str]) -> str:
    """'1. Có\\n2. Không'."""
    return "\n".join(f"{number}. {label}" for number, label in enumerate(labels, 1))


def _shorten(run: Value, budget: int, markup: bool) -> Value:
    """`run` cut so that it ends with '…' and takes at most `budget` units (never mid-entity)."""
    room = budget - (_size(Value("x" + ELLIPSIS, run.strong), markup) - 1)  # tags and '…'
    kept: list[str] = []
    for ch in run.text:
        room -= utf16_len(_piece(ch, False, markup))
        if room < 0:
            break
        kept.append(ch)
    return Value("".join(kept).rstrip() + ELLIPSIS, run.strong, cuttable=False)


def fit(runs: Sequence[Value], limit: int, *, markup: bool) -> str:
    """The runs within `limit` UTF-16 units: the longest parameter values are cut first."""
    # The catalog's words, the safety line and the choices are only cut if they alone overflow.
    runs = list(runs)
    while (total := sum(_size(run, markup) for run in runs)) > limit:
        cuttable = [i for i, run in enumerate(runs) if run.cuttable and run.text]
        if not cuttable:
            return _hard_cut(runs, limit, markup)
        index = max(cuttable, key=lambda i: _size(runs[i], markup))
        budget = max(_size(runs[index], markup) - (total - limit), 0)
        runs[index] = _shorten(runs[index], budget, markup)
    return join(runs, markup=markup)


def _hard_cut(runs: list[Value], limit: int, markup: bool) -> str:
    """Keep whole runs while they fit, then as much of the next as fits, then '…'."""
    out: list[Value] = []
    used = 0
    for run in runs:
        if used + _size(run, markup) + len(ELLIPSIS) > limit:
            out.append(_shorten(run, limit - used, markup))
            break
        out.append(run)
        used += _size(run, markup)
    return join(out, markup=markup)
