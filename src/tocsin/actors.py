"""Actors: who a noun phrase stands for, and who "he", "they" and "Putin" point back to.

:func:`resolve` takes the head token of a noun phrase and returns an
:class:`~tocsin.records.Actor`, trying in order:

1. pronouns, through the story's :class:`Memory` (our own coreference, since no
   model-based resolver runs offline with spaCy 3.8): gender and number cues,
   recency, and the speaker of the enclosing quotation for "we" and "I";
2. named entities looked up in the knowledge base (people on the story's date,
   countries and capitals, metonyms like "the Kremlin", organisations), then
   surnames of people the story has already named in full;
3. descriptions: role words for the sector ("troops" → MIL) and the country from
   adjectives, names and possessives ("Russian forces", "Ukraine's foreign
   ministry") or an "of" phrase; a title and a country name the officeholder on
   that date ("the German chancellor" → Olaf Scholz); unknown people keep what
   an apposition says about them ("Robert Grant, an American banker" → USA, BUS).

Groups ("Western officials") get a group code and no country, never a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from .kb import Entry, KnowledgeBase
from .nlp import entity_of
from .places import known, lookup
from .records import Actor
from .words import words

_MALE = {"he", "him", "his", "himself"}
_FEMALE = {"she", "her", "hers", "herself"}
_THING = {"it", "its", "itself"}
_PLURAL = {"they", "them", "their", "theirs", "themselves"}
_FIRST = {"i", "me", "my", "mine", "we", "us", "our", "ours", "myself", "ourselves"}
PRONOUNS = _MALE | _FEMALE | _THING | _PLURAL | _FIRST

_MODIFIERS = {"compound", "amod", "poss", "nmod", "det", "case", "nummod", "quantmod"}
_OWNER = words("owner_participles")
_PLACE_PREPS = {"in", "at", "near", "outside", "from", "into", "across", "around"}
# words before a name that give its bearer's gender ("Mrs. Roe", "spokeswoman Jane Roe")
_GENDERED = {**dict.fromkeys(words("female_titles"), "f"), **dict.fromkeys(words("male_titles"), "m")}
_NOT_OWNER = words("not_owner_participles")
_PERSON_TITLES = ("leader", "head", "chief", "premier")
_HEAD_OFFICES = ("president", "prime minister", "chancellor", "premier", "supreme leader", "king")


@dataclass
class Memory:
    """What a story has mentioned so far, oldest first: the coreference state."""

    actors: list[Actor] = field(default_factory=list)
    persons: list[Actor] = field(default_factory=list)
    titles: dict[str, set[str]] = field(default_factory=dict)  # person → role words used for them
    gender: dict[str, str] = field(default_factory=dict)  # name → "m" / "f", learned from pronouns
    speaker: Actor | None = None  # who is speaking in the current quotation

    subjects: set[int] = field(default_factory=set)  # ids of mentions that were grammatical subjects
    # Indexes over ``persons``, kept as mentions are added, so that no lookup scans the whole
    # story's memory: scanning it for every mention made coding quadratic in story length.
    person_ids: set[int] = field(default_factory=set)
    person_kb_ids: set[str | None] = field(default_factory=set)
    by_name: dict[str, Actor] = field(default_factory=dict)  # full name and surname → latest person

    def remember(self, actor: Actor, person: bool, subject: bool = False) -> None:
        """Add a resolved mention (pronoun resolutions are not added again)."""
        self.actors.append(actor)
        if person:
            self.persons.append(actor)
            self.person_ids.add(id(actor))
            self.person_kb_ids.add(actor.kb_id)
            name = actor.name or actor.text
            self.by_name[name] = actor
            if name.split():
                self.by_name[name.split()[-1]] = actor
        if subject:
            self.subjects.add(id(actor))

    def is_person(self, actor: Actor) -> bool:
        """Whether ``actor`` was remembered as a person, or shares a remembered person's KB id."""
        return id(actor) in self.person_ids or actor.kb_id in self.person_kb_ids

    def entitle(self, actor: Actor, title: str) -> None:
        """Note that the story calls ``actor`` by a title ("President Ruto")."""
        self.titles.setdefault(actor.name or actor.text, set()).add(title)

    def described(self, role: str, sector: str | None, country: str | None, person: bool) -> Actor | None:
        """The antecedent of a definite description ("the president", "the group"):
        the latest person called by that title (else of that country), or the
        latest organisation or country of a compatible sector."""
        if person:
            recent = [a for a in reversed(self.persons[-12:]) if country in (None, a.country)]
            titled = [a for a in recent if role in self.titles.get(a.name or a.text, set())]
            # someone the story calls by other titles only is not "the mayor"
            untitled = [a for a in recent if not self.titles.get(a.name or a.text)]
            return next(iter(titled or untitled), None)
        for actor in reversed(self.actors[-40:]):  # descriptions reach further back than pronouns
            # a person's country stands for a government body ("Trump ... the administration"), not for a group
            person = id(actor) in self.person_ids
            if (person and (sector != "GOV" or not actor.country)) or (country and actor.country != country):
                continue
            if person:
                return replace(actor, kb_id=None, name=None, sector=("GOV",))
            if sector in actor.sector or (sector == "GOV" and not actor.sector and actor.kb_id == actor.country):
                return actor
        return None

    def surname(self, text: str) -> Actor | None:
        """An earlier person whose name ends with, or equals, ``text``."""
        key = text.replace("’s", "").replace("'s", "").strip()
        return self.by_name.get(key)

    def pronoun(self, word: str, at: int = 0) -> Actor | None:
        """The antecedent of a pronoun at offset ``at``: gender and number must
        agree; a person who was a subject in the last few hundred characters is
        preferred (salience), else the most recent person."""
        word = word.lower()
        if word in _FIRST:
            return self.speaker
        if word in _MALE or word in _FEMALE:
            wanted = "m" if word in _MALE else "f"
            agreeing = [a for a in reversed(self.persons[-8:]) if self.gender.get(a.name or a.text) in (None, wanted)]
            salient = [a for a in agreeing if id(a) in self.subjects and at - a.start < 400]
            chosen = next(iter(salient or agreeing), None)
            if chosen is not None:
                self.gender[chosen.name or chosen.text] = wanted
            return chosen
        for actor in reversed(self.actors[-8:]):
            if id(actor) not in self.person_ids and (actor.country or actor.group or actor.sector):
                plural = actor.text.endswith("s") and not actor.kb_id
                if word in _THING and plural:
                    continue
                return actor
        return None


