"""Event-type accuracy against the PLOVER gold records in ../shared/data/plover-gsr.

Scoring follows that folder's PROVENANCE.md: per sentence, the set of event types
coded is compared with the one gold type (old names mapped: DEMAND → REQUEST,
DISAPPROVE → ACCUSE, INVESTIGATE → ACCUSE, FIGHT → ASSAULT).

* precision = coded types that are the gold type / all coded types
* recall    = sentences whose gold type was coded / all sentences
* micro F1 over all sentences; macro F1 = mean of per-type F1
* on sentences where the gold type was coded: actor country accuracy = the coded
  actor's country is among the gold source codes (likewise recipient / target;
  gold "IGO" matches any international-organisation code tocsin gives).

Two views are printed: **factual** events only (modality actual or claimed: what
the gold standard codes, one event per sentence) and **all** events (also those
merely demanded, intended, conditional, hypothetical or denied, which the gold
records do not code separately). The factual view is the headline number.

Usage: python bench/accuracy.py [--gold PATH] [--json] [--coder rules|learned|both]

The learned coder is trained on these very records (bench/train.py): its figures here
are in-sample, not a held-out measure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from tocsin.ontology import TYPE_ALIASES, load_ontology
from tocsin.pipeline import code_many
from tocsin.records import Event, Story
from tocsin.settings import Settings

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "plover-gsr" / "gsr.jsonl"
FACTUAL = {"actual", "claimed"}


def gold_codes(value: object) -> set[str]:
    """The country codes of a gold source/target list."""
    if not isinstance(value, list):
        return set()
    return {str(a.get("code")) for a in value if isinstance(a, dict) and a.get("code")}


def country_matches(coded: str | None, gold: set[str], igo_codes: set[str]) -> bool:
    """A coded country matches gold codes; gold 'IGO' matches any IGO code."""
    if coded is None:
        return False
    return coded in gold or ("IGO" in gold and coded in igo_codes)


def score(records: list[dict], events_by_story: dict[str, list[Event]], keep: set[str] | None) -> dict:
    """Precision, recall, F1 (micro and per type) and actor/recipient accuracy."""
    from tocsin.kb import load_kb

    igo_codes = {e.country for entries in load_kb().names.values() for e in entries if e.kind == "igo" and e.country}
    tp: Counter[str] = Counter()
    coded_n: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    actor_hits = actor_total = recip_hits = recip_total = 0
    for record in records:
        gold = TYPE_ALIASES.get(record["event"], record["event"])
        events = [e for e in events_by_story.get(record["id"], []) if keep is None or e.modality in keep]
        types = {e.event_type for e in events}
        gold_n[gold] += 1
        for t in types:
            coded_n[t] += 1
            if t == gold:
                tp[t] += 1
            else:
                confusion[gold][t] += 1
        if not types:
            confusion[gold]["(none)"] += 1
        if gold in types:
            hit = [e for e in events if e.event_type == gold]
            sources, targets = gold_codes(record.get("source")), gold_codes(record.get("target"))
            if sources:
                actor_total += 1
                actor_hits += any(
                    country_matches(e.actor.country if e.actor else None, sources, igo_codes) for e in hit
                )
            if targets:
                recip_total += 1
                recip_hits += any(
                    country_matches(e.recipient.country if e.recipient else None, targets, igo_codes) for e in hit
                )
    precision = sum(tp.values()) / max(sum(coded_n.values()), 1)
    recall = sum(tp.values()) / max(sum(gold_n.values()), 1)
    per_type = {}
    for t in sorted(set(gold_n) | set(coded_n)):
        p = tp[t] / coded_n[t] if coded_n[t] else 0.0
        r = tp[t] / gold_n[t] if gold_n[t] else 0.0
        per_type[t] = {
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "gold": gold_n[t],
            "coded": coded_n[t],
        }
    gold_types = [t for t in per_type if gold_n[t]]
    return {
        "sentences": len(records),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "macro_f1": sum(per_type[t]["f1"] for t in gold_types) / max(len(gold_types), 1),
        "actor_country_accuracy": actor_hits / max(actor_total, 1),
        "actor_scored": actor_total,
        "recipient_country_accuracy": recip_hits / max(recip_total, 1),
        "recipient_scored": recip_total,
        "per_type": per_type,
        "confusion": {g: dict(c.most_common(4)) for g, c in confusion.items()},
    }


def code_gold(path: Path, coder: str | None = None) -> tuple[list[dict], dict[str, list[Event]]]:
    """Read the gold file and code every sentence with tocsin (``coder``, else TOCSIN_CODER, else rules)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    stories = [Story(id=r["id"], text=r["text"]) for r in records]
    events: dict[str, list[Event]] = defaultdict(list)
    for event in code_many(stories, Settings.from_env(coder=coder)):
        events[event.story_id].append(event)
    return records, events


def show(name: str, result: dict) -> None:
    print(f"\n== {name}: {result['sentences']} sentences")
    print(
        f"micro  P {result['precision']:.3f}  R {result['recall']:.3f}  F1 {result['f1']:.3f}   "
        f"macro F1 {result['macro_f1']:.3f}"
    )
    print(
        f"actor country accuracy {result['actor_country_accuracy']:.3f} (n={result['actor_scored']}), "
        f"recipient country accuracy {result['recipient_country_accuracy']:.3f} (n={result['recipient_scored']})"
    )
    print(f"{'type':<10} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'coded':>6}")
    for t, s in sorted(result["per_type"].items(), key=lambda kv: kv[1]["f1"]):
        print(f"{t:<10} {s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f} {s['gold']:5d} {s['coded']:6d}")
    worst = sorted(
        (t for t in result["per_type"] if result["per_type"][t]["gold"]), key=lambda t: result["per_type"][t]["f1"]
    )[:5]
    print("confusion for the worst types (gold -> coded instead):")
    for t in worst:
        print(f"  {t:<10} {result['confusion'].get(t, {})}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--coder", choices=["rules", "learned", "both"], help="trigger coder (default: TOCSIN_CODER, else both)"
    )
    args = parser.parse_args()
    if not args.gold.exists():
        print(f"no gold file at {args.gold}", file=sys.stderr)
        return 1
    load_ontology()
    records, events = code_gold(args.gold, args.coder)
    results = {"factual": score(records, events, FACTUAL), "all": score(records, events, None)}
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        show("factual events (actual or claimed)", results["factual"])
        show("all events", results["all"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
