"""Event patterns: the words that carry each PLOVER event, loaded from data, and matching them.

A :class:`Pattern` is one way English says an event (a verb phrase or an event
noun) with its coding and its argument structure: which prepositions carry the
recipient, whether a noun's of-phrase does the event or undergoes it, and whether
conjoined actors do it to each other (``symmetric``: "Serbia and Kosovo
normalized relations"). The shipped patterns are ``data/patterns.yaml`` and every
file in ``data/lexicon/``; users add their own files, which win.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Token

from .errors import ConfigError
from .ontology import Ontology, load_ontology
from .words import words

# Verbs that only carry an event noun ("hold talks", "impose sanctions"): the noun is the event.
LIGHT_VERBS = words("light_verbs")


@dataclass(frozen=True, slots=True)
class Pattern:
    """One way of saying an event: a phrase and the coding it gets."""

    event_type: str
    mode: str | None
    cameo: str
    context: tuple[str, ...]
    phrase: str
    head: str
    words: tuple[str, ...]
    noun: bool
    recipient: tuple[str, ...] = ()  # prepositions that carry the recipient, tried first
    of_actor: bool = False  # a noun's of-phrase does it ("the withdrawal of troops"), not undergoes it
    symmetric: bool = False  # conjoined actors do it to each other ("A and B exchanged prisoners")
    needs_recipient: bool = False  # an event only when someone undergoes it ("helped Haiti", not "helped explain")
    state: bool = False  # a condition someone is held in ("in prison", "in custody"): an event only there
    reciprocal: bool = False  # done with someone is done by them too ("A met B": B met A)
    # backing given by or to an armed side is material help, AID/military ("soldiers supported by militias")
    armed_aid: bool = False
    # a noun's possessor undergoes it ("Zamora's detention", "his release") unless an of-phrase
    # names who does ("the army's release of prisoners")
    possessor_undergoes: bool = False
    # a word of judgment, not a verb or event noun: said of what is judged ("judged": "called the ruling
    # arbitrary", "the law is illegal") or of the one who judges ("judge": "we are deeply concerned about")
    predicate: str = ""


@dataclass(frozen=True)
class Patterns:
    """Verb patterns by lemma (longest phrase first) and noun patterns by key."""

    verbs: dict[str, list[Pattern]] = field(default_factory=dict)
    nouns: dict[str, Pattern] = field(default_factory=dict)
    predicates: dict[str, list[Pattern]] = field(default_factory=dict)  # judgments and feelings by head word


_KINDS = ("verbs", "nouns", "judgments", "feelings")
_FLAGS = "of_actor symmetric reciprocal needs_recipient state possessor_undergoes armed_aid".split()
_KEYS = frozenset(("mode", "cameo", "context", *_KINDS, "recipient", *_FLAGS))
_PREDICATES = {"judgments": "judged", "feelings": "judge"}


def _entries(data: Any, source: str, ontology: Ontology) -> Iterator[Pattern]:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a patterns file maps event types to lists of entries")
    for type_name, entries in data.items():
        try:
            event_type = ontology.canonical(str(type_name))
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from exc
        if not isinstance(entries, list):
            raise ConfigError(f"{source}: {type_name}: expected a list of entries")
        for number, entry in enumerate(entries, start=1):
            where = f"{source}: {type_name} entry {number}"
            if not isinstance(entry, dict) or not any(entry.get(k) for k in ("verbs", "nouns", *_PREDICATES)):
                raise ConfigError(f"{where}: an entry needs 'verbs', 'nouns', 'judgments' or 'feelings'")
            unknown = sorted(set(entry) - _KEYS)
            if unknown:
                raise ConfigError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(sorted(_KEYS))})")
            mode = entry.get("mode")
            if mode is not None and (event_type, mode) not in ontology.modes:
                raise ConfigError(f"{where}: field 'mode': {mode!r} is not a mode of {event_type}")
            cameo = str(entry.get("cameo") or ontology.code_for(event_type, mode))
            if cameo not in ontology.cameo:
                raise ConfigError(f"{where}: field 'cameo': {cameo!r} is not a CAMEO code")
            base = Pattern(  # one entry's coding and argument structure, shared by its phrases
                event_type,
                mode,
                cameo,
                tuple(entry.get("context") or ()),
                phrase="",
                head="",
                words=(),
                noun=False,
                recipient=tuple(str(p).lower() for p in entry.get("recipient") or ()),
                of_actor=bool(entry.get("of_actor")),
                symmetric=bool(entry.get("symmetric")),
                needs_recipient=bool(entry.get("needs_recipient")),
                state=bool(entry.get("state")),
                reciprocal=bool(entry.get("reciprocal")),
                possessor_undergoes=bool(entry.get("possessor_undergoes")),
                armed_aid=bool(entry.get("armed_aid")),
            )
            for phrase in entry.get("verbs") or ():
                words = str(phrase).lower().split()
                yield replace(base, phrase=str(phrase), head=words[0], words=tuple(words[1:]))
            for phrase in entry.get("nouns") or ():
                words = str(phrase).lower().split()
                yield replace(base, phrase=" ".join(words), head=words[-1], words=tuple(words[:-1]), noun=True)
            for key, said_of in _PREDICATES.items():
                for phrase in entry.get(key) or ():
                    words = str(phrase).lower().split()  # "politically motivated": modifiers, then the word
                    yield replace(
                        base, phrase=" ".join(words), head=words[-1], words=tuple(words[:-1]), predicate=said_of
                    )


@functools.cache
def load_patterns(extra: tuple[str, ...] = ()) -> Patterns:
    """The shipped patterns, with the user's files first (so theirs win).

    Raises:
        ConfigError: a pattern file is malformed; the message names file, type and entry.
    """
    ontology = load_ontology()
    patterns = Patterns()
    sources = [(Path(p).read_text(encoding="utf-8"), p) for p in extra]
    data_dir = resources.files("tocsin") / "data"
    sources.append(((data_dir / "patterns.yaml").read_text(encoding="utf-8"), "patterns.yaml"))
    lexicon = sorted((f for f in (data_dir / "lexicon").iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    sources += [(f.read_text(encoding="utf-8"), f"lexicon/{f.name}") for f in lexicon]
    for text, source in sources:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
        for pattern in _entries(data, source, ontology):
            if pattern.predicate:
                patterns.predicates.setdefault(pattern.head, []).append(pattern)
            elif pattern.noun:
                patterns.nouns.setdefault(pattern.phrase, pattern)
            else:
                patterns.verbs.setdefault(pattern.head, []).append(pattern)
    for table in (patterns.verbs, patterns.predicates):
        for head, found in table.items():
            # the longest phrase wins; among equals the first loaded (user files first)
            table[head] = sorted(found, key=lambda p: -len(p.words))
    return patterns


# --- triggers ----------------------------------------------------------------------


def _dependent_lemmas(token: Token) -> dict[str, Token]:
    """Lemmas (and lower-case words) of a verb's dependents, two levels down."""
    found: dict[str, Token] = {}
    for child in token.children:
        if child.dep_ in ("nsubj", "csubj"):
            continue  # "aid agencies distributed relief" is no "distribute aid": the subject is not the phrase
        if child.dep_ == "aux" and child.lower_ == "to":
            continue  # "allowed to undertake trips" is no "undertake to": its own infinitive marker is not
        if child.dep_ == "prep" and any(o.ent_type_ in ("DATE", "TIME") for o in child.children):
            continue  # "marched on Saturday" is no "march on": a date's preposition is not the phrase's
        if child.lower_ == "according":
            continue  # "according to the report, users reached 196 million" is no "reach accord"
        # what a judging verb calls something is no part of its phrase: "called it a victory for Sudan"
        # is no "call for"
        tokens = [child] if child.dep_ in ("oprd", "attr") else [child, *child.children]
        if child.dep_ == "dobj":
            # words inside the object's phrase: "suspended part of a military aid program"
            tokens += [t for t in child.subtree if t.dep_ in ("compound", "amod", "pobj") and t.i - child.i < 6]
        for t in tokens:
            if t.i != token.i:
                for form in _forms(t):
                    found.setdefault(form, t)
    return found