@dataclass(frozen=True)
class Context:
    """What resolution needs besides the token: the KB, the story date, the memory,
    and the resolutions made so far (by token index), so each mention resolves once."""

    kb: KnowledgeBase
    day: date | None
    memory: Memory = field(default_factory=Memory)
    cache: dict[int, Actor | None] = field(default_factory=dict)
    focus: str | None = None  # the country the story is about, for sides whose country it leaves unsaid
    dyad: tuple[str, str] | None = None  # the two countries a story is between, when it is about two


def _span_actor(span: Span | Token, **values: object) -> Actor:
    text = span.text
    start = span.idx if isinstance(span, Token) else span.start_char
    return Actor(text=text, start=start, end=start + len(text), **values)  # type: ignore[arg-type]


def _from_entry(entry: Entry, span: Span | Token, confidence: float) -> Actor:
    return _span_actor(
        span,
        name=entry.name,
        country=entry.country,
        sector=entry.sector,
        kb_id=entry.kb_id,
        confidence=confidence,
    )


def noun_phrase(token: Token) -> Span:
    """The head's phrase without relative clauses, appositions or prepositional tails."""
    start = token.i
    for child in token.lefts:
        if child.dep_ in _MODIFIERS or child.dep_ == "punct":
            start = min(start, child.left_edge.i)
    return token.doc[start : token.i + 1]


def resolve(token: Token, ctx: Context) -> Actor | None:
    """Resolve the noun phrase headed by ``token`` to an Actor, or None if it names no actor.

    The result is remembered in ``ctx.memory`` for later pronouns and surnames,
    and cached: resolving the same token again returns the first answer.
    """
    if token.i not in ctx.cache:
        ctx.cache[token.i] = _resolve(token, ctx)
    return ctx.cache[token.i]


