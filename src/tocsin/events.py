"""Event coding: who did what to whom, from triggers in the dependency parse.

For each sentence:

1. **Triggers.** A verb whose lemma starts a pattern phrase, with the phrase's
   other words among its dependents ("call on", "hold talks", "return to base");
   or an event noun ("withdrawal", "loan guarantee", "de-escalation") that the
   sentence presents as an event: governed by a verb, owned by an actor
   ("Putin's meeting"), aimed at one ("sanctions on Russia"), or negated ("no sign
   of withdrawal"). Patterns come from ``data/patterns.yaml`` (plus the user's).
2. **Roles.** Actor: the subject, the agent of a passive, the controller of an
   infinitive ("called on Moscow to withdraw" → Moscow withdraws), the owner of
   an event noun, or the subject of the verb governing the noun. Recipient: the
   object, a dative, or the object of with/against/to/on/at... (the preposition
   named in the pattern first). Conjoined actors give one event each.
3. **How it is reported** (:mod:`tocsin.modality`), **when** (:mod:`tocsin.dates`)
   and **where** (:mod:`tocsin.places`).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from spacy.tokens import Doc, Span, Token

from .actors import (
    REPORTING,
    Context,
    described_country,
    is_mention_head,
    mention_of,
    modifier_countries,
    pair_referents,
    resolve,
)
from .confidence import calibrated
from .dates import resolve_when
from .modality import ACCUSING, PERCEIVE, Assessment, assess, claimed_by
from .nlp import entities_in, entity_of
from .ontology import Ontology, load_ontology
from .patterns import JUDGING_VERBS, Pattern, Patterns, held_in, is_light, judging_head
from .places import event_place, lookup
from .quotes import according_to, extract_quotes, quote_spans
from .records import Actor, Event, Place, Quote, Story
from .triggers import ASKING, RECEIVING, Coder, RuleCoder, Trigger, carried_by_clause, is_verb, national
from .words import words

_RECIPIENT_PREPS = ("with", "against", "to", "on", "at", "toward", "towards", "into", "upon", "for", "from", "over")
_CREDITING = words("crediting_verbs")
_CONTROL_BY_OBJECT = words("control_by_object")
_INSTRUMENTS = words("instrument_nouns")
_TIME_LABELS = {"DATE", "TIME"}


def _coder_name() -> str:
    try:
        return f"tocsin {version('tocsin')}"
    except PackageNotFoundError:
        return "tocsin"


CODER = _coder_name()


# --- roles -------------------------------------------------------------------------


def _with_conjuncts(token: Token) -> list[Token]:
    # a nationality adjective in the list stands for its people: "by U.S., French and Chinese representatives"
    sides = [c for c in token.conjuncts if c.pos_ in ("NOUN", "PROPN", "PRON") or c.ent_type_ == "NORP"]
    # "Greece, Panama and South Korea" parsed as Greece with the apposition "Panama and South Korea":
    # a country is never another country's apposition, so the two are a list
    if token.ent_type_ == "GPE":
        listed = [c for c in token.children if c.dep_ == "appos" and c.ent_type_ == "GPE"]
        sides += [t for c in listed for t in (c, *c.conjuncts) if t not in sides]
    return [token, *[c for c in sides if not _alias(c)]]


def _alias(conjunct: Token) -> bool:
    """ "The Baloch Liberation Army, or BLA,": a second name for the same actor, not a second actor."""
    at, doc = conjunct.left_edge.i, conjunct.doc
    return at > 1 and doc[at - 1].lower_ == "or" and doc[at - 2].text == ","


def _subjects(verb: Token) -> tuple[list[Token], str]:
    """Subject tokens of a verb (following control and coordination), and how found."""
    for child in verb.children:
        if child.dep_ == "nsubj":
            if child.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
                return _with_conjuncts(verb.head), "relcl"
            return _with_conjuncts(child), "nsubj"
        if child.dep_ == "agent":
            objs = [o for o in child.children if o.dep_ == "pobj"]
            if objs:
                return _with_conjuncts(objs[0]), "agent"
    if verb.dep_ == "xcomp" and verb.head.pos_ in ("VERB", "AUX"):
        governor = verb.head
        if governor.lemma_ in _CONTROL_BY_OBJECT:
            for child in governor.children:
                if child.dep_ in ("dobj", "dative"):
                    return _with_conjuncts(child), "object-control"
                if child.dep_ == "prep" and child.lower_ in ("on", "upon"):
                    objs = [o for o in child.children if o.dep_ == "pobj"]
                    if objs:
                        return _with_conjuncts(objs[0]), "object-control"
        found, how = _surface_subjects(governor, verb)
        return found, f"control:{how}"
    if verb.dep_ == "xcomp" and verb.head.pos_ == "ADJ" and verb.head.head is not verb.head:
        found, how = _subjects(verb.head.head)  # "Tehran was ready to cooperate": Tehran cooperates
        return found, f"adjective-control:{how}"
    adjective = verb.head.head if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" else None
    if adjective is not None and adjective.pos_ == "ADJ" and adjective.dep_ == "acomp":
        found, how = _subjects(adjective.head)  # "Kenya is interested in talking", "close to signing"
        return found, f"adjective-control:{how}"
    if verb.dep_ in ("conj", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
        found, how = _surface_subjects(verb.head, verb)
        return found, f"shared:{how}"
    if verb.dep_ in ("acl", "relcl") and _infinitive(verb) and verb.head.pos_ == "NOUN" and not verb.head.ent_type_:
        found, how = _controller(verb.head)  # "our willingness to apologise": we apologise
        if found:
            return found, f"controller:{how}"
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN") and not _passive_modifier(verb):
        return _with_conjuncts(verb.head), "modified-noun"
    judged = _judged_doer(verb)
    if judged is not None:
        return _with_conjuncts(judged[0]), judged[1]
    if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.head.pos_ in ("VERB", "AUX"):
        # "retaliated by announcing tariffs": who retaliated announced
        found, how = _surface_subjects(verb.head.head, verb)
        return found, f"{verb.head.lower_}-clause:{how}"
    return [], ""


def _surface_subjects(governor: Token, verb: Token) -> tuple[list[Token], str]:
    """Who controls a clause that shares a governing verb's subject: its doer, else its passive
    subject ("was released after apologizing", "is required to report", "was arrested and confessed");
    never for a clause that is passive itself ("were detained and barred from leaving")."""
    found, how = _subjects(governor)
    if found or any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return found, how
    passive = next((c for c in governor.children if c.dep_ == "nsubjpass"), None)
    return (_with_conjuncts(passive), "passive-subject") if passive is not None else ([], how)


def _controller(noun: Token) -> tuple[list[Token], str]:
    """Who does what a common noun's infinitive says ("its call to drop the charges", "took steps
    to ease concerns", "under pressure to resign"): the noun's possessor, else the subject of the
    verb that governs it. A noun that is itself the subject ("the plan aims to") controls nothing."""
    owners = [c for c in noun.children if c.dep_ == "poss"]
    if owners:
        return _with_conjuncts(owners[0]), "poss"
    governor = noun.head.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else noun.head
    if noun.dep_ in ("dobj", "attr", "pobj") and governor.pos_ in ("VERB", "AUX"):
        return _subjects(governor)
    return [], ""


def _judged_doer(verb: Token) -> tuple[Token, str] | None:
    """Who did the act of a verb's "of", "for" or "with" clause, and how found: the X said to have
    done it in "accused X of shelling", "charged X with attacking" or "X was charged with attacking";
    the one praised or blamed in "praised ECOWAS for activating its force" or "he was credited with
    taking Albania into NATO"."""
    if verb.dep_ != "pcomp" or verb.head.lower_ not in ("of", "for", "with"):
        return None
    owner = verb.head.head
    if owner.pos_ in ("NOUN", "PROPN", "PRON") and owner.head.lemma_ in ACCUSING:
        return owner, "accused-of"
    crediting = owner.lemma_ in _CREDITING and verb.head.lower_ != "of"
    if owner.lemma_ not in ACCUSING and not crediting:
        return None
    doer = next((c for c in owner.children if c.dep_ in ("dobj", "nsubjpass")), None)
    return (doer, "credited-for" if crediting else "accused-of") if doer is not None else None


