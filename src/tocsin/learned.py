"""The learned back-off coder: a small classifier over parse features and static word vectors.

The rules (:class:`~tocsin.triggers.RuleCoder`) name the words that carry events; what
they do badly is a candidate word no pattern names ("the militants stormed the base"
when "storm" is in no lexicon). :class:`LearnedCoder` scores every verb and noun of a
sentence with a multinomial logistic regression over

* static word vectors (the lemma, its head, its content children and its prepositions' objects) from a model2vec
  distillation of all-MiniLM-L6-v2 (Apache-2.0), shipped in ``data/model/``;
* parse features (part of speech, dependency, objects and prepositions, negation,
  a reporting verb above it, named entities around it);
* what the rules said about the word (fired or not, which type, the type the lexicon
  gives its lemma even where the rules did not fire), so the model
  learns where they are right as well as where they are silent.

Both artefacts are rebuilt by ``bench/train.py`` (``make train``) from the gold corpus's
train split and the visible PLOVER records. Run time needs only numpy, tokenizers and
safetensors: no torch, no model2vec. With ``backoff`` (the ``coder = "both"`` setting)
the rules' triggers stand and the model proposes only on words they left alone.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np
from spacy.tokens import Span, Token

from .actors import REPORTING, Context
from .errors import ConfigError
from .events import Candidate
from .ontology import load_ontology
from .patterns import Pattern, Patterns, is_light, load_patterns
from .senses import rejected
from .triggers import RuleCoder, Trigger, figurative, is_verb, noun_is_event

FEATURES_VERSION = "tocsin-learned-2"  # bump when the feature layout changes; the weights file records it
NONE = "NONE"  # the class of a word that carries no event

_POS = ("VERB", "AUX", "NOUN", "PROPN", "ADJ")
_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "NN", "NNS")
_DEPS = (
    "ROOT ccomp xcomp advcl conj relcl acl pcomp dobj pobj nsubj nsubjpass attr compound amod appos npadvmod".split()
)
_NAMED = ("GPE", "NORP", "ORG", "PERSON", "LOC", "FAC")
_CONTENT_CHILDREN = ("dobj", "nsubj", "nsubjpass", "attr", "prt", "compound", "amod")


def _model_dir() -> Traversable:
    return resources.files("tocsin") / "data" / "model"


class StaticEmbeddings:
    """Static word vectors: a tokenizer's subwords, each with a vector, averaged per text.

    The same arithmetic as model2vec's ``StaticModel.encode`` (mean of the subword rows,
    then unit length when the model says so), with nothing but tokenizers, safetensors
    and numpy.
    """

    def __init__(self, folder: Traversable) -> None:
        try:
            from safetensors.numpy import load as load_safetensors
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are core dependencies
            raise ConfigError(
                "the learned coder needs the packages tokenizers and safetensors (pip install -e .)"
            ) from exc
        try:
            tensors = load_safetensors((folder / "model.safetensors").read_bytes())
            self.tokenizer = Tokenizer.from_str((folder / "tokenizer.json").read_text(encoding="utf-8"))
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, OSError) as exc:
            raise ConfigError(
                f"the learned coder's static model is missing from {folder} (rebuild it with `make train`)"
            ) from exc
        self.vectors = np.asarray(tensors["embeddings"], dtype=np.float32)
        weights = tensors.get("weights")
        mapping = tensors.get("mapping")
        self.token_weights = None if weights is None else np.asarray(weights, dtype=np.float32)
        self.mapping = None if mapping is None else np.asarray(mapping, dtype=np.int64)
        self.normalize = bool(config.get("normalize", True))
        self.dim = int(self.vectors.shape[1])
        unk = self.tokenizer.token_to_id("[UNK]")
        self.unk = -1 if unk is None else int(unk)

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one instance per process (see load_embeddings)
    def embed(self, text: str) -> np.ndarray:
        """The vector of ``text`` (zeros when no subword of it is known)."""
        ids = [i for i in self.tokenizer.encode(text, add_special_tokens=False).ids if i != self.unk]
        if not ids:
            return np.zeros(self.dim, dtype=np.float32)
        rows = np.array(ids, dtype=np.int64)
        if self.mapping is not None:
            rows = self.mapping[rows]
        vecs = self.vectors[rows]
        if self.token_weights is not None:
            vecs = vecs * self.token_weights[np.array(ids)][:, None]
        vec: np.ndarray = vecs.mean(axis=0)
        if self.normalize:
            norm = float(np.linalg.norm(vec))
            vec = vec / norm if norm > 0 else vec
        vec.setflags(write=False)
        return vec


@functools.cache
def load_embeddings() -> StaticEmbeddings:
    """The shipped static model, loaded once per process.

    Raises:
        ConfigError: its files are missing.
    """
    return StaticEmbeddings(_model_dir())


@dataclass(frozen=True)
class Classifier:
    """A multinomial logistic regression: ``softmax(x @ weights + bias)`` over ``classes``."""

    classes: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per feature row."""
        z = x @ self.weights + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return out


