"""Fit the event-confidence model on the gold corpus's train split; report its calibration on dev.

Codes every train and dev story, labels each coded event right (it matches a gold event of
the same type, as ``bench/evaluate.py`` matches them) or wrong, fits a logistic model on the
train events (numpy, L2-penalised Newton steps, deterministic), writes
``src/tocsin/data/confidence.json`` and prints, for dev, the precision and recall at a few
thresholds and the reliability table (mean score against share right, by score band).

Usage: python bench/calibrate.py [--l2 1.0] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import evaluate

from tocsin.confidence import features

OUT = Path(__file__).parents[1] / "src" / "tocsin" / "data" / "confidence.json"


def labelled(split: str) -> tuple[list[dict[str, float]], list[int], int]:
    """Features and right/wrong labels of every event coded in ``split``, and its gold count."""
    from tocsin.settings import Settings

    records = evaluate.raw_stories()
    settings = Settings.from_env()  # TOCSIN_CODER: fit the confidence of the coder in use
    rows, labels, gold_total = [], [], 0
    for story in (s for s in evaluate.read_gold() if s["split"] == split):
        events, shaped = evaluate.code_gold_story(story, records, settings)
        gold = story["events"]
        gold_total += len(gold)
        right = {j for i, j in evaluate.match(gold, shaped) if gold[i]["event_type"] == shaped[j]["event_type"]}
        for j, event in enumerate(events):
            rows.append(features(event))
            labels.append(int(j in right))
    return rows, labels, gold_total


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Penalised logistic regression by Newton's method (the bias is not penalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + penalty * w
        hess = (x.T * (p * (1 - p))) @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--dry-run", action="store_true", help="fit and report, write nothing")
    args = parser.parse_args(argv)
    train_rows, train_y, _ = labelled("train")
    names = list(train_rows[0])
    x = np.array([[r[n] for n in names] for r in train_rows])
    w = fit(x, np.array(train_y, dtype=float), args.l2)
    weights = {n: round(float(v), 4) for n, v in zip(names, w, strict=True)}
    dev_rows, dev_y, dev_gold = labelled("dev")
    scores = 1 / (1 + np.exp(-np.array([[r.get(n, 0.0) for n in names] for r in dev_rows]) @ w))
    right = np.array(dev_y)
    print(f"train: {len(train_y)} coded events, {sum(train_y)} right; dev: {len(dev_y)} coded, {dev_gold} gold")
    print("dev threshold   kept  precision  recall (type)")
    for t in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7):
        kept = scores >= t
        precision = right[kept].mean() if kept.any() else 0.0
        print(f"  {t:>9.1f}  {kept.sum():>5}  {precision:>9.2f}  {right[kept].sum() / dev_gold:>6.2f}")
    print("dev reliability: score band   events  mean score  share right")
    error = 0.0
    for lo in np.arange(0.0, 1.0, 0.2):
        band = (scores >= lo) & (scores < lo + 0.2)
        if band.any():
            mean, share = scores[band].mean(), right[band].mean()
            error += band.sum() * abs(mean - share)
            print(f"  {lo:.1f}-{lo + 0.2:.1f}  {band.sum():>12}  {mean:>10.2f}  {share:>11.2f}")
    print(f"expected calibration error on dev: {error / len(scores):.3f}")
    if not args.dry_run:
        note = "fitted by bench/calibrate.py on the gold corpus's train split"
        OUT.write_text(json.dumps({"note": note, "l2": args.l2, "weights": weights}, indent=1) + "\n", encoding="utf-8")
        print(f"written {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