_INNER_PREPS = ("of", "on", "against", "to", "into", "with", "by", "from", "for", "toward", "towards", "over")


def _inside(noun: Token) -> list[Token]:
    """Actors named inside a noun phrase: "Haiti's efforts", "the withdrawal of
    Serbian forces", "a blockade on Palestinian lorries"."""
    found = [c for c in noun.children if c.dep_ == "poss"]
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in _INNER_PREPS:
            found += [o for o in child.children if o.dep_ == "pobj"]
    return found + _participle_objects(noun)


def _passive_modifier(verb: Token) -> bool:
    """Is the verb a passive clause on a noun ("soldiers supported by militias", "the line, which is
    sanctioned")? The noun then undergoes it rather than does it."""
    if verb.dep_ not in ("acl", "relcl") or verb.head.pos_ not in ("NOUN", "PROPN"):
        return False
    return (verb.dep_ == "acl" and verb.tag_ == "VBN") or any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _participle_objects(noun: Token) -> list[Token]:
    """ "Sanctions targeting Russian banks", "strikes hitting Kharkiv": the objects of a noun's participle."""
    return [o for c in noun.children if c.dep_ == "acl" and c.tag_ == "VBG" for o in c.children if o.dep_ == "dobj"]


def _objects(
    verb: Token, used: list[Token], preferred: tuple[str, ...], addressed_by_clause: bool = False
) -> list[tuple[list[Token], str]]:
    """Recipient candidates of a verb, best first; the first that resolves to an
    actor wins: the pattern's preposition, a passive subject, an object or dative
    (or an actor named inside it), a recipient preposition, then the subject of a
    clause of a demand ("demanded that the US cancel") or the objects of an infinitive."""
    out: list[tuple[list[Token], str]] = []
    for word in preferred:
        for token in used:
            if token.lower_ == word and token.dep_ in ("prep", "agent"):
                # "call on Moscow": the object; "return to base": part of the phrase, not a recipient
                objs = [o for o in token.children if o.dep_ == "pobj" and o not in used]
                out += [(_with_conjuncts(o), f"prep:{word}") for o in objs]
    for dep in ("nsubjpass", "dative", "dobj"):
        for child in verb.children:
            if child.dep_ != dep:
                continue
            if child.pos_ == "ADP":  # "gave sanctuary to fighters" parsed with "to" as the dative
                child = next((o for o in child.children if o.dep_ == "pobj"), child)
            inside = [([inner], f"{dep}>{inner.dep_}") for inner in _inside(child)]
            # "welcomed the announcement that Ukraine had agreed": the clause's subject
            inside += [([c], f"{dep}>clause-subject") for c in _content_subjects(child)]
            if child in used:
                # a pattern's own object names the recipient inside it ("imposed sanctions on
                # Russia", "shared intelligence with Egypt"), or is one ("expelled Russian diplomats")
                out += [*inside, (_with_conjuncts(child), dep)]
            else:
                out += [(_with_conjuncts(child), dep), *inside]
    if _passive_modifier(verb):  # "soldiers supported by militias", "a firm which is sanctioned": they undergo it
        out.append((_with_conjuncts(verb.head), "modified-noun"))
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _RECIPIENT_PREPS and child not in used:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj not in used:
                    out.append((_with_conjuncts(obj), f"prep:{child.lower_}"))
                    out += [([inner], f"prep:{child.lower_}>{inner.dep_}") for inner in _inside(obj)]
    for child in verb.children:
        subjects = [c for c in child.children if c.dep_ in ("nsubj", "nsubjpass")]
        if child.dep_ == "ccomp" and (addressed_by_clause or child.tag_ == "VB"):
            # "demanded that the US cancel"; a bare clause: "helped Haiti rebuild", "made Serbia withdraw"
            out += [(_with_conjuncts(c), "clause-subject") for c in subjects]
        elif child.dep_ == "xcomp" or (child.dep_ == "advcl" and _infinitive(child)):
            # "agreed to supply Kyiv", "pledged aid to help the Philippines"
            out += [(tokens, f"{child.dep_}>{how}") for tokens, how in _objects(child, [], ())]
    return out


def _content_subjects(noun: Token) -> list[Token]:
    """Subjects of a noun's content clause: "the decision that Serbia would withdraw" → Serbia."""
    clauses = [c for c in noun.children if c.dep_ in ("acl", "ccomp") and any(m.dep_ == "mark" for m in c.children)]
    return [s for c in clauses for s in c.children if s.dep_ in ("nsubj", "nsubjpass")]


def _infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


_FIRST_PERSON = frozenset({"i", "we", "me", "us"})  # who speaks, as the subject of what is said
# personal pronouns that stand for a party (not possessives: "its call" is no mention of the speaker)
_PERSONAL = _FIRST_PERSON | {"he", "she", "it", "they", "him", "her", "them"}
# entity kinds that never do anything: a date, a time or a number owns no event
_NOT_AGENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


Sides = tuple[list[Token], list[Token]]  # actor and recipient tokens


def _noun_roles(noun: Token, pattern: Pattern) -> tuple[list[Token], list[Token], str]:
    """Actor and recipient tokens of an event noun: from its own phrase ("Russia's withdrawal",
    "talks between Kyiv and Moscow"), else from the clause that carries it (a relative clause,
    a condition someone is held in, a light verb's subject)."""
    received = _received_roles(noun)
    if received is not None:
        (actors, recipients), way = received
        return actors, recipients, way
    (actors, recipients), how = _noun_phrase_roles(noun, pattern)
    carrier = carried_by_clause(noun)
    holder = held_in(noun)
    if carrier is not None:
        (doers, undergoers), more = _relative_clause_roles(carrier), "relative-clause"
    elif holder is not None:
        (doers, undergoers), more = _held_in_roles(noun, holder, pattern)
    else:
        (doers, undergoers), more = _governor_roles(noun, pattern)
    return actors or doers, recipients or undergoers, "+".join([*how, more] if more else how)


def _received_roles(noun: Token) -> tuple[Sides, str] | None:
    """ "The plan faced criticism from experts", "Kyiv received aid from Berlin", "troops came under
    fire from rebels": the subject undergoes the event the noun names, and a from- or by-phrase does it."""
    place = _first_conjunct(noun)
    under = place.dep_ == "pobj" and place.head.dep_ == "prep" and place.head.lower_ == "under"
    governor = place.head.head if under else place.head
    if governor.lemma_ not in RECEIVING or not (place.dep_ == "dobj" or under):
        return None
    undergoers, how = _subjects(governor)
    sources = [
        o
        for holder in (noun, governor)
        for c in holder.children
        if c.dep_ in ("prep", "agent") and c.lower_ in ("from", "by")
        for o in c.children
        if o.dep_ == "pobj"
    ]
    return (_with_conjuncts(sources[0]) if sources else [], undergoers), f"received-by:{how}"


