"""Senses: trigger words used in a sense that is no political event.

"Federer beat Agassi", "stocks plunged", "a storm battered the coast": the words
are event words, the sense is sport, markets or weather. The cues are data
(``data/senses.yaml``); :func:`rejected` says why a trigger is not an event.
"""

from __future__ import annotations

from spacy.tokens import Token

from .patterns import Pattern


def rejected(token: Token, pattern: Pattern) -> str | None:
    """Why ``token`` does not say a political event here, or None if it may."""
    return None