@functools.cache
def load_classifier() -> Classifier:
    """The shipped classifier (``data/model/classifier.npz``), loaded once per process.

    Raises:
        ConfigError: the file is missing, or was trained on another feature layout.
    """
    path = _model_dir() / "classifier.npz"
    try:
        import io

        data = np.load(io.BytesIO(path.read_bytes()), allow_pickle=False)
    except (FileNotFoundError, OSError) as exc:
        raise ConfigError(f"the learned coder's classifier is missing: {path} (rebuild it with `make train`)") from exc
    meta = json.loads(str(data["meta"]))
    _check_features(path, meta, FEATURES_VERSION)
    classes = tuple(str(c) for c in data["classes"])
    return Classifier(classes, data["weights"], data["bias"], float(meta["threshold"]), meta)


def _check_features(path: Traversable, meta: dict[str, Any], version: str) -> None:
    """Refuse an artefact fitted on another feature layout than this tocsin computes."""
    if meta.get("features") != version:
        raise ConfigError(
            f"{path} was trained on features {meta.get('features')!r}, this tocsin reads {version!r} "
            "(rebuild it with `make train`)"
        )


def candidates(sentence: Span) -> list[Token]:
    """The words that could carry an event: verbs that are not auxiliaries, and common nouns."""
    out = []
    for token in sentence:
        if token.dep_ in ("aux", "auxpass") or not token.is_alpha:
            continue
        if is_verb(token) or token.pos_ == "NOUN":
            out.append(token)
    return out


def _named(token: Token) -> bool:
    return token.ent_type_ in _NAMED


def _lexicon_type(token: Token, patterns: Patterns) -> str | None:
    """The type the lexicon gives this word as a verb or a noun, whether or not the rules fired on it
    ("an attack" in passing, a verb sense the senses rejected): a strong hint, not a decision."""
    lemma = token.lemma_.lower()
    verbs = patterns.verbs.get(lemma)
    if verbs:
        return verbs[-1].event_type  # the bare verb (longest phrases come first)
    noun = patterns.nouns.get(lemma)
    return noun.event_type if noun is not None else None


def _parse_features(token: Token, rules: dict[int, Trigger], types: tuple[str, ...], patterns: Patterns) -> list[float]:
    children = list(token.children)
    deps = {c.dep_ for c in children}
    head = token.head
    rule = rules.get(token.i)
    near = any(c.i in rules for c in children) or (head.i != token.i and head.i in rules)
    out = [float(token.pos_ == p) for p in _POS]
    out += [float(token.tag_ == t) for t in _TAGS]
    out += [float(token.dep_ == d) for d in _DEPS]
    out += [
        float("dobj" in deps),
        float("prep" in deps),
        float("agent" in deps),
        float("nsubj" in deps),
        float("nsubjpass" in deps),
        float("xcomp" in deps or "ccomp" in deps),
        float(any(c.dep_ == "neg" or c.lower_ in ("no", "not", "never") for c in children)),
        float(head.lemma_ in REPORTING and head.i != token.i),
        float(token.lemma_ in REPORTING),
        float(any(_named(c) for c in children)),
        float(any(_named(g) for c in children if c.dep_ == "prep" for g in c.children)),
        float(_named(token)),
        float(token.is_title and token.i > token.sent.start),
        float(rule is not None),
        float(near),
        float(bool(rules)),
        float(token.pos_ == "NOUN" and noun_is_event(token)),
        float(is_light(head) and head.i != token.i),
        float(is_light(token)),
    ]
    out += [float(rule is not None and rule.event_type == t) for t in types]
    lexicon = _lexicon_type(token, patterns)
    out += [float(lexicon == t) for t in types]
    return out


def feature_rows(
    tokens: list[Token], rules: dict[int, Trigger], emb: StaticEmbeddings, patterns: Patterns
) -> np.ndarray:
    """One feature row per candidate token (the layout named by :data:`FEATURES_VERSION`);
    ``rules`` are the rule coder's triggers of the sentence by head offset."""
    types = load_ontology().types
    type_names = tuple(sorted(types))
    rows = []
    for token in tokens:
        head = [token.head] if token.head.i != token.i else []
        content = [c for c in token.children if c.dep_ in _CONTENT_CHILDREN and c.is_alpha]
        objects = [o for c in token.children if c.dep_ == "prep" for o in c.children if o.dep_ == "pobj" and o.is_alpha]
        parse = np.array(_parse_features(token, rules, type_names, patterns), dtype=np.float32)
        vectors = [_mean_vector(emb, group) for group in ([token], head, content, objects)]
        rows.append(np.concatenate([*vectors, parse]))
    return np.vstack(rows).astype(np.float32)