def _noun_phrase_roles(noun: Token, pattern: Pattern) -> tuple[Sides, list[str]]:
    """Sides named inside the noun's phrase. In "the withdrawal of Russian forces" the of-phrase
    does the event; in "the release of prisoners" it undergoes it."""
    actors: list[Token] = []
    recipients: list[Token] = []
    how: list[str] = []
    # "his release", "Zamora's detention": the possessor undergoes it, unless an of-phrase does
    undergoes = pattern.possessor_undergoes and not any(
        c.dep_ == "prep" and c.lower_ == "of" and any(o.dep_ == "pobj" for o in c.children) for c in noun.children
    )
    for child in noun.children:
        if child.dep_ == "poss" and child.ent_type_ not in _NOT_AGENTS and undergoes:
            recipients, how = _with_conjuncts(child), [*how, "poss-undergoer"]
        elif child.dep_ == "poss" and child.ent_type_ not in _NOT_AGENTS:  # not "Saturday's blasts"
            actors, how = _with_conjuncts(child), [*how, "poss"]
        elif child.dep_ == "prep":
            objs = [o for o in child.children if o.dep_ == "pobj"]
            if not objs:
                continue
            if child.lower_ == "by" and "poss" not in how:
                # "the withdrawal of forces by America": the by-phrase does it, the of-phrase is what is done
                actors, how = _with_conjuncts(objs[0]), [*[h for h in how if h != "of-subject"], "by"]
            elif child.lower_ == "between":  # "talks between Kyiv and Moscow": each with the other
                actors, how = _with_conjuncts(objs[0])[:2], [*how, "between"]
            elif child.lower_ == "of" and pattern.of_actor and not actors:
                actors, how = _with_conjuncts(objs[0]), [*how, "of-subject"]
            elif child.lower_ in (*_RECIPIENT_PREPS, "of") and not recipients:
                recipients, how = _with_conjuncts(objs[0]), [*how, f"prep:{child.lower_}"]
    targets = _participle_objects(noun)
    if not recipients and targets:
        recipients, how = _with_conjuncts(targets[0]), [*how, "acl"]
    if not actors and national(noun, pattern):
        actors, how = [noun], [*how, "national"]  # resolved through the modifier's country
    return (actors, recipients), how


def _relative_clause_roles(carrier: Token) -> Sides:
    """ "The attack the group carried out": the group's; "the sanctions Washington imposed on Moscow"."""
    subjects = [c for c in carrier.children if c.dep_ in ("nsubj", "agent") and c.lower_ not in ("that", "which")]
    aimed = [o for p in carrier.children if p.dep_ == "prep" and p.lower_ in _RECIPIENT_PREPS for o in p.children]
    return (_with_conjuncts(subjects[0]) if subjects else []), (_with_conjuncts(aimed[0]) if aimed else [])


def _held_in_roles(noun: Token, holder: Token, pattern: Pattern) -> tuple[Sides, str]:
    """ "Police kept him in detention": the keeper acts on the kept; "X remains in custody", "the
    city came under attack": X undergoes it; "the two sides are in talks": they do it."""
    held = [c for c in holder.children if c.dep_ == "dobj" and c.ent_type_ not in _NOT_AGENTS]  # not "800 days"
    subjects, verb_how = _subjects(holder)
    how = f"held-in:{verb_how}"
    if held:
        return (subjects, _with_conjuncts(held[0])), how
    if pattern.state or noun.head.lower_ == "under":
        return ([], subjects), how
    return (subjects, []), how


def _governor_roles(noun: Token, pattern: Pattern) -> tuple[Sides, str]:
    """The sides a light verb gives the event noun it carries ("Russia launched strikes on Kyiv");
    a verb of perception observes rather than acts ("we have not seen any withdrawal")."""
    place = _first_conjunct(noun)  # "cut aid and intelligence sharing": the second noun stands where the first does
    claimant = claimed_by(place)
    if claimant is not None:  # "the BLA claimed responsibility for the attack": the BLA's attack
        found, verb_how = _subjects(claimant)
        return (found, []), f"claimed-by:{verb_how}"
    governor = place.head.head if place.dep_ == "pobj" and place.head.dep_ == "prep" else place.head
    if governor.lemma_ in PERCEIVE:
        return ([], []), f"perceived-by:{governor.lemma_}"
    if not (is_light(governor) and place.dep_ in ("dobj", "pobj", "attr", "nsubjpass")):
        return ([], []), "subject-noun" if place.dep_ == "nsubj" else ""
    found, verb_how = _subjects(governor)
    how = [f"governor-subject:{verb_how}"]
    # "called for his release": the caller asks for it and does not do it (talks are joined, though)
    asking = governor.lemma_ in ASKING and not pattern.symmetric
    if asking:
        how = [f"asked-by:{verb_how}"]
    actors = [] if place.dep_ == "nsubjpass" or asking else found
    for child in governor.children:
        if child.dep_ == "dative" or (child.dep_ == "prep" and child.lower_ in ("to", "on", "against")):
            objs = [child] if child.dep_ == "dative" else [o for o in child.children if o.dep_ == "pobj"]
            if objs:
                return (actors, _with_conjuncts(objs[0])), "+".join([*how, f"governor-{child.dep_}"])
    return (actors, []), "+".join(how)


def _first_conjunct(noun: Token) -> Token:
    """The first of coordinated nouns ("aid" in "aid and intelligence sharing"), or the noun itself."""
    while noun.dep_ == "conj" and noun.head.pos_ in ("NOUN", "PROPN") and noun.head is not noun:
        noun = noun.head
    return noun


# --- the coder -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Roles:
    """Who a trigger's grammar offers as actor and recipient (tokens, not yet actors)."""

    actors: list[Token]
    recipients: list[tuple[list[Token], str]]  # candidates, best first
    path: str


def _roles(trigger: Trigger, doc: Doc) -> _Roles:
    """Actor and recipient candidates of a trigger, from the parse and the pattern's argument structure."""
    token = doc[trigger.start]
    pattern = trigger.pattern
    if pattern is _MUST:
        speakers, how = _subjects(token)
        clause = [c for c in token.children if c.dep_ == "ccomp"]
        subjects = [c for cl in clause for c in cl.children if c.dep_ in ("nsubj", "nsubjpass")]
        return _Roles(speakers, [(_with_conjuncts(subjects[0]), "clause-subject")] if subjects else [],
                      f"reported demand {token.lemma_} [{how}]")  # fmt: skip
    if pattern.predicate:
        return _predicate_roles(token, pattern)
    if pattern.noun:
        actors, recipients, how = _noun_roles(token, pattern)
        return _Roles(actors, [(recipients, "noun")] if recipients else [], f"noun {token.lemma_} [{how}]")
    subjects, how = _subjects(token)
    used = [doc[i] for i in trigger.used]
    preferred = pattern.recipient + tuple(w for w in pattern.words if w in _RECIPIENT_PREPS)
    objects = _objects(token, used, preferred, pattern.event_type == "REQUEST")
    return _Roles(subjects, objects, f"verb {token.lemma_} [{how}]")


def _predicate_roles(word: Token, pattern: Pattern) -> _Roles:
    """Who judges and who is judged. "Rights groups called the ruling arbitrary": the groups judge
    the ruling (and whoever it names inside); "the law is illegal, he said": the speaker judges (left
    to the attribution pass) the law; "we are concerned about Iran's move": we judge Iran's move."""
    verb = judging_head(word)
    assert verb is not None  # the coder proposed the word because it has one
    said = f"{pattern.predicate} {word.lemma_} [{verb.lemma_}]"
    judged: list[Token]
    if pattern.predicate == "judge":
        judges, _ = _subjects(verb)
        judged = [o for p in word.children if p.dep_ in ("prep", "agent") for o in p.children if o.dep_ == "pobj"]
    elif verb.lemma_ in JUDGING_VERBS:
        judges, _ = _subjects(verb)
        judged = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and c is not word]
    else:
        judges = []
        judged = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
    candidates = [(_with_conjuncts(t), "judged") for t in judged]
    candidates += [([inner], f"judged>{inner.dep_}") for t in judged for inner in _inside(t)]
    return _Roles(judges, candidates, said)


def _date_text(sent: Span, trigger: Token) -> str | None:
    """The date expression that belongs to a trigger: in its own subtree or its
    governing clause first, else the only one in the sentence."""
    dates = [e for e in entities_in(sent) if e.label_ in _TIME_LABELS]
    if not dates:
        return None
    clause = {t.i for t in trigger.subtree} | {t.i for t in trigger.head.subtree if t.head == trigger.head}
    for ent in dates:
        if any(t.i in clause for t in ent):
            return ent.text
    return dates[0].text if len(dates) == 1 else None


def _is_future(modality: str) -> bool:
    return modality in ("intended", "demanded", "conditional", "hypothetical")


