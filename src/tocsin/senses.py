"""Senses: trigger words used in a sense that is no political event.

"Federer beat Agassi", "stocks plunged", "a storm battered the coast": the words
are event words, the sense is sport, markets or weather. The cues are data
(``data/senses.yaml``); :func:`rejected` says why a trigger is not an event.

Each sense is one small test on the trigger's parse: who does it (subject or
by-phrase), who undergoes it (object), its with- and of-phrases, what it
modifies, and for sport the words of the whole sentence. They run for every
trigger, so each looks only at the trigger's own dependents, except sport, which
scans the sentence once for a sport word or a score.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Token

from .errors import ConfigError
from .patterns import Pattern

# Named things that are no sport words whatever their words ("Arab League", "Davis Cup" is an EVENT and counts).
_NAMED = frozenset("ORG GPE NORP PERSON LAW FAC LOC PRODUCT".split())
# Entities that name a party or a place: a destination phrase holding one makes a trip a visit.
_PARTY = frozenset("GPE ORG NORP PERSON LOC FAC".split())
_SCORE_PART = re.compile(r"^\d{1,2}$")

_SECTIONS: dict[str, tuple[str, ...]] = {
    "sport": ("types", "words", "figurative", "people", "score_nouns"),
    "markets": ("types", "things", "undergoing", "undergoing_types", "quantities", "amounts", "amount_modifiers"),
    "weather": ("types", "things", "causes"),
    "weapon-description": ("types", "modes", "things"),
    "animals": ("types", "things"),
    "travel": ("types", "modes", "places", "travellers", "vehicles"),
    "goals": ("types", "verbs", "things"),
    "publication": ("types", "modes", "things"),
    "questions": ("types", "verbs", "question_words"),
    "figurative": ("types", "abstract_types", "talk", "framing", "doers", "things", "chances"),
}


@dataclass(frozen=True)
class Sense:
    """One section of ``senses.yaml``: the types it may drop and its word lists."""

    name: str
    types: frozenset[str] | None  # None: every type
    lists: dict[str, frozenset[str]]

    def applies(self, event_type: str) -> bool:
        """May this sense drop an event of ``event_type``?"""
        return self.types is None or event_type in self.types

    def __getitem__(self, key: str) -> frozenset[str]:
        return self.lists.get(key, frozenset())


def _words(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise ConfigError(f"senses.yaml: {where}: expected a list of words")
    return frozenset(str(v).lower() for v in value)


def parse_senses(data: Any) -> dict[str, Sense]:
    """The senses of a ``senses.yaml`` document.

    Raises:
        ConfigError: a section or field is unknown or not a list.
    """
    if not isinstance(data, dict):
        raise ConfigError("senses.yaml: expected a mapping of senses")
    out: dict[str, Sense] = {}
    for name, body in data.items():
        if name not in _SECTIONS:
            raise ConfigError(f"senses.yaml: unknown sense {name!r} (senses: {', '.join(_SECTIONS)})")
        if not isinstance(body, dict):
            raise ConfigError(f"senses.yaml: {name}: expected a mapping of fields")
        unknown = sorted(set(body) - set(_SECTIONS[name]))
        if unknown:
            raise ConfigError(f"senses.yaml: {name}: unknown field {unknown[0]!r}")
        types = body.get("types", "all")
        lists = {k: _words(v, f"{name}.{k}") for k, v in body.items() if k != "types"}
        allowed = None if types == "all" else frozenset(str(t).upper() for t in _words(types, f"{name}.types"))
        for key in ("undergoing_types", "abstract_types"):
            if key in lists:
                lists[key] = frozenset(t.upper() for t in lists[key])
        out[str(name)] = Sense(str(name), allowed, lists)
    return out


@functools.cache
def load_senses() -> dict[str, Sense]:
    """The shipped senses (``data/senses.yaml``), read once."""
    text = (resources.files("tocsin") / "data" / "senses.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"senses.yaml: not valid YAML: {exc}") from exc
    return parse_senses(data)


# --- reading the parse ---------------------------------------------------------------


def _forms(token: Token) -> set[str]:
    """Lemma, lower-case form and a naive singular ("stocks" → "stock"), to look a word up."""
    lower = token.lower_
    forms = {token.lemma_.lower(), lower}
    if lower.endswith("s") and not lower.endswith("ss"):
        forms.add(lower[:-1])
    return forms


def _is(token: Token, words: frozenset[str]) -> bool:
    return not _forms(token).isdisjoint(words)


def _with_modifiers(token: Token) -> Iterator[Token]:
    """A noun and the nouns compounded onto it ("Hurricane Ian", "oil prices", "stock market")."""
    yield token
    yield from (c for c in token.children if c.dep_ == "compound")


def _pobjs(token: Token, prepositions: Iterable[str]) -> Iterator[Token]:
    """Objects of the token's prepositions ("bombarded with questions" → questions)."""
    wanted = set(prepositions)
    for prep in token.children:
        if prep.dep_ in ("prep", "agent") and prep.lower_ in wanted:
            yield from (c for c in prep.children if c.dep_ == "pobj")