def _mean_vector(emb: StaticEmbeddings, tokens: list[Token]) -> np.ndarray:
    """The mean vector of the tokens' lemmas (zeros for none)."""
    if not tokens:
        return np.zeros(emb.dim, dtype=np.float32)
    if len(tokens) == 1:
        return emb.embed(tokens[0].lemma_.lower())
    mean: np.ndarray = np.mean([emb.embed(t.lemma_.lower()) for t in tokens], axis=0)
    return mean


@dataclass(frozen=True)
class LearnedCoder:
    """Triggers from the shipped classifier.

    With ``backoff`` the rules' triggers are kept as they are and the model proposes
    only on words the rules did not trigger (``coder = "both"``); without it the model
    decides every word (``coder = "learned"``), keeping a rule's pattern where it agrees
    with the rule's type. ``threshold`` overrides the one chosen on dev at training.
    """

    patterns: Patterns = field(default_factory=load_patterns)
    backoff: bool = True
    threshold: float | None = None
    classifier: Classifier | None = None  # the shipped one unless given (training scores candidates)
    name: str = "model"

    def find_triggers(self, sentence: Span) -> list[Trigger]:
        """The sentence's triggers: the model's above the threshold (and the rules' with ``backoff``)."""
        classifier, emb = self.classifier or load_classifier(), load_embeddings()
        rule_triggers = RuleCoder(self.patterns).find_triggers(sentence)
        rules = {t.start: t for t in rule_triggers}
        used = {i for t in rule_triggers for i in t.used}  # "fire" in "traded fire" is the rule's already
        tokens = [t for t in candidates(sentence) if t.i not in used and not (self.backoff and t.i in rules)]
        out = list(rule_triggers) if self.backoff else []
        if tokens:
            probs = classifier.probabilities(feature_rows(tokens, rules, emb, self.patterns))
            threshold = classifier.threshold if self.threshold is None else self.threshold
            for token, row in zip(tokens, probs, strict=True):
                best = int(np.argmax([p if c != NONE else -1.0 for c, p in zip(classifier.classes, row, strict=True)]))
                event_type, p = classifier.classes[best], float(row[best])
                if p < threshold:
                    continue
                rule = rules.get(token.i)
                if self.backoff and _same_event(token, event_type, rules):
                    continue  # "launched an attack" with the rules on "attack": one event, not two
                if rule is not None and rule.event_type == event_type:
                    out.append(
                        Trigger(rule.start, rule.end, rule.pattern, f"model {event_type} p={p:.2f}", p, rule.used)
                    )
                else:
                    pattern = _pattern(event_type, token)
                    if rejected(token, pattern) is not None or figurative(token, pattern):
                        continue  # the senses the rules reject bind the model too ("beat Germany in the final")
                    out.append(Trigger(token.i, token.i + 1, pattern, f"model {event_type} p={p:.2f}", p))
        return sorted(out, key=lambda t: t.start)


def _same_event(token: Token, event_type: str, rules: dict[int, Trigger]) -> bool:
    """Does a rule trigger of the same type sit on the word's head, one of its children, or the object
    of one of its prepositions ("came under attack")?"""
    objects = [o.i for c in token.children if c.dep_ == "prep" for o in c.children if o.dep_ == "pobj"]
    near = [c.i for c in token.children] + objects + ([token.head.i] if token.head.i != token.i else [])
    return any(i in rules and rules[i].event_type == event_type for i in near)


def learned_coder(patterns: Patterns, backoff: bool = True) -> LearnedCoder:
    """The learned coder over ``patterns``, its artefacts loaded (once per process) now, so a
    missing file stops the run at once rather than at the first sentence.

    Raises:
        ConfigError: the static model or the classifier is missing or stale.
    """
    load_embeddings()
    load_classifier()
    return LearnedCoder(patterns, backoff, name="rules+model" if backoff else "model")


def _pattern(event_type: str, token: Token) -> Pattern:
    """A pattern for a word the model typed: the type's default CAMEO code, no mode."""
    lemma = token.lemma_.lower()
    noun = not is_verb(token)
    code = load_ontology().code_for(event_type, None)
    return Pattern(event_type, None, code, (), lemma, lemma, (), noun)


# --- choosing actors and recipients -------------------------------------------------------------------

SIDES_VERSION = "tocsin-sides-2"  # bump when side_features changes; sides.json records it
SIDES = ("actor", "recipient")
_KINDS = ("rule", "mention", "asserter", "story-country", "story-counterpart", "none")
_HOWS = (
    "dobj prep dative noun judged clause-subject inferred implied none nsubj shared control poss by relcl "
    "governor between of-subject modified-noun"
).split()
_SIDE_PREPS = ("with", "to", "against", "on", "from", "at", "toward", "into", "of", "for", "over", "in", "by")
_SIDE_DEPS = ("dobj", "dative", "nsubjpass", "nsubj", "poss", "compound", "amod", "appos")
_SIDE_ENTS = ("GPE", "NORP", "ORG", "PERSON")


