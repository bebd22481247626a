"""Parameters for rendering every key: typical ones and the longest realistic ones."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from messages import keys
from messages.keyspec import ParamType


def label_options(sample: str) -> list[str]:
    """Every LABEL key of the family of `sample` ('payment.reason.x' -> all payment.reason.*)."""
    prefix = sample.rsplit(".", 1)[0] + "."
    return [k for k, m in keys.REGISTRY.items() if k.startswith(prefix) and m.cls == "label"]


def worst_params(key: str) -> Iterator[Mapping[str, Any]]:
    """The worst-case parameters of `key`, once for every combination of its label values."""
    base = dict(keys.sample_params(key, worst=True))
    families = [
        [(p.name, option) for option in label_options(p.sample)]
        for p in keys.get(key).params
        if p.type is ParamType.LABEL
    ]
    for combination in itertools.product(*families):
        yield {**base, **dict(combination)}
