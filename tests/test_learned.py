"""The learned back-off coder: its shipped artefacts, its triggers, and the coder setting."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("tokenizers", reason="the learned coder needs tokenizers and safetensors (pip install -e .)")
pytest.importorskip("safetensors", reason="the learned coder needs tokenizers and safetensors (pip install -e .)")

import numpy as np

from tocsin import learned
from tocsin.errors import ConfigError
from tocsin.ontology import load_ontology
from tocsin.patterns import load_patterns
from tocsin.settings import Settings
from tocsin.triggers import RuleCoder

SENTENCE = "Rebels stormed an army base near Kabul on Sunday, and Pakistan and India traded fire across the border."


@pytest.fixture(scope="module")
def emb() -> learned.StaticEmbeddings:
    os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be fetched: the model is in the package
    return learned.load_embeddings()


def test_static_model_loads_offline_and_is_small(emb: learned.StaticEmbeddings) -> None:
    total = sum(len(f.read_bytes()) for f in learned._model_dir().iterdir() if f.is_file())
    assert total < 30 * 1024 * 1024
    assert emb.dim == 256


def test_run_time_needs_no_torch_nor_model2vec() -> None:
    import subprocess
    import sys

    # torch, model2vec and transformers made unimportable: the learned coder still loads and embeds
    # (spaCy's thinc imports torch when it is installed, so its presence in sys.modules proves nothing)
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'model2vec', 'transformers'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from tocsin.learned import load_classifier, load_embeddings\n"
        "print(load_embeddings().embed('attack').shape, len(load_classifier().classes) > 1)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "(256,) True"


def test_embeddings_are_deterministic_unit_vectors(emb: learned.StaticEmbeddings) -> None:
    a = emb.embed("negotiations")
    emb.embed.cache_clear()
    b = emb.embed("negotiations")
    assert np.array_equal(a, b)
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-3


def test_synonyms_are_closer_than_unrelated_words(emb: learned.StaticEmbeddings) -> None:
    def cos(x: str, y: str) -> float:
        return float(emb.embed(x) @ emb.embed(y))

    assert cos("kidnapped", "abducted") > cos("kidnapped", "banana") + 0.3
    assert cos("bombing", "airstrike") > cos("bombing", "teacher")
    assert cos("protest", "demonstration") > cos("protest", "tariff")


def test_classifier_matches_the_feature_layout() -> None:
    clf = learned.load_classifier()
    assert clf.meta["features"] == learned.FEATURES_VERSION
    assert learned.NONE in clf.classes
    assert set(clf.classes) - {learned.NONE} <= set(load_ontology().types)
    assert clf.weights.shape[1] == len(clf.classes)
    assert 0.0 < clf.threshold < 1.0


def test_find_triggers_gives_ontology_types_with_probabilities(nlp) -> None:  # type: ignore[no-untyped-def]
    sentence = next(nlp(SENTENCE).sents)
    coder = learned.LearnedCoder(load_patterns(), backoff=False, threshold=0.05)
    triggers = coder.find_triggers(sentence)
    assert triggers
    ontology = load_ontology()
    for trigger in triggers:
        assert trigger.event_type in ontology.types
        assert 0.0 < trigger.score <= 1.0
        assert trigger.source.startswith(f"model {trigger.event_type} p=")
        assert trigger.cameo in ontology.cameo
    assert "stormed" in {sentence.doc[t.start].text for t in triggers}


def test_both_keeps_the_rules_and_never_puts_two_triggers_on_one_word(nlp) -> None:  # type: ignore[no-untyped-def]
    patterns = load_patterns()
    sentence = next(nlp(SENTENCE).sents)
    rules = RuleCoder(patterns).find_triggers(sentence)
    both = learned.LearnedCoder(patterns, backoff=True, threshold=0.01).find_triggers(sentence)
    starts = [t.start for t in both]
    assert len(starts) == len(set(starts))
    assert set(rules) <= set(both)  # the rules' triggers stand unchanged
    used = {i for t in rules for i in t.used}
    assert not any(t.start in used for t in both if t.source.startswith("model"))  # not "fire" of "traded fire"


def test_model_events_say_so_in_explain() -> None:
    from tocsin.confidence import features
    from tocsin.pipeline import code

    events = code(SENTENCE, settings=Settings(coder="learned"))
    assert events
    assert all("by model" in e.explain for e in events)
    assert all(features(e)["learned"] == 1.0 for e in events)


def test_coder_setting_is_validated() -> None:
    assert Settings().coder == "both"
    assert Settings.from_env({"TOCSIN_CODER": "both"}).coder == "both"
    with pytest.raises(ConfigError, match="coder must be one of rules, learned, both"):
        Settings(coder="neural")
    with pytest.raises(ConfigError, match="coder"):
        Settings.from_env({"TOCSIN_CODER": "model"})


def _fails_reading(folder, monkeypatch, load) -> None:  # type: ignore[no-untyped-def]
    """``load``, a cached loader, reading its artefact from ``folder`` fails with a ConfigError naming
    `make train`; the shipped artefacts are back in place afterwards."""
    monkeypatch.setattr(learned, "_model_dir", lambda: folder)
    load.cache_clear()
    try:
        with pytest.raises(ConfigError, match="make train"):
            load()
    finally:
        monkeypatch.undo()
        load.cache_clear()


def test_missing_artefacts_fail_with_a_config_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="make train"):
        learned.StaticEmbeddings(tmp_path)
    _fails_reading(tmp_path, monkeypatch, learned.load_classifier)


def test_side_chooser_loads_and_keeps_the_rules_unless_another_is_clearly_likelier(nlp) -> None:  # type: ignore[no-untyped-def]
    from spacy.tokens import Doc

    from tocsin.events import Candidate, story_context
    from tocsin.kb import load_kb
    from tocsin.records import Actor, Story

    shipped = learned.load_sides()
    assert shipped.models and set(shipped.models) <= set(learned.SIDES)
    width = len(next(iter(shipped.models.values()))[0])
    # a hand-made model that likes only "nobody": it beats the rules' choice by more than a small margin
    weights = np.zeros(width, dtype=np.float32)
    weights[learned._KINDS.index("none")] = 5.0
    words, deps = ["Russia", "attacked", "Ukraine"], ["nsubj", "ROOT", "dobj"]
    doc = Doc(nlp.vocab, words=words, heads=[1, 1, 1], deps=deps, pos=["PROPN", "VERB", "PROPN"])
    ctx = story_context(Story(id="s", text=doc.text), load_kb())
    offered = [Candidate(Actor(text="Ukraine", country="UKR"), doc[2], "rule", "dobj"), Candidate(None, None, "none")]

    def choice(models: dict, side: str = "recipient") -> int:  # type: ignore[type-arg]
        return learned.SideModel(models).choose(side, doc[1], "ASSAULT", offered, ctx)

    assert choice({"recipient": (weights, 0.0, 0.2)}) == 1
    assert choice({"recipient": (weights, 0.0, 0.999)}) == 0  # not clearly likelier: the rules'
    assert choice({"recipient": (weights, 0.0, 0.2)}, side="actor") == 0  # no actor model: the rules'


def test_a_stale_side_chooser_fails_with_a_config_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sides.json").write_text('{"features": "tocsin-sides-0"}', encoding="utf-8")
    _fails_reading(tmp_path, monkeypatch, learned.load_sides)
