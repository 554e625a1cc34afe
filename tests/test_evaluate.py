"""The scorer in bench/evaluate.py, and the evaluation gate: accuracy on the gold corpus's dev
split may not fall more than 0.02 below the figure recorded in bench/gold/baseline.json."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TOLERANCE = 0.02


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


evaluate = _load("evaluate")


def _event(sentence: tuple[int, int], trigger: tuple[int, int] | None, etype: str, **fields: Any) -> dict[str, Any]:
    side = {"country": None, "sector": [], "kb_id": None, "span": None}
    return {
        "sentence": list(sentence),
        "trigger": list(trigger) if trigger else None,
        "event_type": etype,
        "actor": {**side, "country": actor} if (actor := fields.pop("actor", None)) else None,
        "recipient": {**side, "country": recipient} if (recipient := fields.pop("recipient", None)) else None,
        "asserted_by": None,
        "polarity": "affirmed",
        "modality": fields.pop("modality", "actual"),
        "date": fields.pop("date", None),
        "date_precision": fields.pop("date_precision", None),
        "place": None,
        **fields,
    }


def test_evaluate_matches_by_trigger_overlap_then_type_within_a_sentence() -> None:
    gold = [_event((0, 40), (5, 8), "CONSULT"), _event((0, 40), (20, 26), "ACCUSE"), _event((50, 90), (55, 60), "AID")]
    pred = [
        _event((0, 40), (21, 25), "ACCUSE"),  # overlaps the second gold trigger
        _event((0, 40), (30, 35), "CONSULT"),  # no overlap, but the same type in the same sentence
        _event((50, 90), (70, 75), "ASSAULT"),  # another sentence's trigger and type: no match
    ]
    assert sorted(evaluate.match(gold, pred)) == [(0, 1), (1, 0)]


def test_evaluate_never_matches_across_sentences() -> None:
    gold = [_event((0, 40), (5, 8), "CONSULT")]
    pred = [_event((41, 80), (45, 48), "CONSULT")]
    assert evaluate.match(gold, pred) == []


@pytest.mark.parametrize(
    ("gold", "pred", "ok"),
    [
        (None, None, True),
        ({"country": "RUS"}, None, False),
        (None, {"country": "RUS"}, False),
        ({"country": "RUS"}, {"country": "RUS"}, True),
        ({"country": "RUS"}, {"country": "UKR"}, False),
        ({"country": None, "kb_id": "islamic-state"}, {"country": None, "kb_id": "islamic-state"}, True),
        ({"country": None, "kb_id": "islamic-state"}, {"country": "IRQ", "kb_id": None}, False),
    ],
)
def test_evaluate_side_agreement(gold: dict[str, Any] | None, pred: dict[str, Any] | None, ok: bool) -> None:
    assert evaluate.side_ok(gold, pred) is ok


def test_evaluate_scores_each_field_and_names_the_errors() -> None:
    gold = [
        _event((0, 40), (5, 8), "CONSULT", actor="RUS", recipient="DEU", date="2025-03-01", date_precision="month"),
        _event((0, 40), (20, 26), "ASSAULT", actor="RUS", recipient="UKR"),
    ]
    pred = [
        _event((0, 40), (5, 8), "CONSULT", actor="RUS", recipient=None, date="2025-03-11", date_precision="day"),
        _event((0, 40), (30, 34), "AID", actor="USA", recipient="UKR"),
    ]
    tally = evaluate.Tally()
    evaluate.score_story(tally, gold, pred)
    figures = evaluate.figures(tally)
    assert figures["type"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert figures["type_actor"]["f1"] == 0.5
    assert figures["type_actor_recipient"]["f1"] == 0.0
    assert figures["on_type_matches"]["date within precision"] == {"accuracy": 1.0, "n": 1}
    assert figures["on_type_matches"]["date exact"] == {"accuracy": 0.0, "n": 1}
    assert figures["errors"] == {
        "missing recipient": 1,
        "missed ASSAULT (other events in the sentence)": 1,
        "spurious AID": 1,
    }


def test_evaluate_kappa() -> None:
    assert evaluate.kappa([("a", "a"), ("b", "b")]) == 1.0
    assert evaluate.kappa([("a", "b"), ("b", "a")]) == -1.0
    assert abs(evaluate.kappa([("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")]) - 0.5) < 1e-9


def test_evaluate_date_ranges_follow_the_precision() -> None:
    assert evaluate.date_range("2024-02-01", "month")[1].isoformat() == "2024-02-29"
    assert evaluate.date_range("2025-01-01", "year")[1].isoformat() == "2025-12-31"
    assert evaluate.date_range("2025-03-10", "week")[1].isoformat() == "2025-03-16"


def test_evaluate_gold_files_are_well_formed() -> None:
    stories = evaluate.read_gold(evaluate.EVENTS)
    assert len(stories) >= 60
    assert {s["split"] for s in stories} == {"train", "dev", "test"}
    assert sum(s["split"] == "test" for s in stories) >= 20
    for story in stories:
        assert {"story_id", "corpus", "split", "annotator", "events"} <= set(story)
        for event in story["events"]:
            assert "text" not in event and isinstance(event["trigger"], list)
            assert event["sentence"][0] <= event["trigger"][0] < event["trigger"][1] <= event["sentence"][1]


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DATA.exists(), reason="needs ../shared/data")
def test_evaluate_gate_dev_split_does_not_regress() -> None:
    """trafilatura's habit: a change that loses accuracy on the dev split fails the build."""
    baseline = json.loads((BENCH / "gold" / "baseline.json").read_text(encoding="utf-8"))["dev"]
    gold = [s for s in evaluate.read_gold(evaluate.EVENTS) if s["split"] == "dev"]
    result = evaluate.score_corpus(gold, evaluate.code_gold_stories(gold), ("dev",))["dev"]
    for key in ("type_actor_recipient", "type"):
        now, then = result[key]["f1"], baseline[key]["f1"]
        assert now >= then - TOLERANCE, f"dev {key} F1 fell from {then:.3f} to {now:.3f}: see python bench/evaluate.py"