def _doers(token: Token) -> list[Token]:
    """Who does what a trigger says: a verb's subject or by-phrase (its head's when it is a conjoined
    verb without one); a noun's possessor and modifiers."""
    if token.pos_ in ("NOUN", "PROPN"):
        return [c for c in token.children if c.dep_ in ("poss", "compound", "amod")]
    found = [c for c in token.children if c.dep_ in ("nsubj", "csubj")]
    found += list(_pobjs(token, ("by",)))
    if not found and token.dep_ == "conj" and token.head.pos_ in ("VERB", "AUX"):
        found = [c for c in token.head.children if c.dep_ in ("nsubj", "csubj")]
    if token.dep_ == "relcl" and token.head.pos_ in ("NOUN", "PROPN"):
        # "the storm that hit the coast": the relative pronoun stands for the noun
        found = [token.head if c.tag_ in ("WDT", "WP") else c for c in found]
    if not found and token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN") and token.tag_ == "VBG":
        found = [token.head]  # "tariffs targeting Canada": the tariffs do the targeting
    return found


def _undergoers(token: Token) -> list[Token]:
    """Who or what undergoes a verb trigger: its object or passive subject; a noun's in- or of-phrase."""
    if token.pos_ in ("NOUN", "PROPN"):
        return list(_pobjs(token, ("of", "in")))
    return [c for c in token.children if c.dep_ in ("dobj", "nsubjpass", "attr")]


def _any_is(tokens: Iterable[Token], words: frozenset[str]) -> bool:
    return any(_is(m, words) for t in tokens for m in _with_modifiers(t))


# --- the senses ----------------------------------------------------------------------


def _is_score(token: Token, sense: Sense) -> bool:
    """``token`` starts a score: "3-0", "6-4" (three tokens as spaCy splits them), not a range of things."""
    doc, i = token.doc, token.i
    if i + 2 >= len(doc) or doc[i + 1].text not in ("-", "–") or token.whitespace_ or doc[i + 1].whitespace_:
        return False
    if not (_SCORE_PART.match(token.text) and _SCORE_PART.match(doc[i + 2].text)):
        return False
    if i + 3 == len(doc):
        return True
    after = doc[i + 3]
    if after.text == "%" or after.lower_ in ("percent", "per"):
        return False
    # "10-15 people", "a 5-4 ruling", "2-3 March" count things or days; "a 3-0 win" is a score
    return after.pos_ not in ("NOUN", "PROPN", "NUM", "SYM") or _is(after, sense["score_nouns"])


def _sport_word(token: Token, sense: Sense) -> bool:
    if token.pos_ not in ("NOUN", "PROPN") or not _is(token, sense["words"]):
        return False
    if token.ent_type_ in _NAMED or token.dep_ == "compound":
        return False  # "the Arab League"; "game changer"
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
        return False  # "the game of politics", "a set of sanctions"
    if token.dep_ == "pobj" and token.head.lower_ == "of" and _is(token.head.head, sense["figurative"]):
        return False  # "the rules of the game", "the name of the game"
    return not any(_is(c, sense["figurative"]) for c in token.children if c.dep_ in ("compound", "amod"))


def _sport(token: Token, sense: Sense) -> bool:
    """A sport word or a score in the sentence, or a player or team doing or undergoing the event."""
    if _any_is(_doers(token) + _undergoers(token), sense["people"]):
        return True
    return any(_sport_word(t, sense) or _is_score(t, sense) for t in token.sent)