def _inherit_country(actor: Actor | None, asserted: Actor | None) -> Actor | None:
    """ "Some units", said Russia's military: a countryless state actor reported by a
    state body of one country is taken to be that country's (with less confidence)."""
    if actor is None or actor.country or actor.group or asserted is None or not asserted.country:
        return actor
    if actor.sector and set(actor.sector) <= {"MIL", "GOV", "COP"} and set(asserted.sector) & {"MIL", "GOV", "COP"}:
        return replace(actor, country=asserted.country, confidence=min(actor.confidence, 0.5))
    return actor


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible actor or recipient of one event, offered to a :class:`SideChooser`: who (None for
    nobody), the word of the sentence that names it (None for one the story implies), where it came
    from (``rule``, ``mention``, ``asserter``, ``story-country``, ``story-counterpart``, ``none``)
    and, for the rules' own choice, how their grammar found it."""

    actor: Actor | None
    token: Token | None
    kind: str
    how: str = ""


class SideChooser(Protocol):
    """What chooses an event's actor or recipient (``side``) among candidates, the first of which
    is the rules' choice."""

    def choose(self, side: str, trigger: Token, event_type: str, candidates: Sequence[Candidate], ctx: Context) -> int:
        """The index of the chosen candidate."""
        ...


def named_sides(sent: Span, ctx: Context) -> list[tuple[Token, Actor]]:
    """Every word of a sentence that names a side with a country (an actor it resolves to, or a country
    its words imply), found once per sentence for all its events' candidates."""
    found = []
    for token in sent:
        if token.pos_ in ("NOUN", "PROPN", "PRON"):
            actor = (resolve(token, ctx) if is_mention_head(token) else None) or _implied(token, ctx)
            if actor is not None and actor.country:
                found.append((token, actor))
    return found


def side_candidates(
    trigger: Token,
    chosen: tuple[list[Actor], list[Token], str],
    named: list[tuple[Token, Actor]],
    skip: set[int],
    exclude: str | None,
    implied: Sequence[tuple[str, Actor | None]],
) -> list[Candidate]:
    """What a sentence and its story offer as one side of an event: the rules' choice (``chosen``:
    their actors, the words that name them, how they were found), then every other country the
    sentence names (``named``, from :func:`named_sides`; not at the words ``skip``, not the other
    side's country ``exclude``), then what the story implies (``implied``: the speaker, the story's
    country...), and nobody."""
    found, tokens, how = chosen
    first = found[0] if found else None
    out = [Candidate(first, tokens[0] if tokens else None, "rule", how.split(":")[0] if how else "none")]
    taken = {None, exclude, first.country if first is not None else None}
    for token, actor in named:
        if token.i != trigger.i and token.i not in skip and actor.country not in taken:
            taken.add(actor.country)
            out.append(Candidate(actor, token, "mention"))
    for kind, side in implied:
        if side is not None and side.country not in taken:
            taken.add(side.country)
            out.append(Candidate(side, None, kind))
    if first is not None:
        out.append(Candidate(None, None, "none"))
    return out


def _story_side(country: str | None) -> Actor | None:
    return Actor(text="", country=country, confidence=0.3) if country else None


def code_sentence(
    sent: Span,
    index: int,
    story: Story,
    ctx: Context,
    coder: Coder,
    attribution: Attribution,
    sides: SideChooser | None = None,
) -> list[Event]:
    """Events of one sentence (``index`` is its position in the story); ``sides``, if given,
    chooses each event's recipient among what the sentence and story offer, the rules' choice
    among them."""
    ontology = load_ontology()
    according = according_to(sent)
    quotes = attribution.spans
    events: list[Event] = []
    text = sent.text
    start = sent.start_char + len(text) - len(text.lstrip())
    end = sent.end_char - (len(text) - len(text.rstrip()))
    doc = sent.doc
    triggers = coder.find_triggers(sent)
    forceful = {doc[t.start].head.i for t in triggers if doc[t.start].dep_ == "xcomp" and t.event_type in _CONFLICTUAL}
    # "vowed to fight": a promise of force is a threat (derived from the fight), not an agreement
    triggers = [t for t in triggers if not (t.event_type == "AGREE" and t.start in forceful)]
    triggers += _reported_demands(sent, {t.start for t in triggers})
    trigger_tokens = {t.start for t in triggers}
    named = named_sides(sent, ctx) if sides is not None and triggers else []
    for trigger in triggers:
        token = doc[trigger.start]
        trig = _roles(trigger, doc)
        assessment = _assessment(trigger, token, assess(token, quotes, according), trigger_tokens, ontology)
        said = attribution.covering(token.idx, sent.start_char)
        if said is not None:
            asserted = said.speaker  # the speaker the quotations output names: the two never disagree
        else:
            asserted = resolve(assessment.asserter, ctx) if assessment.asserter is not None else None
        asserted = _focused(asserted, ctx.focus) if asserted is not None else None
        actors = [a for t in trig.actors for a in _parties(t, ctx)]
        how_inferred = ""
        if trigger.pattern.predicate and not actors:
            if asserted is None:
                continue  # "the situation is dangerous", in the reporter's own words: nobody's act
            actors = [asserted]  # "'It is unconstitutional,' Hassan said": the speaker judges
        if not actors and trigger.pattern.noun and _unowned(trig.path):
            # "there has been no pullback", after a sentence about Eritrean troops: theirs (inferred)
            taken = {t.i for tokens, _ in trig.recipients for t in tokens}
            actors = _discourse_actor(token, sent, ctx, asserted, trigger.pattern.symmetric, taken)
            how_inferred = " actor:from-discourse" if actors else ""
        exclude = actors[0].country if actors else None
        recipient_tokens, recipient_how = _first_actors(trig.recipients, ctx, exclude)
        recipients = [r for t in recipient_tokens for r in _parties(t, ctx, exclude)]
        if not actors and not recipients and trig.recipients and trig.recipients[0][1] == "modified-noun":
            # "the man accused of the attacks": he undergoes it, whoever he is
            recipient_tokens, recipient_how = trig.recipients[0]
            recipients = [_unresolved(recipient_tokens[0])]
        if not actors:
            actors, how_inferred = _uncoded_actor(trigger.pattern, trig, asserted, recipients, how_inferred)
        used = {t.i for t in trig.actors + recipient_tokens}
        place = event_place(token, sent, used)
        if not actors and not recipients and asserted is None:
            if trigger.event_type not in _DONE_TO_A_PLACE or place is None or not place.country:
                continue  # nobody does anything to anybody: not an event we can code
            # "blasts outside a school in Kabul": violence nobody claims, suffered where it happens (inferred)
            recipients = [Actor(text="", country=place.country, confidence=0.3)]
            recipient_how = "inferred:place"
        together = trigger.pattern.symmetric and len(actors) > 1  # "Kenya and Somalia discussed trade"
        if trigger.pattern.needs_recipient and not together and (not recipients or recipient_how.startswith("xcomp")):
            # "helped explain": the word is an event only when someone undergoes it, and whoever
            # undergoes its complement is not the one helped ("helped secure his release")
            continue
        date_text = _date_text(sent, token)
        day, precision = None, None
        if story.pub_date is not None:
            # a purpose, or an event noun the object of a demand or promise ("called for his release this
            # week"), is dated by the act that governs it, not in the future
            future = _is_future(assessment.modality) and not assessment.cue.startswith(("purpose", "object-of"))
            resolved = resolve_when(date_text, story.pub_date, future=future) if date_text else None
            # no date said: the story's publication date stands in, flagged so nobody takes it for a said date
            day, precision = resolved or (story.pub_date, "fallback")
            date_text = date_text if resolved else None
        actors = [_focused(_where_acting(_inherit_country(a, asserted) or a, place), ctx.focus) for a in actors]
        recipients = [_focused(_domestic(_where_acting(r, place), actors), ctx.focus) for r in recipients]
        unsaid = _agentless(token) or any(w in trig.path for w in ("poss-undergoer", "asked-by"))
        if not actors and unsaid and ctx.focus and any(r.country == ctx.focus for r in recipients):
            # "he was arrested", "called for his release", in a story about one country: by that
            # country's authorities (inferred); sanctions on it come from the other country of a
            # story between two ("are barred from travel", in a story of U.S. sanctions on Albania)
            abroad = _counterpart(recipients[0], ctx.dyad) if trigger.event_type in _IMPOSED_FROM_ABROAD else None
            actors = [Actor(text="", country=abroad or ctx.focus, confidence=0.3)]
            how_inferred = " actor:from-story"
        if sides is not None and len(actors) <= 1 and not how_inferred:
            implied = (("asserter", asserted), ("story-country", _story_side(ctx.focus)))
            chosen = (actors, trig.actors, trig.path.split("[")[-1].rstrip("]") if actors else "")
            skip, other = {t.i for t in recipient_tokens}, recipients[0].country if recipients else None
            offered = side_candidates(token, chosen, named, skip, other, implied)
            pick = offered[sides.choose("actor", token, trigger.event_type, offered, ctx)]
            if pick.kind != "rule":
                actors = [] if pick.actor is None else [_focused(_where_acting(pick.actor, place), ctx.focus)]
                how_inferred = f" actor:learned-{pick.kind}"
        if actors and asserted is not None and "speaker-party" not in how_inferred:  # talks are not held by saying so
            assessment = _by_speaker(assessment, actors[0], asserted, ontology.types[trigger.event_type][0])
        pattern = _by_actor(trigger.pattern, actors[0] if actors else None)
        # "Serbia and Kosovo normalized relations", "both countries recalled envoys", "accused each other"
        # (two sides act on each other; three or more named together act together: "the trio accused ECOWAS")
        paired = "between" in trig.path or any(len(pair_referents(t, ctx)) == 2 for t in trig.actors)
        mutual = pattern.symmetric or paired or any(_is_each_other(t) for t in recipient_tokens)
        if actors and not recipients and not (mutual and len(actors) > 1):
            inferred, how = _inferred_recipient(actors[0], ctx, trig, trigger.event_type in _AT_HOME)
            recipients, recipient_how = (inferred, how) if inferred else (recipients, recipient_how)
        if sides is not None and len(recipients) <= 1 and not (mutual and len(actors) > 1):
            counterpart = _counterpart(actors[0], ctx.dyad) if actors else None
            implied = (("story-country", _story_side(ctx.focus)), ("story-counterpart", _story_side(counterpart)))
            chosen = (recipients, recipient_tokens, recipient_how)
            skip, other = {t.i for t in trig.actors}, actors[0].country if actors else None
            offered = side_candidates(token, chosen, named, skip, other, implied)
            pick = offered[sides.choose("recipient", token, trigger.event_type, offered, ctx)]
            if pick.kind != "rule":
                picked = [] if pick.actor is None else [_domestic(_where_acting(pick.actor, place), actors)]
                recipients, recipient_how = [_focused(r, ctx.focus) for r in picked], f"learned:{pick.kind}"
        # after the recipient is chosen: an uncodable actor placed by the story says nothing of whom it acts on
        actors = [_focused(a, ctx.focus, acting=True) for a in actors]
        # one event per side named, up to six ("criticised by U.S., French, Chinese, Russian and
        # Mexican representatives"); longer lists are summaries, not six separate acts
        for actor, recipient in _dyads(actors, recipients, mutual, both_ways=pattern.reciprocal)[:6]:
            coding = _by_sides(pattern, actor, recipient)
            events.append(
                Event(
                    id=f"{story.id}-s{index}-e{len(events) + 1}",
                    story_id=story.id,
                    sentence_id=index,
                    sentence=story.text[start:end],
                    span=(start, end),
                    trigger=coding.phrase if coding.words or "-" in coding.phrase else token.text,
                    event_type=coding.event_type,
                    mode=coding.mode,
                    context=coding.context,
                    cameo=coding.cameo,
                    quad_class=ontology.types[coding.event_type][0],
                    intensity=ontology.intensity(coding.cameo),
                    actor=actor,
                    recipient=recipient,
                    asserted_by=asserted,
                    polarity=assessment.polarity,
                    modality=assessment.modality,
                    quote=assessment.quote is not None,
                    date=day,
                    date_text=date_text,
                    date_precision=precision,
                    pub_date=story.pub_date,
                    place=place,
                    coder=CODER,
                    explain=f"{coding.event_type}/{coding.mode or '-'} by {trigger.source}; "
                    f"{trig.path}{how_inferred} recipient:{recipient_how or '-'}; "
                    f"modality {assessment.cue or 'none'}",
                )
            )
            verbal = derived_event(events[-1], assessment.cue, ontology)
            if verbal is not None:
                events.append(verbal)
    return events