def test_errors_lists_each_error_of_a_kind_with_its_explanation() -> None:
    from types import SimpleNamespace

    errors = _load("errors")
    raw = "Kenya accused Ethiopia. Kenya met Sudan."
    gold = {
        "events": [
            _event((0, 23), (6, 13), "ACCUSE", actor="KEN", recipient="ETH"),
            _event((24, 40), (30, 33), "CONSULT", actor="KEN", recipient="SDN"),
        ]
    }
    shaped = [_event((0, 23), (6, 13), "ACCUSE", actor="KEN", recipient="ERI")]
    coded = [SimpleNamespace(event_type="ACCUSE", trigger="accused", sentence=raw[:23], explain="by pattern 'accuse'")]
    assert [t for t, _ in errors.errors(gold, coded, shaped, raw, "missed")] == ["CONSULT"]
    ((kind, told),) = errors.errors(gold, coded, shaped, raw, "recipient")
    assert kind == "ACCUSE" and told.startswith("wrong: gold ETH coded ERI") and "by pattern 'accuse'" in told
    assert list(errors.errors(gold, coded, shaped, raw, "actor")) == []
    assert list(errors.errors(gold, coded, shaped, raw, "spurious")) == []


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="needs ../shared/data")
def test_evaluate_scores_only_the_chosen_stories(tmp_path: Path) -> None:
    lee = [s for s in evaluate.read_gold(evaluate.EVENTS) if s["corpus"] == "lee-news" and s["split"] == "train"]
    chosen = lee[0]
    out = tmp_path / "scores.json"
    args = ["--split", "train", "--corpus-only", "--stories", chosen["story_id"], "--json", str(out)]
    assert evaluate.main(args) == 0
    scored = json.loads(out.read_text(encoding="utf-8"))["corpus"]["all"]
    assert (scored["stories"], scored["gold_events"]) == (1, len(chosen["events"]))