_SOURCES = words("source_nouns")


def speaker_of(token: Token, ctx: Context) -> Actor | None:
    """Who a reporting clause or quotation says is speaking: the actor the words name, else, for
    words that name no one tocsin knows ("security sources", "court documents", "the rights
    group"), those words with no codes (an unnamed official source is the government's), so that
    the story's country may place them as it places any unnamed side."""
    found = resolve(token, ctx)
    if found is not None or token.pos_ not in ("NOUN", "PROPN") or token.ent_type_ in ("DATE", "TIME"):
        return found
    sector = ("GOV",) if token.lemma_.lower() in _SOURCES else ()
    return _span_actor(noun_phrase(token), sector=sector, confidence=0.2)


_QUANTITIES = words("quantity_nouns")


def _quantified(token: Token) -> Token | None:
    """The X of "thousands of X", "a group of X", "members of X"."""
    if token.lower_ not in _QUANTITIES and token.lemma_.lower() not in _QUANTITIES:
        return None
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            return next((o for o in child.children if o.dep_ == "pobj"), None)
    return None


#: Verbs that report speech; "X said it would ..." binds "it" to X.
REPORTING = words("reporting_verbs")


def _reporter(pronoun: Token, ctx: Context) -> Actor | None:
    """In "Iraq said it would allow ...", the subject pronoun of a reported clause is the speaker,
    when gender and number agree; so is the owner of the reported clause's subject ("the army
    chief said his forces had killed ...")."""
    subject = pronoun.head if pronoun.dep_ == "poss" else pronoun
    clause = subject.head
    if subject.dep_ not in ("nsubj", "nsubjpass") or clause.dep_ != "ccomp" or clause.head.lemma_ not in REPORTING:
        return None
    speaker = next((c for c in clause.head.children if c.dep_ == "nsubj"), None)
    if speaker is None or speaker.i == pronoun.i or speaker.lower_ in PRONOUNS:
        return None
    actor = resolve(speaker, ctx)
    if actor is None:
        return None
    # "the army chief said his forces ...": a described officeholder is someone "his" can stand for
    person = ctx.memory.is_person(actor) or (speaker.tag_ == "NN" and speaker.lemma_.lower() in _PERSON_ROLES)
    word = pronoun.lower_
    agrees = (word in _MALE | _FEMALE) == person if word not in _FIRST else False
    return actor if agrees else None


def _resolve(token: Token, ctx: Context) -> Actor | None:
    inner = _quantified(token)
    if inner is not None:
        actor = resolve(inner, ctx)
        if actor is not None:
            span = token.doc[token.left_edge.i : inner.i + 1]
            return replace(actor, text=span.text, start=span.start_char, end=span.end_char)
    lower = token.lower_
    # "US" and "IT" are names, not pronouns
    shouting = token.text.isupper() and len(token.text) > 1
    if (token.pos_ == "PRON" or lower in PRONOUNS) and not shouting and token.ent_type_ not in ("GPE", "ORG"):
        antecedent = _reporter(token, ctx) or ctx.memory.pronoun(lower, token.idx)
        if antecedent is None:
            return None
        return mention_of(antecedent, token)
    actor, person = _resolve_name(token, ctx)
    if actor is None:
        actor, person = _resolve_description(token, ctx)
    # "met in Brussels": a place; it keeps its country but is no antecedent for "they"
    place = token.dep_ == "pobj" and token.head.lower_ in _PLACE_PREPS and token.ent_type_ in ("GPE", "LOC", "FAC")
    if actor is not None and not place:
        ctx.memory.remember(actor, person, subject=token.dep_ in ("nsubj", "nsubjpass"))
    return actor


def mention_of(actor: Actor, token: Token) -> Actor:
    """``actor`` as a pronoun mentions it ("he" for Putin, "we" for a speaker), a little less sure."""
    stop = token.idx + len(token.text)
    return replace(actor, text=token.text, start=token.idx, end=stop, confidence=min(actor.confidence, 0.6))