def _uncoded_actor(
    pattern: Pattern, roles: _Roles, asserted: Actor | None, recipients: list[Actor], how: str
) -> tuple[list[Actor], str]:
    """The actor of a trigger whose actor words resolved to no coded actor: the speaker of a mutual
    event noun, a quoted first person's speaker, or the words themselves with no codes."""
    mutual_noun = pattern.noun and pattern.symmetric
    if mutual_noun and asserted is not None and recipients and not _same(asserted, recipients[0]):
        # "Pakistan said discussions with the IMF are progressing": the speaker is the other party
        return [replace(asserted, confidence=min(asserted.confidence, 0.4))], " actor:speaker-party"
    named = roles.actors[0] if roles.actors else None
    if named is not None and named.lower_ in _FIRST_PERSON and asserted is not None:
        # "'I encourage the police to ...,' the envoy said": the one who speaks
        return [mention_of(asserted, named)], how
    if named is not None and named.lemma_.lower() in _INSTRUMENTS:
        return [], how  # "a roadside bomb killed 11 miners": the means, and the attacker is unsaid
    if named is not None and named.pos_ in ("NOUN", "PROPN") and named.ent_type_ not in _NOT_AGENTS:
        # "aid agencies distributed relief": someone does it whom no KB names; say who, with no codes
        return [_unresolved(named)], how
    return [], how


def _assessment(
    trigger: Trigger, token: Token, assessment: Assessment, trigger_tokens: set[int], ontology: Ontology
) -> Assessment:
    """What the words around a trigger make of its modality, before anyone is resolved."""
    if _purpose_of_event(token, trigger_tokens) and assessment.modality in ("actual", "claimed"):
        # "used tear gas to disperse them": the aim of a coded event, not a second event done
        assessment = replace(assessment, modality="intended", cue="purpose")
    if trigger.pattern.predicate and assessment.cue.startswith("object-of"):
        assessment = replace(assessment, modality="claimed")  # "considers it a good step": a judgment, not a plan
    performed = trigger.pattern.predicate or _performed(token, ontology.types[trigger.event_type][0])
    if assessment.modality == "claimed" and performed:
        # "'We condemn the attack,' the ministry said": saying it is doing it
        assessment = replace(assessment, modality="actual", cue=f"{assessment.cue}+performed")
    return assessment


def _by_speaker(assessment: Assessment, actor: Actor, speaker: Actor, quad_class: int) -> Assessment:
    """What who says it makes of an event's modality, once actor and speaker are known."""
    if assessment.cue == "aux:intended" and not _speaks_for(speaker, actor):
        # "Erdogan will not shake hands with Sisi," an analyst said: a prediction, no one's plan
        return replace(assessment, modality="hypothetical", cue="aux:predicted")
    if assessment.modality == "claimed" and quad_class in (1, 3) and _same_party(actor, speaker):
        # "Trump said he is pressuring Canada": a speaker's own verbal act is done by saying it
        return replace(assessment, modality="actual", cue=f"{assessment.cue}+own-act")
    return assessment


def _inferred_recipient(actor: Actor, ctx: Context, roles: _Roles, at_home: bool) -> tuple[list[Actor], str]:
    """The recipient a story implies when the sentence names none: the country the story is about,
    else, in a story between two countries, the actor's counterpart (not for protests at home)."""
    if _inferable(actor, ctx.focus, roles, at_home=at_home):
        return [Actor(text="", country=ctx.focus, confidence=0.3)], "inferred:story-country"
    counterpart = _counterpart(actor, ctx.dyad)
    if counterpart is not None and not at_home:
        return [Actor(text="", country=counterpart, confidence=0.3)], "inferred:story-counterpart"
    return [], ""


