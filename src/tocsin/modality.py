"""Polarity, modality and attribution of an event trigger, read off the dependency parse.

Walking from the trigger up through its governing words, the nearest cue wins:

* own auxiliaries: will/shall → intended; could/might/may/can → hypothetical;
  must/should → demanded;
* governing verbs: "plan/aim/seek/vow/promise/prepare to X" → intended;
  "call on/urge/demand/ask Y to X" → demanded; "deny that X" → denied;
  "threaten to X" → hypothetical; "refuse/fail to X" → negated; a hope, fear or guess
  ("hopes the talks will resume") or an indirect question ("unclear whether") → hypothetical;
* an "if/unless" clause → conditional;
* a reporting verb ("said that X", "accused Y of X") → claimed, asserted by its
  subject; so is a direct quotation (asserted by its speaker) and "according to Y".

Negation: "not"/"never" on the trigger, "no" on an event noun, or a negated verb
of perception or evidence governing it ("have not seen any withdrawal").
Everything else is the outlet's own voice: actual, affirmed, asserted by no one.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from .actors import REPORTING
from .patterns import verb_forms
from .quotes import inside, subject_of
from .words import words

INTEND = words("intend_verbs")
DEMAND = words("demand_verbs")
DENY = words("deny_verbs")
NEGATING = words("negating_verbs")
PERCEIVE = words("perceive_verbs")
HYPOTHETICAL_GOVERNORS = words("hypothetical_governors")
SPECULATING = words("speculating_verbs")
OPINION = words("opinion_verbs")
DEMAND_NOUNS = words("demand_nouns")
INTEND_NOUNS = words("intend_nouns")
READY = words("ready_adjectives")
LIKELY = words("likely_adjectives")
ACCUSING = words("accusing_verbs")
_BACKGROUND = words("background_prepositions")
_MODALS = {
    "will": "intended",
    "shall": "intended",
    "'ll": "intended",
    "wo": "intended",
    "would": "intended",
    "could": "hypothetical",
    "might": "hypothetical",
    "may": "hypothetical",
    "can": "hypothetical",
    "ca": "hypothetical",
    "must": "demanded",
    "should": "demanded",
}
_NEGATORS = {"not", "n't", "never", "no", "without", "nor"}


@dataclass(frozen=True, slots=True)
class Assessment:
    """How an event is reported: polarity, modality, who asserts it, and why."""

    polarity: str = "affirmed"
    modality: str = "actual"
    asserter: Token | None = None
    quote: tuple[int, int] | None = None
    cue: str = ""


def _negated(token: Token) -> bool:
    if any(c.dep_ == "neg" or c.lower_ in ("never", "no") for c in token.children):
        return True
    if any(c.lower_ in ("longer", "more") and any(g.lower_ == "no" for g in c.children) for c in token.children):
        return True  # "will no longer recognize him"
    if token.pos_ in ("NOUN", "PROPN"):
        if any(c.lower_ == "no" and c.dep_ == "det" for c in token.children):
            return True
        head = token.head
        # "no sign of withdrawal", "without an agreement", "have not seen any de-escalation"
        if head.dep_ == "prep" and head.lower_ == "without":
            return True
        if head.dep_ == "prep" and head.lower_ == "of" and head.head.pos_ == "NOUN":
            return _negated(head.head)
        if token.dep_ in ("dobj", "attr", "nsubjpass") and head.lemma_ in PERCEIVE:
            return any(c.dep_ == "neg" for c in head.children)
    return False


def _bare(clause: Token) -> bool:
    """A clause with no subject, auxiliary or conjunction of its own, so in its governor's scope
    ("may impose sanctions, cutting aid"; not "will stay, even though fighters have pulled out")."""
    return not any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "mark") for c in clause.children)


def _governing_noun(verb: Token) -> Token | None:
    """The noun whose infinitive or "for" clause a verb is ("pressure to resign", "calls for boosting aid")."""
    head = verb.head
    if verb.dep_ == "acl" and head.pos_ == "NOUN":
        return head
    if verb.dep_ == "pcomp" and head.lower_ == "for" and head.head.pos_ == "NOUN":
        return head.head
    return None


def _same_subject(verb: Token, clause: Token) -> bool:
    """Do a verb and its clause have the same subject word ("we hope we will")?"""
    outer, inner = subject_of(verb), subject_of(clause)
    return outer is not None and inner is not None and outer.lower_ == inner.lower_


def _asked(clause: Token) -> bool:
    """An indirect question: "unclear whether he will be returned", "asked if talks would resume"."""
    return any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in clause.children)


def _own_modality(token: Token) -> str | None:
    """The modality a verb's own words give it: its modal, a condition it hangs on, or its "if"."""
    modals = [_MODALS[c.lower_] for c in token.children if c.dep_ in ("aux", "auxpass") and c.lower_ in _MODALS]
    modal = modals[0] if modals else None
    if modal != "demanded" and any(_is_condition(c) for c in token.children):
        return "conditional"  # "we will strike if they cross the line"; but "must leave if ..." is a demand
    if modal is not None:
        return modal
    if any(c.lower_ in ("if", "unless") and (c.dep_ == "mark" or token.dep_ == "advcl") for c in token.children):
        return "conditional"  # the condition itself: "if they cross the line"
    return None