def _resolve_name(token: Token, ctx: Context) -> tuple[Actor | None, bool]:
    ent = entity_of(token)
    # "ECOWAS", "NATO": acronyms the small model sometimes tags as common nouns are still names
    acronym = token.text.isupper() and token.text.isalpha() and len(token.text) > 2
    if ent is None and token.pos_ != "PROPN" and not acronym:
        return None, False
    span: Span = ent if ent is not None else token.doc[token.i : token.i + 1]
    text = span.text[:-2] if span.text.endswith(("'s", "’s")) else span.text
    entries = ctx.kb.lookup(text, ctx.day)
    earlier = ctx.memory.surname(text) if len(text.split()) == 1 else None
    if earlier is not None and not any(e.kb_id in ctx.memory.person_kb_ids for e in entries):
        # "Jimmy Lai ... Lai's release": the story's own Lai, not another Lai the KB knows
        return replace(earlier, text=span.text, start=span.start_char, end=span.end_char), True
    for end in range(len(span) - 1, 0, -1):
        if entries:
            break
        # "Montenegro province", "Gaza health ministry": the name before the generic words
        entries = ctx.kb.lookup(span[:end].text, ctx.day)
    if not entries and len(span) > 1 and ctx.day is not None and (ent is None or ent.label_ == "PERSON"):
        # "Omar El Bashir": a spelling the KB lacks, but the surname of someone in office that day
        # (without a date, a surname alone could be anyone who ever held office)
        # who shares a given name too: "Olga Putin" is not Vladimir Putin
        given = {t.lower_ for t in span[:-1]}
        entries = [e for e in ctx.kb.lookup(span[-1].text, ctx.day) if e.kind == "person"]
        entries = [e for e in entries if e.holds_office_on(ctx.day) and given & set(e.name.lower().split())]
    if entries:
        entry = entries[0]
        person = entry.kind == "person"
        confidence = 0.9 if not person or entry.holds_office_on(ctx.day or entry.start or date.today()) else 0.7
        actor = _from_entry(entry, span, confidence)
        if person and entry.gender:
            ctx.memory.gender.setdefault(entry.name, entry.gender)
        if person:
            for title in [*entry.titles, *_titles_before(token, ctx)]:
                ctx.memory.entitle(actor, title)
        return actor, person
    earlier = ctx.memory.surname(text)
    if earlier is not None:
        return replace(earlier, text=span.text, start=span.start_char, end=span.end_char), True
    label = ent.label_ if ent is not None else ""
    words = [text, *text.split()]
    named_country = next((c for c in map(ctx.kb.country_of, words) if c), None)
    if label == "PERSON" and named_country:
        label = "NORP"  # "Bosnian Serbs", "Bangladeshi": peoples the small model tags as persons
    if label == "NORP":
        # "Bosnian Serbs": the first word that names a country or group; else "Iraqi Kurds"
        country = named_country or _describe(token, ctx).country
        group = next((g for g in map(ctx.kb.groups.get, words) if g), None)
        if country or group:
            return _span_actor(span, name=text, country=country, group=group, confidence=0.7), False
    if label == "ORG" and named_country:
        # an organisation tocsin does not know, named after its country
        # ("Nigerian Union of Teachers", "Kenya Anti-Corruption Commission")
        role = next((w.lower() for w in reversed(text.split()) if w.lower() in ctx.kb.roles), None)
        sector = (ctx.kb.roles[role],) if role else ()
        return _span_actor(span, name=text, country=named_country, sector=sector, confidence=0.6), False
    if label in ("ORG", "NORP") and token.dep_ != "compound":
        # a named organisation tocsin does not know is still an actor, of unknown country
        found = _describe(token, ctx)
        return _span_actor(span, name=text, country=found.country, sector=found.sector, confidence=0.3), False
    if label == "PERSON" and token.dep_ == "pobj" and token.head.lower_ in _PLACE_PREPS:
        return None, False  # "in Banja Luka": the small model tags some places as people
    if label == "PERSON":
        found = _describe(token, ctx)
        actor = _described(span, found, text, 0.6 if found.country else 0.3)
        for title in _titles_before(token, ctx):
            ctx.memory.entitle(actor, title)
        honorific = next((_GENDERED[w.lower_] for w in token.lefts if w.lower_ in _GENDERED), None)
        if honorific:
            ctx.memory.gender.setdefault(text, honorific)
        return actor, True
    return None, False