# acts a state does to another: unsaid, they come from abroad in a story between two countries
_IMPOSED_FROM_ABROAD = frozenset({"SANCTION"})
# protests and strikes are aimed at one's own side, whatever else the story is about
_AT_HOME = frozenset({"PROTEST"})
_COOPERATIVE = frozenset("CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT".split())
_CONFLICTUAL = frozenset("PROTEST SANCTION MOBILIZE COERCE ASSAULT".split())
_DONE_TO_A_PLACE = frozenset({"ASSAULT"})
# Governors that state an intention without being event words themselves
# ("plans to", "is ready to"); "agree/promise/vow to" are AGREE triggers already.
_INTENT_CUES = frozenset(f"governor:{w}" for w in words("intent_governors")) | {"aux:intended"}
# of those, the ones that commit the actor (a decision, a plan, readiness): wanting, trying or expecting
# to cooperate is no agreement, nor is a future tense in the reporter's words
_COMMITTING_CUES = frozenset(f"governor:{w}" for w in words("committing_governors"))
_PLEDGE_CODES = {
    "AID": "033",
    "RETREAT": "035",
    "CONCEDE": "035",
    "CONSULT": "036",
    "COOPERATE": "031",
    "SUPPORT": "032",
}


def _announced_by_actor(event: Event) -> bool:
    """Is an intended act announced by whoever will do it ("'they will be crushed,' the general said")?
    Force someone plans, tries or hopes for in the reporter's words threatens nobody."""
    speaker, actor = event.asserted_by, event.actor
    if speaker is None or actor is None or speaker.country is None:
        return False
    return speaker.country == actor.country


def derived_event(event: Event, cue: str, ontology: Ontology) -> Event | None:
    """The verbal event that a reported intention or demand is, in PLOVER's terms.

    An intention to cooperate that commits its actor ("'we will visit Senegal,' Jawara said",
    "decided to restore ties") is also an AGREE, one to use material force that its actor
    announces ("'farmers will blockade Paris,' the union said") a THREATEN, and a refusal to
    cooperate ("will not allow inspectors") a REJECT, all by the event's actor. "X said Y must do
    Z" is a REQUEST by X to Y. The underlying event is kept too, with its modality.
    """
    verbal: str | None = None
    actor, recipient = event.actor, event.recipient
    if event.modality == "intended" and cue in _INTENT_CUES:
        if event.event_type in _COOPERATIVE and event.polarity == "negated":
            verbal = "REJECT"  # "will not allow inspectors": a refusal, whoever reports it
        elif event.event_type in _COOPERATIVE and (cue in _COMMITTING_CUES or _announced_by_actor(event)):
            verbal = "AGREE"
        elif event.event_type in _CONFLICTUAL and event.polarity == "affirmed" and _announced_by_actor(event):
            verbal = "THREATEN"
    elif event.modality in ("hypothetical", "conditional") and event.event_type in _CONFLICTUAL:
        # "the EC may halt mediation if ...": a conditional use of pressure by the actor itself is a threat,
        # unlike "Russia could invade, U.S. officials said" (someone else's guess)
        speaker = event.asserted_by
        own = speaker is None or (actor is not None and speaker.country == actor.country)
        # the consequence, not the condition ("if they cross the line" threatens no one), and by a doer
        # the sentence names ("you can be killed", "may be arrested" are no one's threat)
        named = actor is not None and bool(actor.text) and actor.confidence > 0.3
        if own and named and event.polarity == "affirmed" and cue in ("aux:hypothetical", "aux:conditional"):
            verbal = "THREATEN"
    elif event.modality == "demanded" and cue == "aux:demanded" and event.asserted_by is not None:
        speaker = event.asserted_by
        if actor is None or (speaker.country, speaker.text) != (actor.country, actor.text):
            verbal, actor, recipient = "REQUEST", speaker, event.actor
    if verbal is None or actor is None:
        return None
    cameo = (
        _PLEDGE_CODES.get(event.event_type, ontology.types[verbal][1])
        if verbal == "AGREE"
        else ontology.types[verbal][1]
    )
    return replace(
        event,
        id=f"{event.id}v",
        event_type=verbal,
        mode=None,
        cameo=cameo,
        quad_class=ontology.types[verbal][0],
        intensity=ontology.intensity(cameo),
        actor=actor,
        recipient=recipient,
        polarity="affirmed",
        # a pledge, threat or demand is the speaker's own act, done by saying it; someone else's is reported
        modality="claimed" if event.asserted_by is not None and not _same_party(actor, event.asserted_by) else "actual",
        explain=f"{event.explain}; derived {verbal} from {event.modality} {event.event_type}",
    )


_MUST = Pattern("REQUEST", None, "100", (), "must", "say", ("must",), False)


_NO_ADDRESSEE = words("unaddressed_subjects")


def _reported_demands(sent: Span, trigger_tokens: set[int]) -> list[Trigger]:
    """ "X said (that) Y must/should do Z": a demand by X to Y (CAMEO 10), even when Z is no event word.
    When Z is an event ("must withdraw"), its own demanded event and derived REQUEST cover it."""
    found = []
    for verb in sent:
        if verb.lemma_ not in REPORTING or verb.pos_ not in ("VERB", "AUX"):
            continue
        for clause in verb.children:
            modal = any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in clause.children)
            # "talks with China must continue" asks no one: an event, not an actor, is the subject; nor
            # do "one should not read too much into it", "we must realize", "it should be seen as"
            subjects = [
                c
                for c in clause.children
                if c.dep_ == "nsubj" and c.i not in trigger_tokens and c.lower_ not in _NO_ADDRESSEE
            ]
            if clause.dep_ == "ccomp" and modal and subjects and clause.i not in trigger_tokens:
                found.append(Trigger(verb.i, verb.i + 1, _MUST, "reported demand"))
                break
    return found


def _purpose_of_event(token: Token, trigger_tokens: set[int]) -> bool:
    """Is ``token`` an infinitival purpose clause ("to disperse") of another trigger?"""
    if token.dep_ != "advcl" or token.head.i not in trigger_tokens:
        return False
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _by_actor(pattern: Pattern, actor: Actor | None) -> Pattern:
    """CAMEO codes some actions by who does them: civilians or the opposition
    blocking roads or crossings protest (144); a state blockades (191)."""
    civilian = actor is not None and bool(set(actor.sector) & {"CVL", "OPP"})
    if civilian and pattern.event_type == "COERCE" and pattern.mode == "restrict":
        return replace(pattern, event_type="PROTEST", mode="obstruct", cameo="144")
    return pattern


def _by_sides(pattern: Pattern, actor: Actor | None, recipient: Actor | None) -> Pattern:
    """PLOVER codes some acts by whom they are aimed at: withdrawing from an international body is a
    SANCTION (cutting ties), not a military RETREAT; backing an armed side, or by one, is AID."""
    leaves_body = recipient is not None and "IGO" in recipient.sector and "MIL" not in recipient.sector
    if leaves_body and pattern.event_type == "RETREAT" and pattern.mode == "withdraw":
        return replace(pattern, event_type="SANCTION", mode="withdraw", cameo="161")
    armed = any(side is not None and {"MIL", "REB"} & set(side.sector) for side in (actor, recipient))
    if pattern.armed_aid and armed:  # "soldiers supported by clan militias": help in the fight
        return replace(pattern, event_type="AID", mode="military", cameo="072")
    return pattern


def _first_actors(
    candidates: list[tuple[list[Token], str]], ctx: Context, exclude: str | None
) -> tuple[list[Token], str]:
    """The first candidate group in which some token resolves to an actor, else the first
    whose words imply a country ("Cambodian positions", "strikes on Kharkiv")."""
    for tokens, how in candidates:  # someone other than the actor first: "recalled its envoy from Bogota"
        if any(_other(resolve(t, ctx), exclude) or pair_referents(t, ctx, exclude) for t in tokens):
            return tokens, how
    for tokens, how in candidates:
        if any(resolve(t, ctx) is not None for t in tokens):
            return tokens, how
    for tokens, how in candidates:
        if any(_implied(t, ctx) is not None for t in tokens):
            return tokens, f"{how}:implied"
    return [], ""