def _markets(token: Token, sense: Sense, event_type: str) -> bool:
    """A market noun doing the event; an abstract one undergoing or modifying it, for some types;
    an event noun used as a bare quantity ("Chinese demand", "cannot keep up with demand") or as an
    amount ("a great deal of uncertainty")."""
    if _is(token, sense["quantities"]) and _bare(token):
        return True
    if _is(token, sense["amounts"]) and any(_is(c, sense["amount_modifiers"]) for c in token.children):
        return True  # "a great deal of uncertainty"
    things = _doers(token) if token.pos_ not in ("NOUN", "PROPN") else []
    if _any_is(things, sense["things"]):
        return True
    if event_type not in sense["undergoing_types"]:
        return False
    around = _undergoers(token) + (_doers(token) if token.pos_ in ("NOUN", "PROPN") else [])
    return _any_is(around, sense["undergoing"])


def _bare(noun: Token) -> bool:
    """A singular noun with no determiner, possessor or complement: a quantity, not an act."""
    if noun.tag_ != "NN":
        return False
    return not any(
        c.dep_ in ("det", "poss", "acl", "relcl", "ccomp") or (c.dep_ == "prep" and c.lower_ in ("for", "of", "from"))
        for c in noun.children
    )


def _weather(token: Token, sense: Sense) -> bool:
    """A natural event or an accident doing it: "floods hit the region", "the coast was battered by a
    storm", "the worst flooding to hit Europe", "killed in the crash"."""
    if token.pos_ in ("NOUN", "PROPN"):
        return False
    doers = _doers(token) or ([token.head] if token.dep_ in ("acl", "relcl") and token.head.pos_ == "NOUN" else [])
    # "five people were killed in the crash", "died in the floods": what they died in
    return _any_is(doers, sense["things"]) or _any_is(_pobjs(token, ("in", "during")), sense["causes"])


def _animals(token: Token, sense: Sense) -> bool:
    """An animal doing or undergoing it, or what a quantity of its undergoers counts ("millions of dogs")."""
    sides = _doers(token) + _undergoers(token)
    return _any_is(sides, sense["things"]) or _any_is((o for t in sides for o in _pobjs(t, ("of",))), sense["things"])


def _goals(token: Token, sense: Sense) -> bool:
    """Meeting a goal ("meet targets", "demands were met") or being met with a reaction ("was met with
    criticism"); "Trump met with Putin" stays a meeting."""
    if token.lemma_.lower() not in sense["verbs"] or token.pos_ in ("NOUN", "PROPN"):
        return False
    met = _undergoers(token)
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children):
        met += list(_pobjs(token, ("with", "by")))
    return _any_is(met, sense["things"])


def _question(token: Token, sense: Sense) -> bool:
    """Asking a question ("'who is dead?' she asked", "asked whether talks would resume", "he asked."),
    not asking someone for something ("asked Kenya to withdraw", "asked for help")."""
    if token.lemma_.lower() not in sense["verbs"] or token.pos_ in ("NOUN", "PROPN"):
        return False
    children = list(token.children)
    asked_of = any(c.dep_ in ("dobj", "dative", "xcomp") for c in children) or any(
        c.dep_ == "prep" and c.lower_ in ("for", "to") for c in children
    )
    clauses = [c for c in children if c.dep_ in ("ccomp", "parataxis")]
    if any(c.left_edge.lower_ in sense["question_words"] for c in clauses):
        return True
    return not asked_of