def _described(span: Span, found: _Description, name: str | None, confidence: float) -> Actor:
    """An actor that is what its description says: country, sector and group."""
    return _span_actor(
        span, name=name, country=found.country, sector=found.sector, group=found.group, confidence=confidence
    )


def _titles_before(token: Token, ctx: Context) -> list[str]:
    """Role words in front of a name or in apposition to it ("President Ruto", "Ruto, the president")."""
    words = [t.lower_ for t in token.lefts if t.dep_ in ("compound", "amod")]
    words += [c.lemma_.lower() for c in token.children if c.dep_ == "appos"]
    phrases = [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]
    return [p for p in phrases if p in ctx.kb.roles]


@dataclass(frozen=True)
class _Description:
    country: str | None = None
    sector: tuple[str, ...] = ()
    group: str | None = None
    role: str | None = None
    body: Entry | None = None  # an organisation named as a modifier ("the Hizbollah group")


def _modifier_country(mod: Token, ctx: Context) -> tuple[str | None, str | None]:
    """Country and group a modifier names ("Russian", "U.S.", "Ukraine's", "its")."""
    if mod.dep_ == "poss":
        owner = resolve(mod, ctx)
        if owner is None and mod.pos_ == "PROPN" and (place := known(mod.text)) is not None:
            return place.country, None  # "Ontario's premier"
        return (owner.country, owner.group) if owner else (None, None)
    ent = entity_of(mod)
    text = ent.text if ent is not None else mod.text
    if mod.lower_ in _NOT_OWNER:
        return None, None  # "Russian-backed separatists" are not Russian
    doc = mod.doc
    if mod.i >= 2 and doc[mod.i - 1].text == "-" and doc[mod.i - 2].lower_ in ("pro", "non", "ex"):
        return None, None  # "pro-Russian separatists" take a side; they are not Russian
    if mod.i >= 2 and doc[mod.i - 1].text == "-" and doc[mod.i - 2].lower_ == "anti":
        # "anti-Pakistan fighters" fight the state at home: Pakistan's rebels, as CAMEO codes them
        return ctx.kb.country_of(mod.text), None
    if mod.lower_ in _OWNER:
        # "Vietnamese-led forces": the country is on the far side of the hyphen
        left = [t for t in mod.lefts if t.dep_ in ("npadvmod", "compound", "amod")]
        text = left[0].text if left else text
    # the entity ("Radical French", mis-tagged as an organisation) or else the word itself ("French")
    country = ctx.kb.country_of(text) or ctx.kb.country_of(mod.text)
    if country is None:
        # "the Bush administration", "the Kremlin's line": a known name lends its country
        entries = [e for e in ctx.kb.lookup(text, ctx.day) if e.country]
        country = entries[0].country if entries else None
    if country is None and (ent is None or ent.label_ in ("GPE", "LOC")):
        # "Texas officials", "Ontario Premier Doug Ford": a state's people are its country's (a word the
        # parser left untagged only if tocsin's own tables know it: "Premier" is also a town)
        place = lookup(text) if ent is not None else known(text) if mod.pos_ == "PROPN" else None
        country = place.country if place is not None else None
    return country, ctx.kb.groups.get(mod.text)


def modifier_countries(token: Token, ctx: Context) -> list[str]:
    """Every country a phrase's coordinated nationality modifiers name, in order: "Turkish and
    Egyptian intelligence officers" → TUR, EGY; "U.S., French and Chinese representatives"."""
    found: list[str] = []
    for mod in token.lefts:
        if mod.dep_ not in ("amod", "compound", "nmod"):
            continue
        for word in (mod, *mod.conjuncts):
            if word.ent_type_ in ("NORP", "GPE", "ORG"):  # "U.S. and NATO troops"
                country, _ = _modifier_country(word, ctx)
                if country and country not in found:
                    found.append(country)
    return found


def _role(token: Token, ctx: Context) -> str | None:
    """The longest role phrase ending at the head ("foreign minister", "forces")."""
    words = [t for t in token.lefts if t.dep_ in ("compound", "amod")] + [token]
    texts = [t.lower_ for t in words]
    for i in range(len(texts)):
        phrase = " ".join([*texts[i:-1], token.lemma_.lower()])
        if phrase in ctx.kb.roles:
            return phrase
        phrase = " ".join(texts[i:])
        if phrase in ctx.kb.roles:
            return phrase
    return None