def _other(actor: Actor | None, country: str | None) -> bool:
    return actor is not None and (country is None or actor.country != country)


def _parties(token: Token, ctx: Context, exclude: str | None = None) -> list[Actor]:
    """The actors a role's head word stands for: the two parties of "both countries" (other
    than ``exclude``), the actor it resolves to, or the country its words imply."""
    pair = pair_referents(token, ctx, exclude)
    if pair:
        return pair
    actor = resolve(token, ctx) or _implied(token, ctx)
    if actor is None:
        return []
    # "Turkish and Egyptian officers": one party per country, alike otherwise
    others = [c for c in modifier_countries(token, ctx) if c not in (actor.country, exclude)]
    return [
        actor,
        *(replace(actor, country=c, kb_id=None, name=None, confidence=min(actor.confidence, 0.5)) for c in others),
    ]


def _same_party(a: Actor, b: Actor) -> bool:
    """Do two sides name one party: one KB entry, one span or the same words ("Trump" ... "he")?"""
    if a.kb_id is not None and a.kb_id == b.kb_id:
        return True
    if b.end > b.start and (a.start, a.end) == (b.start, b.end):
        return True
    if a.text.lower() in _PERSONAL:  # "the rebels said they will ...": the speaker, resolved
        return (a.country, a.sector, a.kb_id, a.group) == (b.country, b.sector, b.kb_id, b.group)
    return bool(a.text) and a.text.lower() == b.text.lower()


_STATE = frozenset({"GOV", "MIL", "LEG", "JUD", "COP"})


def _speaks_for(speaker: Actor, actor: Actor) -> bool:
    """May ``speaker`` announce what ``actor`` will do: the actor itself, or a state or a body of one
    ("Kenya said its troops will withdraw", "the ministry said Russia will attend")? An analyst,
    a newspaper or a witness saying what someone will do makes a forecast."""
    state = bool(set(speaker.sector) & _STATE) or (speaker.kb_id is not None and speaker.kb_id == speaker.country)
    return state or _same_party(speaker, actor)


def _performed(token: Token, quad_class: int) -> bool:
    """Is a reported verbal act done by the very words that report it? A speaker's own first-person
    statement ("we condemn", "I thank", "we urged") or a participle of the reporting verb ("said,
    condemning the attack"). Verbal types only: "we attacked" is still a claim."""
    if quad_class not in (1, 3) or not is_verb(token):
        return False
    verb = token.head if token.dep_ == "conj" else token  # "we condemn the attack and urge calm"
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if subjects:
        return subjects[0].lower_ in ("i", "we")
    # the participle hangs on the reporting verb or on the clause it reports
    governors = (token.head, token.head.head) if token.head.dep_ == "ccomp" else (token.head,)
    return token.tag_ == "VBG" and token.dep_ in ("advcl", "xcomp") and any(g.lemma_ in REPORTING for g in governors)


def _counterpart(actor: Actor, dyad: tuple[str, str] | None) -> str | None:
    """The other country of a two-country story, for an actor of one of them."""
    if dyad is None or actor.country not in dyad:
        return None
    return dyad[1] if actor.country == dyad[0] else dyad[0]


def _agentless(verb: Token) -> bool:
    """A passive verb that does not say by whom ("was arrested", not "was arrested by police")."""
    deps = {c.dep_ for c in verb.children}
    return "nsubjpass" in deps and "agent" not in deps


def _unowned(path: str) -> bool:
    """Does a noun trigger's grammar leave its actor unsaid (no possessor, by- or of-phrase, governing subject)?"""
    return not any(f"[{w}" in path or f"+{w}" in path for w in ("poss", "by", "of-subject", "between", "governor-"))


def _discourse_actor(
    noun: Token,
    sent: Span,
    ctx: Context,
    asserted: Actor | None,
    symmetric: bool,
    taken: AbstractSet[int],
) -> list[Actor]:
    """The actor an event noun's paragraph makes plain: the subject of its own sentence's main
    clause when the noun sits in a clause below it ("Washington and Pyongyang have been at odds
    since talks failed": both of them, for talks), else the subject of the sentence before (of its
    main clause first), as centring theory has it; never the one who reports it. Not across a
    paragraph break; marked by a low confidence."""
    local = [
        t
        for t in sent
        if t.dep_ in ("nsubj", "nsubjpass")
        and t.head.dep_ == "ROOT"
        and t.head.lemma_ not in REPORTING
        and noun not in t.subtree
        and noun.head is not t.head
        and t.i not in taken  # "journalists remain in custody": they undergo it
    ]
    for token in local:
        found = [
            replace(a, confidence=min(a.confidence, 0.3))
            for t in _with_conjuncts(token)
            for a in _parties(t, ctx)
            if (a.country or a.group) and not (asserted is not None and _same(a, asserted))
        ]
        if found:
            return found if symmetric else found[:1]
    doc = sent.doc
    if sent.start == 0:
        return []
    before = doc[sent.start - 1].sent
    if "\n" in doc[sent.start - 1].whitespace_:  # (Doc.text would rebuild the whole story's text)
        return []
    subjects = sorted(
        (t for t in before if t.dep_ in ("nsubj", "nsubjpass") and t.head.lemma_ not in REPORTING),
        key=lambda t: (t.head.dep_ != "ROOT", t.i),
    )
    for token in subjects:
        for actor in _parties(token, ctx):
            if (actor.country or actor.group) and not (asserted is not None and _same(actor, asserted)):
                return [replace(actor, confidence=min(actor.confidence, 0.3))]
    return []


def _unresolved(token: Token) -> Actor:
    """An actor the text names but tocsin cannot code: its words, no country, low confidence."""
    kept = [t for t in token.subtree if (t.i <= token.i and t.dep_ in ("compound", "amod", "det")) or t.i == token.i]
    words = token.doc[kept[0].i : token.i + 1]  # a span's text, not Doc.text, which rebuilds the story
    return Actor(text=words.text, confidence=0.2, start=words.start_char, end=words.end_char)


def _implied(token: Token, ctx: Context) -> Actor | None:
    """A country the words imply without naming an actor: a nationality adjective
    ("Cambodian positions") or a place that stands for its country ("strikes on Kharkiv")."""
    described = described_country(token, ctx)
    if described is not None:
        return described
    ent = entity_of(token)
    if (ent is None or ent.label_ not in ("GPE", "LOC", "FAC")) and token.pos_ != "PROPN":
        return None
    text = ent.text if ent is not None else token.text
    place = lookup(text)
    if place is None or place.country is None:
        return None
    start = ent.start_char if ent is not None else token.idx
    return Actor(text=text, country=place.country, confidence=0.5, start=start, end=start + len(text))


def _where_acting(actor: Actor, place: Place | None) -> Actor:
    """ "Police dispersed protesters in Dhaka": an unnamed state or social actor takes the
    country where it acts (CAMEO practice), with less confidence."""
    if actor.country or actor.group or not actor.sector or place is None or not place.country:
        return actor
    return replace(actor, country=place.country, confidence=min(actor.confidence, 0.5))


_DOMESTIC = frozenset({"GOV", "JUD", "COP", "LEG"})


def _domestic(recipient: Actor, actors: list[Actor]) -> Actor:
    """ "A Phnom Penh court charged the journalist": a court, police or government acts on people
    of its own country unless the text says otherwise, so an unnamed recipient takes its country."""
    actor = actors[0] if actors else None
    if recipient.country or recipient.group or not recipient.sector or actor is None or not actor.country:
        return recipient
    if not set(actor.sector) & _DOMESTIC:
        return recipient
    return replace(recipient, country=actor.country, confidence=min(recipient.confidence, 0.4))


def _is_each_other(token: Token) -> bool:
    """ "Each other", "one another", "the other" (of two sides just named)."""
    return token.lower_ in ("other", "another") and any(c.lower_ in ("each", "one", "the") for c in token.lefts)


