"""List the coder's errors on a split of the gold corpus, one by one, for error analysis.

``bench/evaluate.py`` counts errors; this prints them, with the sentence and tocsin's
``explain`` (which pattern or model fired, the parse path, how the sides were found), so a
rule is written for a class of errors seen on train rather than for one sentence. It reads
only the train and dev splits: the test split is for the closing score (docs/annotation.md §1).

Kinds:
    missed     gold events tocsin did not code (gold type and trigger words)
    spurious   events tocsin coded that match no gold event
    type       matched events of another type
    actor      type-matched events whose actor disagrees (missing, wrong or spurious country)
    recipient  the same for the recipient
    modality   type-matched events whose modality disagrees
    asserted   type-matched events whose asserted_by (who says so) disagrees

Usage:
    python bench/errors.py recipient --split train
    python bench/errors.py missed --split dev --type ASSAULT --limit 20
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evaluate

KINDS = ("missed", "spurious", "type", "actor", "recipient", "modality", "asserted")


def _country(side: dict[str, Any] | None) -> str | None:
    return side.get("country") if side else None


def errors(
    story: dict[str, Any], events: list[Any], shaped: list[Any], raw: str, kind: str
) -> Iterator[tuple[str, str]]:
    """(event type, what to print) for each error of ``kind`` in one coded gold story."""
    gold = story["events"]
    pairs = evaluate.match(gold, shaped)
    matched_gold, matched_pred = {i for i, _ in pairs}, {j for _, j in pairs}
    if kind == "missed":
        for i, g in enumerate(gold):
            if i not in matched_gold:
                (t0, t1), (s0, s1) = g["trigger"], g["sentence"]
                alone = "" if any(evaluate._same_sentence(g, p) for p in shaped) else " (nothing coded in the sentence)"
                yield g["event_type"], f"'{raw[t0:t1]}'{alone}\n    {raw[s0:s1]}"
        return
    if kind == "spurious":
        for j, e in enumerate(events):
            if j not in matched_pred:
                yield e.event_type, f"'{e.trigger}'\n    {e.sentence}\n    {e.explain}"
        return
    for i, j in pairs:
        g, p, e = gold[i], shaped[j], events[j]
        told = f"'{e.trigger}'\n    {e.sentence}\n    {e.explain}"
        if kind == "type":
            if g["event_type"] != p["event_type"]:
                yield g["event_type"], f"coded {p['event_type']} {told}"
        elif g["event_type"] != p["event_type"]:
            continue
        elif kind == "modality" and g["modality"] != p["modality"]:
            yield g["event_type"], f"gold {g['modality']} coded {p['modality']} {told}"
        elif kind == "asserted" and not evaluate._asserter_ok(g["asserted_by"], p["asserted_by"]):
            yield g["event_type"], f"gold {_country(g['asserted_by'])} coded {_country(p['asserted_by'])} {told}"
        elif kind in ("actor", "recipient") and not evaluate.side_ok(g[kind], p[kind]):
            want, got = _country(g[kind]), _country(p[kind])
            what = "missing" if want and not got else "spurious" if got and not want else "wrong"
            yield g["event_type"], f"{what}: gold {want} coded {got} {told}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--split", choices=("train", "dev"), default="train")
    parser.add_argument("--type", help="only gold events of this PLOVER type (coded type for spurious)")
    parser.add_argument("--limit", type=int, default=50, help="print at most this many (default %(default)s)")
    parser.add_argument("--coder", choices=["rules", "learned", "both"], help="trigger coder (default: both)")
    args = parser.parse_args(argv)
    from tocsin.settings import Settings

    records, settings = evaluate.raw_stories(), Settings.from_env(coder=args.coder)
    counts: Counter[str] = Counter()
    for story in (s for s in evaluate.read_gold() if s["split"] == args.split):
        events, shaped = evaluate.code_gold_story(story, records, settings)
        for event_type, told in errors(story, events, shaped, records[story["story_id"]]["text"], args.kind):
            if args.type and event_type != args.type.upper():
                continue
            if sum(counts.values()) < args.limit:
                print(f"-- {story['story_id']} {event_type} {told}")
            counts[event_type] += 1
    print(f"\n{sum(counts.values())} {args.kind} on {args.split}, by type: {dict(counts.most_common())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