def _describe(token: Token, ctx: Context) -> _Description:
    """Country, sector and group from a phrase's modifiers, "of" phrase and apposition."""
    country = group = role = None
    body: Entry | None = None
    owner_country = None  # "his Egyptian counterpart": the adjective says more than the owner
    for mod in token.subtree:
        if mod.i >= token.i or mod.head.i > token.i or mod.dep_ not in ("amod", "compound", "poss", "nmod"):
            continue
        found, found_group = _modifier_country(mod, ctx)
        if mod.dep_ == "poss" and mod.lower_ in PRONOUNS:
            owner_country = owner_country or found
            found = None
        country, group = country or found, group or found_group
        if body is None and mod.dep_ in ("compound", "nmod"):
            ent = entity_of(mod)
            named = ctx.kb.lookup(ent.text if ent is not None else mod.text, ctx.day)
            body = next((e for e in named if e.kind in ("institution", "igo")), None)
    for child in token.rights:
        # "members of X", "activists from the Fatah party", "students throughout Indonesia"
        if child.dep_ == "prep" and child.lower_ in ("of", "from", "in", "throughout", "across", "within", "at"):
            for obj in child.children:
                if obj.dep_ == "pobj":
                    owner = resolve(obj, ctx)
                    country = country or (owner.country if owner else ctx.kb.country_of(obj.text))
        if child.dep_ == "appos":
            inner = _describe(child, ctx)
            country, group = country or inner.country, group or inner.group
            role = role or inner.role
    country = country or owner_country
    role = _role(token, ctx) or role
    sector = (ctx.kb.roles[role],) if role else ()
    return _Description(country=country, sector=sector, group=group, role=role, body=body)


_PERSON_ROLES = words("person_roles")


def _resolve_description(token: Token, ctx: Context) -> tuple[Actor | None, bool]:
    if token.pos_ not in ("NOUN", "PROPN"):
        return None, False
    found = _describe(token, ctx)
    if not (found.country or found.group or found.role):
        return None, False
    span = noun_phrase(token)
    definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.children)
    if definite and found.role and not found.body and not found.group:
        person = found.role in _PERSON_ROLES and token.tag_ in ("NN", "NNP")
        sector = found.sector[0] if found.sector else None
        antecedent = ctx.memory.described(found.role, sector, found.country, person)
        if antecedent is not None:
            return replace(
                antecedent,
                text=span.text,
                start=span.start_char,
                end=span.end_char,
                confidence=min(antecedent.confidence, 0.6),
            ), person
    title = found.role or token.lemma_.lower()
    national = not _regional(token)  # "Ontario's premier" is of Canada, but not Canada's prime minister
    if national and found.country and (title in _PERSON_TITLES or title in _HEAD_OFFICES or _is_title(title, ctx)):
        holder = _officeholder(found.country, title, ctx)
        if holder is not None:
            return replace(holder, text=span.text, start=span.start_char, end=span.end_char, confidence=0.7), True
    if found.role is None and found.body is not None:
        return _from_entry(found.body, span, 0.8), False  # "the pro-Iranian Hizbollah group"
    if found.role is None:  # "Russian equipment": a country, but not an actor
        return None, False
    return _described(span, found, None, 0.7 if found.country else 0.5), False


def _regional(token: Token) -> bool:
    """Is a phrase owned by a state, province or region ("Ontario's premier", "the Tigray president")?"""
    for mod in token.lefts:
        if mod.dep_ in ("poss", "compound", "amod", "nmod"):
            place = known(mod.text[:-2] if mod.text.endswith(("'s", "’s")) else mod.text)
            if place is not None and place.admin1 is not None and place.admin1 == place.name:
                return True
    return False


def _is_title(title: str, ctx: Context) -> bool:
    return title in ctx.kb.titles