def _dyads(
    actors: list[Actor], recipients: list[Actor], mutual: bool, both_ways: bool = False
) -> list[tuple[Actor | None, Actor | None]]:
    """Actor-recipient pairs: every actor with every recipient, and with ``both_ways`` (a reciprocal
    act) each recipient with its actor too; for a mutual act of several actors and no recipient
    ("Serbia and Kosovo normalized relations"), each with the others."""
    if mutual and len(actors) >= 2 and not any(r.country for r in recipients):
        mutual_pairs: list[tuple[Actor | None, Actor | None]] = [
            (a, b) for a in actors for b in actors if (a.country, a.kb_id, a.text) != (b.country, b.kb_id, b.text)
        ]
        return mutual_pairs or [(actors[0], None)]
    pairs: list[tuple[Actor | None, Actor | None]] = []
    sides: tuple[list[Actor | None], list[Actor | None]] = ([*actors] or [None], [*recipients] or [None])
    for actor, recipient in itertools.product(*sides):
        if actor is not None and recipient is not None and _same(actor, recipient):
            recipient = None  # no event from an actor to itself
        if (actor, recipient) not in pairs:
            pairs.append((actor, recipient))
    if mutual and both_ways:  # "Rubio held talks with Ukrainian officials": they held talks with him too
        # only a recipient the sentence names: an inferred one ("met", in a story about Kenya) did not act
        pairs += [(r, a) for a, r in list(pairs) if a is not None and r is not None and r.text and (r, a) not in pairs]
    return pairs


def _same(a: Actor, b: Actor) -> bool:
    """The same actor twice ("Russia ... its troops"): no event from an actor to itself."""
    if (a.start, a.end) == (b.start, b.end) and b.end > b.start:
        return True
    if a.kb_id is not None and a.kb_id == b.kb_id and a.sector == b.sector:
        return True
    # "Taiwan put its forces on alert", "Russia armed itself": a reflexive, or a phrase owned by a
    # pronoun, of the actor's country; a plain object pronoun is someone else ("his rivals accused him")
    first = (b.text.split() or [""])[0].lower()
    own = b.text.lower().endswith(("self", "selves")) or first in ("its", "their", "his", "her", "our")
    # "Russia withdrew troops": a state's unnamed forces are its own, not someone it acts on
    forces = b.name is None and bool(b.sector) and set(b.sector) <= {"MIL"} and not set(a.sector) - {"GOV", "MIL"}
    return (own or forces) and a.country is not None and a.country == b.country


def code_doc(
    story: Story,
    doc: Doc,
    ctx: Context,
    coder: Coder | Patterns,
    quotes: Sequence[Quote] | None = None,
    sides: SideChooser | None = None,
) -> list[Event]:
    """Every event of a parsed story, sentence by sentence, from the triggers ``coder`` proposes
    (a :class:`~tocsin.patterns.Patterns` lexicon stands for the rule coder over it).

    ``quotes`` is the story's attribution pass (:func:`tocsin.quotes.extract_quotes` with the
    same ``ctx``); events inside a quotation are asserted by its speaker. It is run here when
    not given. ``sides``, if given, chooses recipients (:func:`code_sentence`).

    The sentence index counts sentences as :func:`tocsin.nlp.sentences` does
    (whitespace-only sentences are skipped), so ``sentence_id`` matches it.
    """
    rules: Coder = RuleCoder(coder) if isinstance(coder, Patterns) else coder
    mentions = country_mentions(doc, ctx)
    # the focus places people, so it is a country ("ECOWAS" is no one's home); a dyad may be an IGO's
    places = Counter({code: n for code, n in mentions.items() if code in ctx.kb.countries})
    ctx = replace(ctx, focus=story_focus(places), dyad=story_dyad(mentions))
    if quotes is None:
        quotes = extract_quotes(story, doc, ctx)
    attribution = Attribution(quote_spans(story.text), quotes)
    events: list[Event] = []
    index = 0
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        events += code_sentence(sent, index, story, ctx, rules, attribution, sides)
        index += 1
    # every event's confidence is the calibrated probability of tocsin.confidence
    return [replace(e, confidence=calibrated(e)) for e in events]


class Attribution:
    """A story's quotations (direct and indirect) and the spans of its quotation marks.

    Both kinds are kept sorted by offset, so finding the one around a trigger is a binary
    search, not a scan of the story's quotations for every trigger (which made coding
    quadratic in story length before).
    """

    def __init__(self, spans: list[tuple[int, int]], quotes: Sequence[Quote]) -> None:
        self.spans = spans
        self._direct = sorted((q for q in quotes if q.direct), key=lambda q: q.start)
        self._reported = sorted((q for q in quotes if not q.direct), key=lambda q: q.start)
        self._direct_starts = [q.start for q in self._direct]
        self._reported_starts = [q.start for q in self._reported]

    def covering(self, at: int, sentence_start: int) -> Quote | None:
        """The quotation that says what stands at offset ``at``: the direct quote around it
        (direct quotes never overlap), else the narrowest reported clause of its sentence,
        else an "according to" in that sentence."""
        i = bisect.bisect_right(self._direct_starts, at) - 1
        if i >= 0 and at < self._direct[i].end:
            return self._direct[i]
        lo = bisect.bisect_left(self._reported_starts, sentence_start)
        hi = bisect.bisect_right(self._reported_starts, at)
        reported = [q for q in self._reported[lo:hi] if at < q.end]
        clauses = [q for q in reported if q.cue != "according to"]
        if clauses:
            return min(clauses, key=lambda q: q.end - q.start)
        return reported[0] if reported else None


def country_mentions(doc: Doc, ctx: Context) -> Counter[str]:
    """How often a story's places and nationality words name each country."""
    counts: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ in ("GPE", "NORP", "LOC", "ORG"):
            country = ctx.kb.country_of(ent.text)
            if country is None and ent.label_ != "ORG":  # "the IMF" counts; a company's name is no place
                place = lookup(ent.text)
                country = place.country if place else None
            if country:
                counts[country] += 1
    return counts


def story_focus(counts: Counter[str]) -> str | None:
    """The country a story is about, from its :func:`country_mentions`: the one named most,
    if it is at least twice named and at least 40% of such mentions."""
    if not counts:
        return None
    country, n = counts.most_common(1)[0]
    return country if n >= 2 and n >= 0.4 * sum(counts.values()) else None


def story_dyad(counts: Counter[str]) -> tuple[str, str] | None:
    """The two countries a story is between ("Russia and Ukraine", "Pakistan and the IMF"), from its
    :func:`country_mentions`: the two most named, each at least three times, together at least 60%."""
    top = counts.most_common()
    if len(top) < 2 or top[1][1] < 3 or top[0][1] + top[1][1] < 0.6 * sum(n for _, n in top):
        return None
    return top[0][0], top[1][0]


def _focused(side: Actor, focus: str | None, acting: bool = False) -> Actor:
    """A person, body or group of people the story does not place ("opposition parties",
    "the union") is taken to be of the country the story is about, with little confidence; so is
    whoever acts under words tocsin cannot code (``acting``: "Gachagua denied the charges", "the
    regulation banned gaming", "the state did not release them"), as CAMEO codes an unplaced actor
    by where the story is."""
    if side.country or side.group or focus is None or not (side.sector or side.name or (acting and side.text)):
        return side
    return replace(side, country=focus, confidence=min(side.confidence, 0.3))


def _inferable(actor: Actor, focus: str | None, roles: _Roles, at_home: bool = False) -> bool:
    """May the story's country stand in for a recipient the sentence leaves unnamed? For a foreign
    actor, when the sentence names no one at all on the receiving end ("the withdrawal of U.S.
    troops", in a story about Afghanistan; but "Hungary criticised the package" is not aimed at the
    story's country); for one of its own, only a body that acts at home (a court, the police,
    parties), never the state or its army acting on itself ("Russian troops withdrew")."""
    if focus is None or actor.country is None:
        return False
    if actor.country != focus:
        return not roles.recipients
    # people protesting at home protest to their own country's authorities
    return at_home or bool(set(actor.sector) - {"MIL"})


def story_context(story: Story, kb: Any) -> Context:
    """A fresh resolution context for one story."""
    day: date | None = story.pub_date
    return Context(kb=kb, day=day)