def _is_condition(clause: Token) -> bool:
    """An "if" or "unless" clause."""
    return clause.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in clause.children)


def claimed_by(noun: Token) -> Token | None:
    """The verb of "claimed (or denied) responsibility for the attack" or "took credit for attacking
    the convoy", whose subject owns the act, or None (the for-phrase may hang on the noun or the verb)."""
    head = noun.head
    if noun.dep_ not in ("pobj", "pcomp") or head.lower_ != "for":
        return None
    owner = head.head
    if owner.lemma_ in _OWNING and owner.dep_ == "dobj" and owner.head.pos_ in ("VERB", "AUX"):
        return owner.head
    if owner.pos_ in ("VERB", "AUX") and any(c.dep_ == "dobj" and c.lemma_ in _OWNING for c in owner.children):
        return owner
    return None


_OWNING = ("responsibility", "credit")


def _accuser(verb: Token) -> Token | None:
    """Who accuses: the subject of "charged him with", the agent of "was charged by police with";
    nobody said for "he was charged with" (its passive subject is the accused)."""
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return next((o for c in verb.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"), None)
    return subject_of(verb)


def assess(trigger: Token, quotes: list[tuple[int, int]], according: Token | None = None) -> Assessment:
    """Polarity, modality and the asserting token (a speaker) for one trigger.

    ``quotes`` are the story's direct-quotation spans; ``according`` is the X of
    an "according to X" in the sentence.
    """
    polarity = "negated" if _negated(trigger) else "affirmed"
    modality = _own_modality(trigger)
    cue = f"aux:{modality}" if modality else ""
    asserter: Token | None = None
    quote = inside(quotes, trigger.idx, trigger.idx + len(trigger.text))
    perceiver: Token | None = None
    node = trigger
    claimant = claimed_by(node)
    if claimant is not None and modality is None:
        # "the BLA claimed responsibility for the attack": its claim; "denied responsibility": denied
        modality = "denied" if claimant.lemma_.lower() in DENY else "claimed"
        asserter, cue = subject_of(claimant), f"responsibility:{claimant.lemma_.lower()}"
        node = claimant
    elif node.pos_ in ("NOUN", "PROPN") and node.head is not node:
        # an event noun takes the modality of the verb that governs it ("will hold talks")
        verb = node.head.head if node.head.dep_ == "prep" else node.head
        if modality is None and (governed := _own_modality(verb)):
            modality, cue = governed, f"aux:{governed}"  # "will extend the curfew"
        if verb.lemma_ in PERCEIVE and node.dep_ in ("dobj", "attr", "nsubjpass", "pobj"):
            perceiver = subject_of(verb)  # "NATO has seen no withdrawal": NATO is the one saying so
        elif modality is None and node.dep_ in ("dobj", "pobj"):
            # "called for his release", "pledged a withdrawal", "blamed the attacks on militants"
            lemma = verb.lemma_.lower()
            governed = "demanded" if lemma in DEMAND - {"tell"} else "intended" if lemma in INTEND else None
            if governed is None and lemma in ACCUSING:
                governed, asserter = "claimed", subject_of(verb)
            if governed is not None:
                modality, cue = governed, f"object-of:{lemma}"
        node = verb if verb.pos_ in ("VERB", "AUX") else node
    steps = 0
    while node.head is not node and steps < 12:
        steps += 1
        dep, head = node.dep_, node.head
        lemma = head.lemma_.lower()
        if modality is None and node.pos_ in ("VERB", "AUX") and (noun := _governing_noun(node)) is not None:
            # "a proposal for the council to lift sanctions", "under pressure to resign", "an effort to end it"
            name = noun.lemma_.lower()
            if name in DEMAND_NOUNS:
                modality, cue = "demanded", f"noun:{name}"
            elif name in INTEND_NOUNS:
                modality, cue = "intended", f"noun:{name}"
        if head.pos_ in ("VERB", "AUX"):
            if dep in ("xcomp", "ccomp", "advcl", "pcomp", "dobj") and lemma in NEGATING and polarity == "affirmed":
                polarity, cue = "negated", cue or f"governor:{lemma}"
            elif dep in ("ccomp", "xcomp") and lemma in DENY and modality is None:
                modality, cue = "denied", cue or f"governor:{lemma}"
            elif dep in ("xcomp", "ccomp") and lemma in DEMAND and modality is None and lemma != "tell":
                modality, cue = "demanded", cue or f"governor:{lemma}"
            elif dep == "xcomp" and lemma == "tell" and modality is None:
                modality, cue = "demanded", cue or "governor:tell"
            elif dep == "xcomp" and lemma in HYPOTHETICAL_GOVERNORS and modality is None:
                modality, cue = "hypothetical", cue or f"governor:{lemma}"
            elif dep == "ccomp" and modality in (None, "intended") and SPECULATING & set(verb_forms(head)):
                # "hopes the talks will resume"; but "we hope we'll round up the cartels" is a plan
                own = _same_subject(head, node)
                modality, cue = ("intended", f"governor:{lemma}") if own else ("hypothetical", f"governor:{lemma}")
            elif dep == "ccomp" and modality == "intended" and lemma in OPINION:
                modality, cue = "hypothetical", f"governor:{lemma}"  # "experts think Pyongyang will test"
            elif dep == "ccomp" and modality in (None, "intended") and _asked(node):
                modality, cue = "hypothetical", "mark:whether"  # "unclear whether he will be returned"
            elif dep == "xcomp" and lemma in INTEND and modality is None:
                modality, cue = "intended", cue or f"governor:{lemma}"
            elif dep == "advcl" and modality is None and any(c.lower_ in ("if", "unless") for c in node.children):
                modality, cue = "conditional", cue or "mark:if"
            elif dep in ("advcl", "pcomp", "conj", "prep") and modality is None and _bare(node) and _own_modality(head):
                modality = _own_modality(head)  # "can end it by withdrawing", "may impose sanctions, cutting aid"
                cue = cue or f"governor-aux:{modality}"
            # what a reporting verb reports: its clause, or a bare participle ("said, condemning the
            # attack"); not an adverbial of its own ("in announcing the sanctions, he said", "as the
            # talks went on, analysts said"), which the reporter tells as fact
            participle = dep == "advcl" and node.tag_ == "VBG" and not any(c.dep_ == "mark" for c in node.children)
            if lemma in REPORTING and (dep in ("ccomp", "xcomp", "pcomp", "conj", "parataxis") or participle):
                if asserter is None and not quote:
                    asserter = subject_of(head)
                    cue = cue or f"reported:{lemma}"
                break
        if head.pos_ == "ADJ" and dep == "xcomp" and head.lemma_.lower() in READY and modality is None:
            modality, cue = "intended", cue or f"governor:{head.lemma_.lower()}"  # "ready to cooperate"
        # "likely to respond", "close to signing", "interested in talking": it may come
        adjective = head.head if dep == "pcomp" and head.dep_ == "prep" else head
        likely = adjective.pos_ == "ADJ" and adjective.lemma_.lower() in LIKELY
        if modality is None and dep in ("xcomp", "pcomp") and likely:
            modality, cue = "hypothetical", f"governor:{adjective.lemma_.lower()}"
        if dep == "pcomp" and head.lower_ in ("of", "for", "with"):
            # "accused X of shelling", "charged him with attacking": the phrase hangs on the verb or on X
            accuser = head.head if head.head.lemma_ in ACCUSING else head.head.head
            if accuser.lemma_ in ACCUSING:
                asserter = asserter or _accuser(accuser)
                modality, cue = modality or "claimed", cue or f"accused:{accuser.lemma_}"
                break
        node = head
    if asserter is None and perceiver is not None and quote is None:
        asserter, cue = perceiver, cue or "perceived"  # unless someone reports the perception
    # "told media the toll had risen from Saturday's blasts", "a day after an attack on a train": the
    # background event of a time or cause phrase is taken as known, not as what the speaker claims
    background = trigger.dep_ == "pobj" and trigger.head.lower_ in _BACKGROUND and trigger.pos_ == "NOUN"
    if modality is None and not background and (asserter is not None or quote is not None or according is not None):
        modality = "claimed"
    if asserter is None and quote is None and according is not None:
        asserter, cue = according, cue or "according to"
    return Assessment(polarity=polarity, modality=modality or "actual", asserter=asserter, quote=quote, cue=cue)