def _officeholder(country: str, title: str, ctx: Context) -> Actor | None:
    """The person a title stands for: a recent mention first, else the KB on the date."""
    for actor in reversed(ctx.memory.persons[-6:]):
        if actor.country == country and "GOV" in actor.sector and title in _PERSON_TITLES:
            return actor
    titles = _HEAD_OFFICES if title in _PERSON_TITLES else (title,)
    for candidate in titles:
        entry = ctx.kb.officeholder(country, candidate, ctx.day)
        if entry is not None:
            return Actor(
                text=entry.name,
                name=entry.name,
                country=entry.country,
                sector=entry.sector,
                kb_id=entry.kb_id,
                confidence=0.7,
            )
    return None


_MENTION_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "dative", "appos", "conj", "poss", "ROOT", "agent", "npadvmod"}


def is_mention_head(token: Token) -> bool:
    """True for tokens that head a noun phrase in an argument position."""
    return token.dep_ in _MENTION_DEPS and token.pos_ in ("NOUN", "PROPN", "PRON")


def mentions(tokens: Span | Doc, ctx: Context) -> list[Actor]:
    """Resolve every mention in a sentence or story, in order; return the actors found."""
    found = []
    for token in tokens:
        if is_mention_head(token):
            actor = resolve(token, ctx)
            if actor is not None:
                found.append(actor)
    return found


_PAIR_NOUNS = words("pair_nouns")


_HOW_MANY = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5}
_GROUPS = {"pair": 2, "duo": 2, "trio": 3}


def _group_size(token: Token) -> int:
    """How many parties "both countries", "the three nations", "the trio" or "both" stand for (0: none)."""
    if token.pos_ == "PRON" and token.lower_ == "both":
        return 2
    if token.lemma_.lower() in _GROUPS and any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
        return _GROUPS[token.lemma_.lower()]
    if token.lemma_.lower() not in _PAIR_NOUNS:
        return 0
    counts = [
        _HOW_MANY[c.lower_] for c in token.children if c.dep_ in ("det", "nummod", "predet") and c.lower_ in _HOW_MANY
    ]
    return counts[0] if counts else 0


def _dyad_parties(token: Token, ctx: Context) -> list[Actor]:
    """ "The parties", "the two sides" with no number, in a story between two countries: those two."""
    plural = token.tag_ in ("NNS", "NNPS") and token.lemma_.lower() in ("party", "side")
    if ctx.dyad is None or not plural or not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
        return []
    entries = [ctx.kb.countries[code] for code in ctx.dyad if code in ctx.kb.countries]
    span = noun_phrase(token)
    return [_from_entry(entry, span, 0.4) for entry in entries] if len(entries) == 2 else []


def pair_referents(token: Token, ctx: Context, exclude: str | None = None) -> list[Actor]:
    """The parties that "both countries", "the two sides", "the three nations", "the trio" or "both"
    stand for: the last so many countries the story named (other than ``exclude``, the event's other
    side), or nothing."""
    size = _group_size(token)
    if not size:
        return _dyad_parties(token, ctx)
    found: dict[str, Actor] = {}
    states = token.lemma_.lower() in ("country", "nation", "state")  # "the three nations": not NATO
    for actor in reversed(ctx.memory.actors[-30:]):
        if actor.start >= token.idx or not actor.country or actor.country in (exclude, *found):
            continue
        if states and actor.country not in ctx.kb.countries:
            continue
        found[actor.country] = actor
        if len(found) == size:
            span = noun_phrase(token)
            return [
                replace(a, text=span.text, start=span.start_char, end=span.end_char, confidence=min(a.confidence, 0.6))
                for a in reversed(found.values())
            ]
    return []


_ARMED = words("armed_modifiers")


def described_country(token: Token, ctx: Context) -> Actor | None:
    """A side that is no actor by itself but whose words name a country: "Cambodian
    military positions" (KHM, MIL), "Russian missiles" (RUS). Less sure than a resolved actor."""
    if token.pos_ not in ("NOUN", "PROPN"):
        return None
    found = _describe(token, ctx)
    if not found.country:
        return None
    armed = any(t.lower_ in _ARMED for t in token.lefts if t.dep_ in ("amod", "compound"))
    span = noun_phrase(token)
    return _span_actor(span, country=found.country, sector=("MIL",) if armed else (), confidence=0.5)