def _weapon_description(token: Token, sense: Sense, mode: str | None) -> bool:
    """A participle describing a noun ("drones armed with explosives"), with no by-phrase naming a giver."""
    if sense["modes"] and (mode or "") not in sense["modes"]:
        return False
    if token.dep_ not in ("acl", "amod") or token.head.pos_ not in ("NOUN", "PROPN") or token.tag_ == "VBG":
        return False
    if any(c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by") for c in token.children):
        return False  # "rebels armed by Iran": Iran armed them
    if any(c.dep_ == "prep" and c.lower_ == "with" for c in token.children):
        return True
    # "armed drones"; not "groups donated and delivered goods", a predicate the parser took for a modifier
    bare = not any(c.dep_ in ("prep", "dobj", "dative", "conj") for c in token.children)
    return bare and _is(token.head, sense["things"])


def _destinations(token: Token) -> list[Token]:
    """Where a trip goes: the object of a visit, the pobj of "to"/"in" of "fly to", "a trip to"."""
    found = list(_pobjs(token, ("to", "in", "into")))
    if token.pos_ not in ("NOUN", "PROPN"):
        found += [c for c in token.children if c.dep_ == "dobj"]
    return found


def _travel(token: Token, sense: Sense, mode: str | None) -> bool:
    """A trip by private travellers ("tourists visited Vietnam"), or to a facility or generic place
    with no named party anywhere in its phrases."""
    if sense["modes"] and (mode or "") not in sense["modes"]:
        return False
    doers = _doers(token)
    # "thousands of tourists": what the quantity counts
    private = sense["travellers"] | sense["vehicles"]
    if doers and all(_is(d, private) or _any_is(_pobjs(d, ("of",)), private) for d in doers):
        return True
    destinations = _destinations(token)
    if not destinations or not all(_is(d, sense["places"]) for d in destinations):
        return False
    # "visited a base in Poland", "flew to the front near Bakhmut", "visited the Kremlin's hospital"
    phrases = [*destinations, *_pobjs(token, ("in", "at", "near", "to", "into", "on", "for", "with"))]
    return not any(t.ent_type_ in _PARTY for p in phrases for t in p.subtree)


def _publication(token: Token, sense: Sense, mode: str | None) -> bool:
    """A release of a document or recording ("released a video", "a report released Thursday")."""
    if sense["modes"] and (mode or "") not in sense["modes"]:
        return False
    released = _undergoers(token)
    if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
        released.append(token.head)  # "a video message released Sunday"
    return bool(released) and all(_is(t, sense["things"]) for t in released)


def _figurative(token: Token, sense: Sense, event_type: str) -> bool:
    """Force applied to talk or to an abstract thing, or force governed by talk."""
    talk = sense["talk"]
    if token.pos_ in ("NOUN", "PROPN"):
        if any(_is(p, talk) for p in _pobjs(token, ("of",))):
            return True  # "a barrage of criticism", "a war of words"
        # "the rhetoric of war", "war rhetoric"; not "reports of shelling", which tells of one
        governor = token.head.head if token.dep_ == "pobj" and token.head.lower_ == "of" else token.head
        return token.dep_ in ("pobj", "compound") and _is(governor, sense["framing"])
    if any(_is(p, talk) for p in _pobjs(token, ("with",))):
        return True  # "bombarded with questions"
    objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    if any(_is(o, sense["chances"]) for o in objects):
        return True  # "seize the opportunity", "capture the mood of voters", "take the lead"
    if event_type not in sense["abstract_types"]:
        return False
    if _any_is(_doers(token), sense["doers"]):
        return True  # "the crisis hit Europe"
    return any(_is(o, talk) or _is(o, sense["things"]) for o in objects)  # "attacked the proposal", "hit a record"


def rejected(token: Token, pattern: Pattern) -> str | None:
    """Why ``token`` does not say a political event here, or None if it may.

    The reason is the name of the ``senses.yaml`` section that recognised the sense:
    "sport", "markets", "weather", "animals", "weapon-description", "travel", "goals", "publication",
    "questions" or "figurative"; or "date"
    for a word that is part of a date or time ("relations by March").
    """
    if token.ent_type_ in ("DATE", "TIME"):
        return "date"
    senses = load_senses()
    kind = pattern.event_type
    for name, sense in senses.items():
        if not sense.applies(kind):
            continue
        if name == "sport":
            hit = _sport(token, sense)
        elif name == "markets":
            hit = _markets(token, sense, kind)
        elif name == "weather":
            hit = _weather(token, sense)
        elif name == "animals":
            hit = _animals(token, sense)
        elif name == "goals":
            hit = _goals(token, sense)
        elif name == "weapon-description":
            hit = _weapon_description(token, sense, pattern.mode)
        elif name == "travel":
            hit = _travel(token, sense, pattern.mode)
        elif name == "publication":
            hit = _publication(token, sense, pattern.mode)
        elif name == "questions":
            hit = _question(token, sense)
        else:
            hit = _figurative(token, sense, kind)
        if hit:
            return name
    return None
