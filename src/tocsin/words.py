"""The closed word lists the rules read, from ``data/words.yaml``.

Light verbs, reporting verbs, the governors that make an act intended, demanded or
denied, and the like: English words, kept as data so that a linguist extends them
without touching the rules. Event patterns are not here; they are in
:mod:`tocsin.patterns`.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml


@functools.cache
def _lists() -> dict[str, frozenset[str]]:
    text = (resources.files("tocsin") / "data" / "words.yaml").read_text(encoding="utf-8")
    return {name: frozenset(str(w).lower() for w in values) for name, values in yaml.safe_load(text).items()}


def words(name: str) -> frozenset[str]:
    """The word list ``name`` of ``data/words.yaml`` (lower-case lemmas).

    Raises:
        KeyError: no such list (a programming error, not a user's).
    """
    return _lists()[name]
