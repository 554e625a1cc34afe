"""Triggers: the words of a sentence that say an event happened, and the seam for coders.

A coder is anything with a ``name`` and ``find_triggers(sentence) -> list[Trigger]``.
Everything after that (roles, modality, dates, places, the event records) runs once,
in :mod:`tocsin.events`, on whatever triggers a coder proposes, so a learned coder
or a user's own plugs in without touching the rest. :class:`RuleCoder` finds them
with the patterns of :mod:`tocsin.patterns`; :func:`combined` puts coders together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Span, Token

from .modality import DEMAND, PERCEIVE, claimed_by
from .patterns import Pattern, Patterns, held_in, is_light, judging_head, match_noun, match_predicate, match_verb
from .senses import rejected
from .words import words


@dataclass(frozen=True, slots=True)
class Trigger:
    """A proposed event: where it is said, what it is, and who proposed it how surely.

    ``start``/``end`` are token offsets in the sentence's ``Doc`` (the head word
    is ``start``); ``used`` are the offsets of the pattern's other words ("on" in
    "call on"), which are never the recipient themselves.
    """

    start: int
    end: int
    pattern: Pattern
    source: str  # "pattern 'call on'", "model backoff-1"
    score: float = 1.0
    used: tuple[int, ...] = ()

    @property
    def event_type(self) -> str:
        """The PLOVER event type."""
        return self.pattern.event_type

    @property
    def mode(self) -> str | None:
        """The PLOVER mode, if the words say one."""
        return self.pattern.mode

    @property
    def cameo(self) -> str:
        """The CAMEO code."""
        return self.pattern.cameo


class Coder(Protocol):
    """What proposes triggers. Roles and the rest are not its business."""

    @property
    def name(self) -> str:
        """Who proposed a trigger, for ``explain``."""
        ...

    def find_triggers(self, sentence: Span) -> list[Trigger]:
        """The triggers of one parsed sentence."""
        ...


_FIGURATIVE = words("figurative_modifiers")


_FORCE = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "THREATEN"})


def figurative(token: Token, pattern: Pattern) -> bool:
    """ "An economic war", "a trade war", "a propaganda offensive": not armed conflict
    (but "economic cooperation" is cooperation)."""
    if pattern.event_type not in _FORCE:
        return False
    return any(c.lower_ in _FIGURATIVE for c in token.children if c.dep_ in ("amod", "compound"))


def national(token: Token, pattern: Pattern) -> bool:
    """ "U.S. sanctions", "Russian strikes": a country or nationality modifier says whose event
    it is (not for mutual events: "the Ukraine war" is where, not by whom)."""
    return not pattern.symmetric and any(
        c.dep_ in ("amod", "compound") and c.ent_type_ in ("GPE", "NORP") for c in token.lefts
    )


def noun_is_event(token: Token, pattern: Pattern | None = None) -> bool:
    """Is an event noun used as an event here, rather than mentioned in passing?"""
    head = token.head
    if token.dep_ == "conj" and head.pos_ in ("NOUN", "PROPN") and head is not token:
        return noun_is_event(head)  # "suspended aid and intelligence sharing": both, where the first stands
    if held_in(token) is not None:
        return True  # "remains in custody", "came under attack", "the two sides are in talks"
    if carried_by_clause(token) is not None:
        return True  # "the attack they carried out", "the sanctions Washington imposed"
    if pattern is not None and pattern.state:
        return False  # "the prison's director": a condition is an event only where someone is in it
    if pattern is not None and national(token, pattern):
        return True
    if any(c.dep_ == "det" and c.lower_ == "no" for c in token.children) and not _observed(token):
        return False  # "poses no threat to NATO": an assessment; "has seen no withdrawal" is an event, negated
    if _existential(token) or any(c.dep_ == "poss" for c in token.children):
        return True
    if any(
        c.dep_ == "prep" and c.lower_ in ("with", "against", "on", "by", "between", "to", "from")
        for c in token.children
    ):
        return True
    if token.dep_ in ("dobj", "nsubjpass", "attr") and (is_light(head) or head.lemma_ in PERCEIVE):
        return True
    if token.dep_ == "dobj" and head.lemma_ in RECEIVING:
        return True  # "received aid from Japan", "faced criticism": done to the subject
    if token.dep_ == "dobj" and head.lemma_ in ASKING:
        return True  # "demanded the release of prisoners", "urged a ceasefire": a demanded event
    if claimed_by(token) is not None:
        return True  # "claimed responsibility for the attack"
    if token.dep_ == "nsubj" and head.lemma_ in _ASPECTUAL:
        return True  # "the shelling continued", "talks resumed"
    if any(c.dep_ == "prep" and c.lower_ == "of" and any(_named(o) for o in c.children) for c in token.children):
        return True  # "the shelling of Kharkiv", "the arrest of Navalny"
    if token.dep_ == "pobj" and head.dep_ == "prep" and is_light(head.head):
        return True  # "agreed on a ceasefire", "called for talks"
    # "no sign of withdrawal", "evidence of shelling"
    return (
        token.dep_ == "pobj"
        and head.lower_ == "of"
        and head.head.lemma_ in ("sign", "evidence", "indication", "report")
    )


def carried_by_clause(noun: Token) -> Token | None:
    """The light verb of a relative clause that does an event noun ("the attacks the group carried
    out", "the sanctions Washington imposed on Moscow"), or None."""
    return next((c for c in noun.children if c.dep_ == "relcl" and is_light(c)), None)


def _existential(token: Token) -> bool:
    """ "There were clashes", "there has been no pullback": the sentence says whether it happened."""
    head = token.head
    return head.lemma_ == "be" and token.dep_ == "attr" and any(c.dep_ == "expl" for c in head.children)


def _observed(token: Token) -> bool:
    """ "Has seen no withdrawal", "there has been no pullback": an event said not to have happened."""
    return _existential(token) or token.head.lemma_ in PERCEIVE


# verbs whose subject undergoes the event noun they take ("faced criticism", "received aid")
RECEIVING = words("receiving_verbs")
# verbs whose subject asks for the event noun they take ("demanded the release")
ASKING = DEMAND - words("commanding_verbs")

# verbs that say an event noun's event goes on, starts or stops
_ASPECTUAL = words("aspectual_verbs")


def _named(token: Token) -> bool:
    return token.pos_ == "PROPN" or token.ent_type_ in ("GPE", "NORP", "ORG", "PERSON", "LOC", "FAC")


def is_verb(token: Token) -> bool:
    """A verb, including ones the tagger calls a verb but the parser does not."""
    return token.pos_ in ("VERB", "AUX") or (token.tag_.startswith("VB") and token.pos_ != "PROPN")


@dataclass(frozen=True)
class RuleCoder:
    """Triggers from the pattern lexicon: verb phrases first, then event nouns."""

    patterns: Patterns
    name: str = "rules"

    def find_triggers(self, sentence: Span) -> list[Trigger]:
        """Verb and noun triggers of ``sentence``, minus figurative and non-political senses."""
        found: list[Trigger] = []
        consumed: dict[int, str] = {}  # word → the type of the phrase that used it
        for token in sentence:
            if not is_verb(token):
                continue
            match = match_verb(token, self.patterns)
            if match is None or consumed.get(token.i) == match[0].event_type:
                continue  # "issued a statement condemning": one ACCUSE; but "urged Iran to withdraw" is two events
            pattern, used = match
            consumed.update((t.i, pattern.event_type) for t in used)
            # an event noun carried by a light verb is the event: "impose sanctions" → SANCTION
            noun = next((c for c in token.children if c.dep_ == "dobj" and c.i not in consumed), None)
            if noun is not None and is_light(token) and match_noun(noun, self.patterns) and not pattern.words:
                continue
            if rejected(token, pattern) is None:
                found.append(_trigger(token, pattern, tuple(t.i for t in used)))
        for token in sentence:
            if token.pos_ not in ("NOUN", "PROPN") or token.i in consumed:
                continue
            noun_pattern = match_noun(token, self.patterns)
            if noun_pattern is None or not noun_is_event(token, noun_pattern) or figurative(token, noun_pattern):
                continue
            if rejected(token, noun_pattern) is None:
                found.append(_trigger(token, noun_pattern, ()))
        judged: set[int] = set()  # one judgment per clause: "unfair and inhumane" is one act of saying
        for token in sentence:
            if token.pos_ not in ("ADJ", "NOUN", "VERB") or token.i in consumed:
                continue
            predicate = match_predicate(token, self.patterns)
            if predicate is None:
                continue
            head = judging_head(token)
            if head is None or head.i in judged or head.i in consumed:
                continue
            if rejected(token, predicate) is None:
                judged.add(head.i)
                found.append(_trigger(token, predicate, ()))
        return found


def _trigger(token: Token, pattern: Pattern, used: tuple[int, ...]) -> Trigger:
    score = 0.9 if pattern.words else 0.8
    return Trigger(
        token.i, token.i + 1, pattern, f"pattern {pattern.phrase!r}", score if not pattern.noun else 0.7, used
    )


@dataclass(frozen=True)
class Combined:
    """Several coders as one: the first coder's trigger wins where two propose the same word."""

    coders: Sequence[Coder]
    name: str = "combined"

    def find_triggers(self, sentence: Span) -> list[Trigger]:
        """Every coder's triggers, without two on one word."""
        taken: set[int] = set()
        out: list[Trigger] = []
        for coder in self.coders:
            for trigger in coder.find_triggers(sentence):
                if trigger.start not in taken:
                    taken.add(trigger.start)
                    out.append(trigger)
        return sorted(out, key=lambda t: t.start)


def combined(*coders: Coder) -> Coder:
    """One coder from several, in order of trust."""
    if len(coders) == 1:
        return coders[0]
    return Combined(tuple(coders), "+".join(c.name for c in coders))