def _forms(token: Token) -> tuple[str, ...]:
    """Lemma, lower-case form and a naive singular: the small model's lemmatizer
    sometimes misses plurals ("bases" → "basis")."""
    lower = token.lower_
    singular = lower[:-1] if lower.endswith("s") and not lower.endswith("ss") else lower
    return (token.lemma_.lower(), lower, singular)


def verb_forms(token: Token) -> tuple[str, ...]:
    """The lemma, then base forms guessed from the surface: the small model's
    lemmatizer misses some ("staged" → "stag"), and a missed verb is a missed event."""
    low = token.lower_
    forms = [token.lemma_.lower(), low]
    if low.endswith("ied"):
        forms.append(low[:-3] + "y")  # tried → try
    if low.endswith("ed"):
        forms += [low[:-1], low[:-2], low[:-3]]  # staged → stage, walked → walk, stopped → stop
    if low.endswith("ing"):
        forms += [low[:-3], low[:-3] + "e", low[:-4]]  # walking, staging, stopping
    if low.endswith("s"):
        forms += [low[:-1], low[:-2]]
    return tuple(dict.fromkeys(f for f in forms if len(f) > 1))


def is_light(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and any(f in LIGHT_VERBS for f in verb_forms(token))


def match_verb(token: Token, patterns: Patterns) -> tuple[Pattern, list[Token]] | None:
    """The longest verb pattern this token starts, with the dependents it used."""
    candidates = next((patterns.verbs[f] for f in verb_forms(token) if f in patterns.verbs), None)
    if not candidates:
        return None
    deps = _dependent_lemmas(token) if any(p.words for p in candidates) else {}
    for pattern in candidates:
        if all(w in deps for w in pattern.words):
            return pattern, [deps[w] for w in pattern.words]
    return None


def _hyphenated(token: Token) -> str | None:
    doc = token.doc
    i = token.i
    if i >= 2 and doc[i - 1].text == "-" and not doc[i - 2].whitespace_ and not doc[i - 1].whitespace_:
        return f"{doc[i - 2].lower_}-{token.lower_}"
    return None


def match_noun(token: Token, patterns: Patterns) -> Pattern | None:
    """The event-noun pattern this token heads ("loan guarantee", "de-escalation")."""
    lemma = token.lemma_.lower()
    mods = [c for c in token.lefts if c.dep_ in ("compound", "amod", "nmod")]
    keys = []
    for mod in mods:
        words = [t.lower_ for t in mod.subtree if t.i < token.i]
        joined = "".join(t.text_with_ws for t in mod.subtree if t.i < token.i).strip().lower()
        keys += [f"{joined} {lemma}", f"{joined} {token.lower_}", f"{' '.join(words)} {lemma}"]
    hyphen = _hyphenated(token)
    if hyphen:
        keys.append(hyphen)
    for prep in token.children:  # "expulsion of diplomats", "show of force"
        if prep.dep_ == "prep" and prep.lower_ == "of":
            keys += [f"{lemma} of {o.lemma_.lower()}" for o in prep.children if o.dep_ == "pobj"]
    keys += [lemma, token.lower_]
    for key in keys:
        if key in patterns.nouns:
            return patterns.nouns[key]
    return None


# Verbs that pass judgment on their object: "called the ruling arbitrary", "described it as inhumane".
JUDGING_VERBS = words("judging_verbs")
# Verbs that link a subject to what is said of it: "the law is illegal", "we remain concerned".
_LINKING = frozenset({"be", "seem", "appear", "remain", "look", "sound", "feel", "become", "get", "grow", "’re", "’m"})


def judging_head(token: Token) -> Token | None:
    """The verb a word of judgment is predicated through ("is" in "it is illegal", "called" in
    "called it arbitrary" or "characterized as inhumane"), or None where the word is not said
    of anything (an attribute: "an illegal crossing"). A list ("unfair and inhumane") is said
    through its first word's verb, so the words of one list share one head."""
    while token.dep_ == "conj":
        token = token.head
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "as":
        head = head.head  # "characterized as inhumane"
        return head if head.lemma_ in JUDGING_VERBS else None
    # ("'re" is a copula the lemmatizer may leave as it is)
    linking = head.lemma_ in _LINKING or head.lemma_ in JUDGING_VERBS or head.pos_ == "AUX"
    if token.dep_ in ("acomp", "attr") and linking:
        return head
    if token.dep_ == "amod" and head.dep_ == "attr" and head.head.lemma_ in _LINKING:
        return head.head  # "this is a baseless case": the case is judged baseless
    if token.dep_ in ("oprd", "xcomp", "ccomp", "dobj") and head.lemma_ in JUDGING_VERBS:
        return head
    children = list(token.children)
    if any(c.dep_ == "aux" and c.lemma_ == "be" for c in children) and any(
        c.dep_ in ("nsubj", "csubj") for c in children
    ):
        return token  # "being returned there is unacceptable": the copula parsed as an auxiliary
    return None


def match_predicate(token: Token, patterns: Patterns) -> Pattern | None:
    """The judgment or feeling pattern a predicative word states ("politically motivated", "unacceptable")."""
    candidates = next((patterns.predicates[f] for f in _forms(token) if f in patterns.predicates), None)
    if not candidates or judging_head(token) is None:
        return None
    mods = {form for c in token.lefts if c.dep_ in ("advmod", "amod", "compound", "npadvmod") for form in _forms(c)}
    return next((p for p in candidates if all(w in mods for w in p.words)), None)


# Verbs that put or keep someone in a condition: "remains in custody", "spent years in prison".
_HOLDING = words("holding_verbs")


def held_in(noun: Token) -> Token | None:
    """The verb that has someone in or under an event noun's condition ("is in talks", "remains in
    custody", "kept him in detention", "came under attack", "is under sanctions"), or None."""
    prep = noun.head
    if noun.dep_ != "pobj" or prep.dep_ != "prep" or prep.lower_ not in ("in", "under"):
        return None
    verb = prep.head
    return verb if verb.pos_ in ("VERB", "AUX") and verb.lemma_ in _HOLDING else None