def _tree_distance(a: Token, b: Token) -> int:
    """Edges between two words of one sentence's tree."""
    up_a = [a, *a.ancestors]
    depth = {t.i: n for n, t in enumerate(up_a)}
    up_b = [b, *b.ancestors]
    for n, t in enumerate(up_b):
        if t.i in depth:
            return n + depth[t.i]
    return len(up_a) + len(up_b)


def side_features(trigger: Token, event_type: str, candidate: Candidate, ctx: Context) -> list[float]:
    """One candidate actor or recipient as numbers: what it is, how the rules found it if they did,
    where its word stands from the trigger's, and how it sits in the story. The event's own traits
    (its quad class, a noun or a verb) are crossed with the kind, since the choice compares candidates."""
    kind = [float(candidate.kind == k) for k in _KINDS]
    quad = load_ontology().types[event_type][0]
    crossed = [k * q for k in kind for q in (quad == 1, quad == 2, quad == 3, quad == 4, not is_verb(trigger))]
    how = [float(candidate.kind == "rule" and h in candidate.how) for h in _HOWS]
    word = candidate.token
    grammar = [0.0] * (len(_SIDE_DEPS) + len(_SIDE_PREPS) + len(_SIDE_ENTS) + 10)
    if word is not None:
        child = word.head == trigger and word.i != trigger.i
        via = word.head if word.head.dep_ in ("prep", "agent") and word.dep_ == "pobj" else None
        distance = _tree_distance(word, trigger)
        grammar = [
            *(float(child and word.dep_ == d) for d in _SIDE_DEPS),
            *(float(via is not None and via.head == trigger and via.lower_ == p) for p in _SIDE_PREPS),
            *(float(word.ent_type_ == e) for e in _SIDE_ENTS),
            float(trigger in word.ancestors),
            float(word in trigger.ancestors),
            float(word.head == trigger.head and word.dep_ in ("nsubj", "nsubjpass") and word.head != word),
            float(distance <= 2),
            float(distance == 3),
            float(distance >= 4),
            float(word.i < trigger.i),
            min(abs(word.i - trigger.i), 20) / 20,
            float(word.dep_ in ("nsubj", "nsubjpass")),
            float(word.pos_ == "PRON"),
        ]
    country = candidate.actor.country if candidate.actor is not None else None
    story = [
        float(country is not None and country == ctx.focus),
        float(country is not None and ctx.dyad is not None and country in ctx.dyad),
        candidate.actor.confidence if candidate.actor is not None else 0.0,
    ]
    return [*kind, *crossed, *how, *grammar, *story]


@dataclass(frozen=True)
class SideModel:
    """One logistic regression over :func:`side_features` per side: the candidate it scores highest
    is chosen, unless it beats the rules' own choice by less than that side's margin. ``models``
    maps a side to (weights, bias, margin); a side it lacks keeps the rules' choice."""

    models: dict[str, tuple[np.ndarray, float, float]]
    meta: dict[str, Any] = field(default_factory=dict)

    def scores(
        self, side: str, trigger: Token, event_type: str, candidates: Sequence[Candidate], ctx: Context
    ) -> np.ndarray:
        """Each candidate's probability of being the event's ``side``."""
        weights, bias, _ = self.models[side]
        x = np.array([side_features(trigger, event_type, c, ctx) for c in candidates], dtype=np.float32)
        out: np.ndarray = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
        return out

    def choose(self, side: str, trigger: Token, event_type: str, candidates: Sequence[Candidate], ctx: Context) -> int:
        """The chosen candidate's index (0, the rules' choice, unless another is clearly likelier)."""
        if len(candidates) < 2 or side not in self.models:
            return 0
        p = self.scores(side, trigger, event_type, candidates, ctx)
        best = int(np.argmax(p))
        return best if p[best] > p[0] + self.models[side][2] else 0


@functools.cache
def load_sides() -> SideModel:
    """The shipped actor and recipient chooser (``data/model/sides.json``), loaded once per process.

    Raises:
        ConfigError: the file is missing, or was trained on another feature layout.
    """
    path = _model_dir() / "sides.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError) as exc:
        raise ConfigError(f"the learned side chooser is missing: {path} (rebuild it with `make train`)") from exc
    _check_features(path, data, SIDES_VERSION)
    models = {
        side: (np.array(m["weights"], dtype=np.float32), float(m["bias"]), float(m["margin"]))
        for side in SIDES
        if (m := data.get(side)) is not None
    }
    return SideModel(models, data)
