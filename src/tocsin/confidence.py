"""Confidence: how likely a coded event is right, as a calibrated probability.

A logistic model over what the coder knows about each event (how its trigger was
found, whether its sides resolved to countries, how it is reported) is fitted on the
gold corpus's train split by ``bench/calibrate.py`` and shipped as
``data/confidence.json``. On held-out stories, events scored 0.6 are right about
60% of the time, so one threshold trades precision for recall.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources

from .ontology import load_ontology
from .records import Event

_MODALITIES = ("actual", "claimed", "intended", "demanded", "conditional", "hypothetical")


def features(event: Event) -> dict[str, float]:
    """The event's features by name (all 0/1 except the sides' resolution confidences)."""
    explain = event.explain or ""
    out = {
        "bias": 1.0,
        "noun": float(" noun " in explain),
        "phrase": float(len(event.trigger.split()) > 1),
        "learned": float("by model" in explain),
        "derived": float("derived" in explain),
        "actor": float(event.actor is not None),
        "actor_country": float(event.actor is not None and event.actor.country is not None),
        "actor_confidence": event.actor.confidence if event.actor else 0.0,
        "recipient": float(event.recipient is not None and event.recipient.end > event.recipient.start),
        "recipient_country": float(event.recipient is not None and event.recipient.country is not None),
        "recipient_inferred": float("inferred" in explain),
        "asserted": float(event.asserted_by is not None),
        "quote": float(event.quote),
        "negated": float(event.polarity == "negated"),
    }
    out.update({f"modality={m}": float(event.modality == m) for m in _MODALITIES})
    out.update({f"type={t}": float(event.event_type == t) for t in load_ontology().types})
    return out


@functools.cache
def _weights() -> dict[str, float]:
    path = resources.files("tocsin") / "data" / "confidence.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["weights"])


def calibrated(event: Event) -> float:
    """The probability, by the shipped model, that ``event`` is a right event of its type."""
    weights = _weights()
    z = sum(weights.get(name, 0.0) * value for name, value in features(event).items())
    return round(1.0 / (1.0 + math.exp(-z)), 2)
