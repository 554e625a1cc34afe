"""One scorer for every gold set tocsin holds, field by field.

1. The gold corpus (``bench/gold/events.jsonl``, labelled to ``docs/annotation.md``): every
   event of 109 real stories. tocsin codes each story; events are matched one to one within a
   sentence, preferring overlapping triggers, then the same type (a predicted event in the
   gold event's sentence with the same type matches even when its trigger words differ,
   since "held talks" and "talks" are one event). Then, per split and overall:

   * detection: P/R/F1 of matched events, whatever their type;
   * type: a match with the same type;  type + actor: and the actor's country agrees;
     type + actor + recipient: and the recipient's too (two missing sides agree, a side
     one has and the other lacks does not; with no gold country, the KB id or a missing
     country must agree);
   * on type matches: modality, polarity and ``asserted_by`` (country) accuracy; date exact,
     and within the gold precision (same week / month / season / year); place country;
     recipient coverage (of gold events whose recipient the text names, how many get a
     recipient country, and how many the right one);
   * document-level type macro F1 (the set of types per story), comparable in kind with
     NGEC's published 0.52 on its VOA holdout (not the same stories);
   * a per-type table, a confusion table, and the 20 most frequent error kinds.
2. The PLOVER gold records in ``../shared/data/plover-gsr`` (``bench/accuracy.py``'s scoring).
3. The quotation and coreference labels in ``bench/labels`` (``bench/actors.py``'s scoring).

The test split is scored only with ``--split test`` or ``--split all``: it is scored once at
the end of a piece of coder work, never while choosing rules (docs/annotation.md §1).

Usage:
    python bench/evaluate.py                       # train and dev, PLOVER records, labels
    python bench/evaluate.py --split all --json bench/gold/scores.json
    python bench/evaluate.py --agreement           # the two annotation passes against each other
    python bench/evaluate.py --corpus-only --coder both   # rules with the learned back-off
    python bench/evaluate.py --corpus-only --stories "$(tail -n 22 bench/gold/stories.csv | cut -d, -f1 | paste -sd,)"
                                                   # the fourth draw's 22 train stories alone
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLD_DIR = HERE / "gold"
EVENTS = GOLD_DIR / "events.jsonl"
AGREEMENT = GOLD_DIR / "agreement.jsonl"
DATA = HERE.parents[1] / "shared" / "data"
SPLITS = ("train", "dev", "test")

Event = dict[str, Any]  # an event in the gold file's shape (offsets into the raw story text)


# --- reading -------------------------------------------------------------------------------------


def read_gold(path: Path = EVENTS) -> list[dict[str, Any]]:
    """The gold stories of a gold file, one dict per story."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def raw_stories() -> dict[str, dict[str, Any]]:
    """The shared corpora's stories by id (text as shipped: gold offsets index it)."""
    out = {}
    for path in sorted(DATA.glob("*/stories.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            out[str(record["id"])] = record
    return out


# --- tocsin's events in the gold shape -------------------------------------------------------------


def _locate(text: str, words: str, start: int, end: int) -> list[int] | None:
    """Offsets of ``words`` inside ``text[start:end]``; for a lemma phrase ("hold talks") of
    words not in the text, the first of its words that is (case-insensitively, by prefix)."""
    region = text[start:end]
    at = region.find(words)
    if at >= 0:
        return [start + at, start + at + len(words)]
    lower = region.lower()
    for word in sorted(words.split(), key=len, reverse=True):
        stem = word.lower()[: max(4, len(word) - 2)]
        at = lower.find(stem)
        if at >= 0:
            stop = at
            while stop < len(region) and (region[stop].isalnum() or region[stop] == "-"):
                stop += 1
            return [start + at, start + stop]
    return None


def _side(actor: Any, delta: int | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    span = [actor.start + delta, actor.end + delta] if delta is not None and actor.end > actor.start else None
    return {
        "span": span,
        "country": actor.country,
        "sector": list(actor.sector),
        "name": actor.name,
        "kb_id": getattr(actor, "kb_id", None),
        "group": getattr(actor, "group", None),
    }


def as_gold_shape(event: Any, raw: str, cleaned: str) -> Event:
    """A tocsin Event with its offsets moved from the cleaned text onto the raw story text."""
    clean_start = event.span[0]
    hint = max(0, clean_start - 400)
    raw_start = raw.find(event.sentence, hint)
    if raw_start < 0:
        raw_start = raw.find(event.sentence)
    delta = raw_start - clean_start if raw_start >= 0 else None
    if raw_start < 0:  # text changed by normalisation: fall back to the cleaned offsets
        raw_start = clean_start
    sentence = [raw_start, raw_start + len(event.sentence)]
    place = event.place
    return {
        "sentence": sentence,
        "trigger": _locate(raw, event.trigger, *sentence),
        "event_type": event.event_type,
        "mode": event.mode,
        "actor": _side(event.actor, delta),
        "recipient": _side(event.recipient, delta),
        "asserted_by": _side(event.asserted_by, delta),
        "polarity": event.polarity,
        "modality": event.modality,
        "quote": event.quote,
        "date": event.date.isoformat() if event.date else None,
        "date_precision": getattr(event, "date_precision", None),
        "place": {"country": place.country} if place is not None else None,
        "confidence": event.confidence,
        "id": event.id,
    }


def code_gold_story(
    story: dict[str, Any], records: dict[str, dict[str, Any]], settings: Any
) -> tuple[list[Any], list[Event]]:
    """Code one gold story with tocsin: its events as tocsin gives them, and in the gold shape."""
    from tocsin.pipeline import code_many, prepare
    from tocsin.readers import parse_date
    from tocsin.records import Story
    from tocsin.text import normalize

    record = records[story["story_id"]]
    raw = record["text"]
    if len(raw) != story["chars"]:
        raise SystemExit(f"{story['story_id']}: the shared text has changed ({len(raw)} != {story['chars']} chars)")
    given = Story(id=story["story_id"], text=raw, pub_date=parse_date(record.get("published")))
    cleaned = next(iter(prepare([given], settings)), None)
    text = getattr(cleaned, "text", normalize(raw))
    events = list(code_many([given], settings))
    return events, [as_gold_shape(e, raw, text) for e in events]


def code_gold_stories(gold: list[dict[str, Any]], coder: str | None = None) -> dict[str, list[Event]]:
    """Code every gold story with tocsin (``coder``, else TOCSIN_CODER, else the rules); events in
    the gold shape, by story id."""
    from tocsin.settings import Settings

    records = raw_stories()
    settings = Settings.from_env(coder=coder)
    return {story["story_id"]: code_gold_story(story, records, settings)[1] for story in gold}


# --- matching ----------------------------------------------------------------------------------------


def _overlap(a: list[int] | None, b: list[int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _same_sentence(gold: Event, pred: Event) -> bool:
    return _overlap(gold["sentence"], pred["sentence"])


def match(gold: list[Event], pred: list[Event], by_type: bool = True) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) within sentences, best first; with
    ``by_type`` False only overlapping triggers pair (to measure agreement on the type itself)."""
    scored = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if not _same_sentence(g, p):
                continue
            trigger = _overlap(g["trigger"], p["trigger"])
            same_type = g["event_type"] == p["event_type"]
            if not (trigger or (same_type and by_type)):
                continue
            sides = side_ok(g["actor"], p["actor"]) + side_ok(g["recipient"], p["recipient"])
            score = 2 * trigger + 2 * same_type + sides
            scored.append((-score, i, j))
    pairs, used_g, used_p = [], set(), set()
    for _, i, j in sorted(scored):
        if i not in used_g and j not in used_p:
            pairs.append((i, j))
            used_g.add(i)
            used_p.add(j)
    return pairs


def side_ok(gold: dict[str, Any] | None, pred: dict[str, Any] | None) -> bool:
    """Do two sides (actor or recipient) agree on their codes?"""
    if gold is None or pred is None:
        return gold is None and pred is None
    if gold.get("country"):
        return bool(pred.get("country") == gold["country"])
    if pred.get("country"):  # the gold knows no country (a transnational group): none must be invented
        return False
    if gold.get("kb_id") and pred.get("kb_id"):
        return bool(gold["kb_id"] == pred["kb_id"])
    return True


def _asserter_ok(gold: dict[str, Any] | None, pred: dict[str, Any] | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return gold.get("country") == pred.get("country") or _overlap(gold.get("span"), pred.get("span"))


def date_range(day: str, precision: str | None) -> tuple[date, date]:
    """The days a gold date covers, given its precision."""
    start = date.fromisoformat(day)
    days = {"day": 1, "week": 7, "month": 31, "season": 92, "year": 366}.get(precision or "day", 1)
    end = start + timedelta(days=days - 1)
    if precision == "month":
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if precision == "year":
        end = start.replace(month=12, day=31)
    return start, end


# --- scoring -------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts behind the figures of one slice (a split, a corpus, everything)."""

    gold: int = 0
    pred: int = 0
    detected: int = 0
    typed: int = 0
    typed_actor: int = 0
    typed_full: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    type_gold: Counter[str] = field(default_factory=Counter)
    type_pred: Counter[str] = field(default_factory=Counter)
    type_tp: Counter[str] = field(default_factory=Counter)
    doc_tp: Counter[str] = field(default_factory=Counter)
    doc_gold: Counter[str] = field(default_factory=Counter)
    doc_pred: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    stories: int = 0

    def field(self, name: str, ok: bool) -> None:
        self.totals[name] += 1
        self.fields[name] += bool(ok)


def _prf(tp: int, pred: int, gold: int) -> dict[str, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def score_story(tally: Tally, gold: list[Event], pred: list[Event]) -> None:
    """Add one story's matches, field agreements and errors to a tally."""
    tally.stories += 1
    tally.gold += len(gold)
    tally.pred += len(pred)
    pairs = match(gold, pred)
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    for g in gold:
        tally.type_gold[g["event_type"]] += 1
    for p in pred:
        tally.type_pred[p["event_type"]] += 1
    for i, j in pairs:
        g, p = gold[i], pred[j]
        tally.detected += 1
        if g["event_type"] != p["event_type"]:
            tally.confusion[(g["event_type"], p["event_type"])] += 1
            tally.errors[f"wrong type ({g['event_type']} coded as {p['event_type']})"] += 1
            continue
        tally.typed += 1
        tally.type_tp[g["event_type"]] += 1
        actor_ok = side_ok(g["actor"], p["actor"])
        recipient_ok = side_ok(g["recipient"], p["recipient"])
        tally.typed_actor += actor_ok
        tally.typed_full += actor_ok and recipient_ok
        for side, ok in (("actor", actor_ok), ("recipient", recipient_ok)):
            if ok:
                continue
            if p[side] is None:
                tally.errors[f"missing {side}"] += 1
            elif g[side] is None:
                tally.errors[f"spurious {side}"] += 1
            elif not p[side].get("country"):
                tally.errors[f"{side} without a country"] += 1
            else:
                tally.errors[f"wrong {side} country"] += 1
        tally.field("modality", g["modality"] == p["modality"])
        if g["modality"] != p["modality"]:
            tally.errors[f"wrong modality ({g['modality']} coded as {p['modality']})"] += 1
        tally.field("polarity", g["polarity"] == p["polarity"])
        if g["polarity"] != p["polarity"]:
            tally.errors["wrong polarity"] += 1
        tally.field("asserted_by", _asserter_ok(g["asserted_by"], p["asserted_by"]))
        if not _asserter_ok(g["asserted_by"], p["asserted_by"]):
            tally.errors["wrong asserted_by"] += 1
        if g.get("date"):
            tally.field("date exact", p["date"] == g["date"])
            first, last = date_range(g["date"], g.get("date_precision"))
            tally.field("date within precision", bool(p["date"]) and first <= date.fromisoformat(p["date"]) <= last)
        else:
            tally.field("undated left undated", not p["date"] or p.get("date_precision") == "fallback")
        if g.get("place") and g["place"].get("country"):
            tally.field("place country", bool(p["place"]) and p["place"]["country"] == g["place"]["country"])
        named = g["recipient"] is not None and g["recipient"].get("span") and g["recipient"].get("country")
        if named:
            tally.field("recipient country given", bool(p["recipient"] and p["recipient"].get("country")))
            tally.field("recipient country right", recipient_ok)
    for i, g in enumerate(gold):
        if i not in matched_g:
            others = any(_same_sentence(g, p) for p in pred)
            tally.errors[f"missed {g['event_type']}" + (" (other events in the sentence)" if others else "")] += 1
            tally.confusion[(g["event_type"], "(missed)")] += 1
    for j, p in enumerate(pred):
        if j not in matched_p:
            tally.errors[f"spurious {p['event_type']}"] += 1
            tally.confusion[("(spurious)", p["event_type"])] += 1
    for t in {g["event_type"] for g in gold}:
        tally.doc_gold[t] += 1
    for t in {p["event_type"] for p in pred}:
        tally.doc_pred[t] += 1
        tally.doc_tp[t] += t in {g["event_type"] for g in gold}


def figures(tally: Tally) -> dict[str, Any]:
    """The figures of a tally, as a JSON-ready dict."""
    types = sorted(set(tally.type_gold) | set(tally.type_pred))
    per_type = {
        t: {
            **_prf(tally.type_tp[t], tally.type_pred[t], tally.type_gold[t]),
            "gold": tally.type_gold[t],
            "coded": tally.type_pred[t],
        }
        for t in types
    }
    doc = [_prf(tally.doc_tp[t], tally.doc_pred[t], tally.doc_gold[t])["f1"] for t in sorted(tally.doc_gold)]
    return {
        "stories": tally.stories,
        "gold_events": tally.gold,
        "coded_events": tally.pred,
        "detection": _prf(tally.detected, tally.pred, tally.gold),
        "type": _prf(tally.typed, tally.pred, tally.gold),
        "type_actor": _prf(tally.typed_actor, tally.pred, tally.gold),
        "type_actor_recipient": _prf(tally.typed_full, tally.pred, tally.gold),
        "on_type_matches": {
            k: {"accuracy": tally.fields[k] / tally.totals[k], "n": tally.totals[k]} for k in sorted(tally.totals)
        },
        "document_type_macro_f1": sum(doc) / len(doc) if doc else 0.0,
        "per_type": per_type,
        "confusion": {f"{g} -> {p}": n for (g, p), n in tally.confusion.most_common()},
        "errors": dict(tally.errors.most_common(20)),
    }


def score_corpus(gold: list[dict[str, Any]], coded: dict[str, list[Event]], splits: tuple[str, ...]) -> dict[str, Any]:
    """Figures per split, per corpus and over every chosen split."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for story in gold:
        if story["split"] not in splits:
            continue
        pred = coded.get(story["story_id"], [])
        for key in (story["split"], story["corpus"], "all"):
            score_story(tallies[key], story["events"], pred)
    order = [k for k in (*SPLITS, "voa-news", "lee-news", "all") if k in tallies]
    return {key: figures(tallies[key]) for key in order}


# --- agreement -------------------------------------------------------------------------------------------


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of two labellings of the same items."""
    if not pairs:
        return 0.0
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right[k] for k in left) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> dict[str, Any]:
    """Event detection F1 and kappas between two independent annotation passes."""
    by_id = {s["story_id"]: s for s in first}
    detected = n_first = n_second = typed = 0
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    stories = []
    for story in second:
        if story["story_id"] not in by_id:
            continue
        a, b = by_id[story["story_id"]]["events"], story["events"]
        stories.append(story["story_id"])
        n_first += len(a)
        n_second += len(b)
        for i, j in match(a, b, by_type=False):  # the type of the same words, whatever it is
            labels["type (same trigger)"].append((a[i]["event_type"], b[j]["event_type"]))
        for i, j in match(a, b):
            detected += 1
            if a[i]["event_type"] != b[j]["event_type"]:
                continue
            typed += 1
            for side in ("actor", "recipient"):
                labels[f"{side} country"].append(tuple(str((x[side] or {}).get("country")) for x in (a[i], b[j])))
            labels["modality"].append((a[i]["modality"], b[j]["modality"]))
            labels["polarity"].append((a[i]["polarity"], b[j]["polarity"]))
    return {
        "stories": stories,
        "first_events": n_first,
        "second_events": n_second,
        "detection_f1": 2 * detected / (n_first + n_second) if n_first + n_second else 0.0,
        "type_f1": 2 * typed / (n_first + n_second) if n_first + n_second else 0.0,
        "kappa": {
            k: {"kappa": kappa(v), "agree": sum(a == b for a, b in v) / len(v), "n": len(v)} for k, v in labels.items()
        },
    }


# --- printing --------------------------------------------------------------------------------------------


def show_corpus(result: dict[str, Any]) -> None:
    keys = list(result)
    print("\n== Gold corpus (bench/gold/events.jsonl): events matched within sentences")
    print(f"{'':34}" + "".join(f"{k:>10}" for k in keys))
    rows = [("stories", "stories", None), ("gold events", "gold_events", None), ("coded events", "coded_events", None)]
    for label, key, _ in rows:
        print(f"{label:34}" + "".join(f"{result[k][key]:>10}" for k in keys))
    for label, key in (
        ("detection", "detection"),
        ("type", "type"),
        ("type + actor", "type_actor"),
        ("type + actor + recipient", "type_actor_recipient"),
    ):
        for part in ("precision", "recall", "f1"):
            print(
                f"{label + ' ' + part[0].upper() + ('1' if part == 'f1' else ''):34}"
                + "".join(f"{result[k][key][part]:>10.3f}" for k in keys)
            )
    names = sorted({n for k in keys for n in result[k]["on_type_matches"]})
    for name in names:
        cells = []
        for k in keys:
            f = result[k]["on_type_matches"].get(name)
            cells.append(f"{f['accuracy']:.2f}/{f['n']}" if f else "-")
        print(f"{name + ' (acc/n)':34}" + "".join(f"{c:>10}" for c in cells))
    doc_f1 = "".join(f"{result[k]['document_type_macro_f1']:>10.3f}" for k in keys)
    print(f"{'document-level type macro F1':34}" + doc_f1)
    everything = result[keys[-1]]
    print(f"\nPer type ({keys[-1]}): type F1 by split")
    print(f"{'type':<10}{'gold':>6}{'coded':>6}{'P':>7}{'R':>7}" + "".join(f"{k:>10}" for k in keys[:-1]))
    for t, f in sorted(everything["per_type"].items(), key=lambda kv: -kv[1]["gold"]):
        split_f1 = [result[k]["per_type"].get(t, {}).get("f1") for k in keys[:-1]]
        print(
            f"{t:<10}{f['gold']:>6}{f['coded']:>6}{f['precision']:>7.2f}{f['recall']:>7.2f}"
            + "".join(f"{x:>10.2f}" if x is not None else f"{'-':>10}" for x in split_f1)
        )
    print(f"\nConfusion ({keys[-1]}), gold -> coded, most frequent:")
    for pair, n in list(everything["confusion"].items())[:25]:
        print(f"  {n:5d}  {pair}")
    print(f"\nThe 20 most frequent error kinds ({keys[-1]}):")
    for kind, n in everything["errors"].items():
        print(f"  {n:5d}  {kind}")


def show_agreement(result: dict[str, Any]) -> None:
    print(f"\n== Agreement between two independent passes over {len(result['stories'])} stories")
    print(f"events: first pass {result['first_events']}, second pass {result['second_events']}")
    print(f"event detection F1 {result['detection_f1']:.3f}; detection with the same type F1 {result['type_f1']:.3f}")
    for name, k in result["kappa"].items():
        print(f"  {name:<18} kappa {k['kappa']:.3f}  raw agreement {k['agree']:.3f}  (n={k['n']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--split",
        choices=[*SPLITS, "all"],
        action="append",
        help="splits of the gold corpus to score (default: train and dev; test only on request)",
    )
    parser.add_argument("--gold", type=Path, default=EVENTS, help="the gold corpus file (default: %(default)s)")
    parser.add_argument(
        "--stories",
        help="score only these stories of the chosen splits (comma-separated ids): a draw, a corpus's sample",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--agreement", action="store_true", help="score the two annotation passes, then stop")
    parser.add_argument("--corpus-only", action="store_true", help="skip the PLOVER records and the labels")
    parser.add_argument(
        "--coder", choices=["rules", "learned", "both"], help="trigger coder (default: TOCSIN_CODER, else both)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    results: dict[str, Any] = {}
    if args.agreement:
        results["agreement"] = agreement(read_gold(EVENTS), read_gold(AGREEMENT))
        show_agreement(results["agreement"])
    else:
        splits = tuple(SPLITS if "all" in (args.split or []) else args.split or ("train", "dev"))
        chosen = set(args.stories.split(",")) if args.stories else None
        gold = [s for s in read_gold(args.gold) if s["split"] in splits and (chosen is None or s["story_id"] in chosen)]
        if gold:
            results["corpus"] = score_corpus(gold, code_gold_stories(gold, args.coder), splits)
            show_corpus(results["corpus"])
        else:
            print(f"no gold stories for {splits} in {EVENTS}", file=sys.stderr)
        if not args.corpus_only:
            import accuracy
            import actors

            records, events = accuracy.code_gold(accuracy.GOLD, args.coder)
            results["plover"] = {
                "factual": accuracy.score(records, events, accuracy.FACTUAL),
                "all": accuracy.score(records, events, None),
            }
            accuracy.show("PLOVER gold records, factual events (actual or claimed)", results["plover"]["factual"])
            accuracy.show("PLOVER gold records, all events", results["plover"]["all"])
            print()
            stories = actors.raw_stories()
            results["labels"] = {"coreference": actors.coref(stories), "quotations": actors.quotes(stories)}
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
