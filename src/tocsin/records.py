"""The records that flow between tocsin's stages.

Every record is a frozen dataclass with tuple fields, so it is hashable, picklable
(it can cross spaCy's ``n_process`` workers) and never mutated in place: a stage
makes a new version with :func:`dataclasses.replace`.

Offsets in :class:`Sentence` (and, later, in events) index into ``Story.text``,
the cleaned text. Cleaning is deterministic, so the same raw input always gives
the same cleaned text and the same offsets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

#: Stable ``Problem.reason`` values, in the order the summary prints them.
PROBLEM_REASONS = (
    "empty",
    "binary",
    "too-large",
    "bad-encoding",
    "bad-json",
    "bad-date",
    "no-article",
    "not-english",
    "truncated",
    "unsupported",
    "unreadable",
    "unreachable",
    "failed",
    "no-date",
    "bad-input",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Removal:
    """A piece of text that cleaning took out of a story.

    Fields:
        rule: name of the cleaning rule that removed it (``strip_byline``...).
        text: the removed text, exactly as it stood.
        start: its character offset in the text that the rule was given.
    """

    rule: str
    text: str
    start: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """A news story. After cleaning, offsets in later records index into ``text``.

    Fields:
        id: stable identifier (from the input, or derived from file and line).
        text: the story text (raw as read; cleaned after :func:`tocsin.clean.clean_story`).
        pub_date: publication date, or None when unknown.
        title, url, publisher: metadata when the input has it.
        authors: author names from the input or from bylines and credit lines.
        dateline: the place named in a removed dateline ("KYIV, Ukraine").
        language: ISO 639-1 code from language identification ("en").
        source: where it was read from (path, ``path:line``, URL or ``-``).
        credits: credit, copyright and syndication lines removed by cleaning.
        comments: reader comments split off the end of the story.
        removed: everything cleaning took out, rule by rule.
    """

    id: str
    text: str
    pub_date: date | None = None
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    language: str | None = None
    source: str | None = None
    credits: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings, tuples as lists)."""
        data = asdict(self)
        data["pub_date"] = self.pub_date.isoformat() if self.pub_date else None
        data["authors"] = list(self.authors)
        data["credits"] = list(self.credits)
        data["comments"] = list(self.comments)
        data["removed"] = [asdict(r) for r in self.removed]
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class Sentence:
    """One sentence of a cleaned story.

    Fields:
        story_id: the story it belongs to.
        index: 0-based position among the story's sentences.
        text: the sentence text, equal to ``story.text[start:end]``.
        start, end: character offsets into the cleaned story text.
    """

    story_id: str
    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """A document that could not be used, or a part of it that was not understood.

    Readers yield a Problem instead of raising, so one bad document never stops
    a batch. ``reason`` is one of :data:`PROBLEM_REASONS`.

    Fields:
        source: the file, ``file:line``, URL or ``-`` it came from.
        reason: a stable short code (``bad-json``, ``binary``, ``not-english``...).
        detail: a human sentence saying what was wrong.
        line: 1-based line number inside the source, when it has lines.
        fatal: True when the document was skipped; False for a warning (for
            example ``bad-date``: the story goes on with no pub_date).
    """

    source: str
    reason: str
    detail: str = ""
    line: int | None = None
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        kind = "skipped" if self.fatal else "warning"
        return f"{where}: {kind} ({self.reason}) {self.detail}".rstrip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who an event or quotation is about: a resolved mention.

    Fields:
        text: the words in the story ("Russia's military", "he").
        name: canonical name when known ("Vladimir Putin", "Russia").
        country: ISO 3166-1 alpha-3 or IGO code ("RUS", "NATO", "EUR", "UNO"), or None.
        sector: sector codes of SCHEMA.md ("GOV", "MIL"...), possibly empty.
        kb_id: knowledge-base identifier, or None for people tocsin does not know.
        group: a group code when the text names a group, not a country ("WEST").
        confidence: 0..1, how sure the resolution is.
        start, end: character offsets of ``text`` in the cleaned story text.
    """

    text: str
    name: str | None = None
    country: str | None = None
    sector: tuple[str, ...] = ()
    kb_id: str | None = None
    group: str | None = None
    confidence: float = 0.5
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SCHEMA.md actor object (plus ``group`` and ``confidence``)."""
        return {
            "text": self.text,
            "name": self.name,
            "country": self.country,
            "sector": list(self.sector),
            "kb_id": self.kb_id,
            "group": self.group,
            "confidence": round(self.confidence, 2),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """Where an event happened, resolved with the gazetteer.

    Fields: name, country (ISO-3), admin1 (first-order division), lat, lon, and
    the ``text`` it was found as in the sentence.
    """

    name: str
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The SCHEMA.md place object."""
        return {"name": self.name, "country": self.country, "admin1": self.admin1, "lat": self.lat, "lon": self.lon}


_ACTOR_KEYS = ("text", "name", "country", "sector", "kb_id", "group", "confidence")
_NESTED = {
    "actor": _ACTOR_KEYS,
    "recipient": _ACTOR_KEYS,
    "asserted_by": ("text", "country", "sector"),
    "place": ("name", "country", "admin1", "lat", "lon"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One coded event; :meth:`to_dict` writes the record of ``../shared/SCHEMA.md``.

    Fields follow SCHEMA.md: ids and evidence (``story_id``, ``sentence_id``,
    ``sentence``, ``span``, ``trigger``), the coding (``event_type``, ``mode``,
    ``context``, ``cameo``, ``quad_class``, ``intensity``), who (``actor``,
    ``recipient``, ``asserted_by``), how (``polarity``, ``modality``, ``quote``),
    when and where (``date``, ``date_text``, ``date_precision``, ``pub_date``,
    ``place``), and
    ``confidence`` and ``coder``. ``explain`` says which pattern and parse path
    produced the event (printed by ``--explain``, not part of the schema record).
    """

    id: str
    story_id: str
    sentence_id: int
    sentence: str
    span: tuple[int, int]
    trigger: str
    event_type: str
    mode: str | None = None
    context: tuple[str, ...] = ()
    cameo: str | None = None
    quad_class: int | None = None
    intensity: float | None = None
    actor: Actor | None = None
    recipient: Actor | None = None
    asserted_by: Actor | None = None
    polarity: str = "affirmed"
    modality: str = "actual"
    quote: bool = False
    date: dt.date | None = None
    date_text: str | None = None
    date_precision: str | None = None  # day, week, month, season, year; fallback (pub_date); None (no date)
    pub_date: dt.date | None = None
    place: Place | None = None
    confidence: float = 0.5
    coder: str = "tocsin"
    explain: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The SCHEMA.md record: every field present, null when unknown, in schema order."""

        def actor(a: Actor | None, full: bool = True) -> dict[str, Any] | None:
            if a is None:
                return None
            data = a.to_dict()
            return data if full else {k: data[k] for k in ("text", "country", "sector")}

        return {
            "id": self.id,
            "story_id": self.story_id,
            "sentence_id": self.sentence_id,
            "sentence": self.sentence,
            "span": list(self.span),
            "trigger": self.trigger,
            "event_type": self.event_type,
            "mode": self.mode,
            "context": list(self.context),
            "cameo": self.cameo,
            "quad_class": self.quad_class,
            "intensity": self.intensity,
            "actor": actor(self.actor),
            "recipient": actor(self.recipient),
            "asserted_by": actor(self.asserted_by, full=False),
            "polarity": self.polarity,
            "modality": self.modality,
            "quote": self.quote,
            "date": self.date.isoformat() if self.date else None,
            "date_text": self.date_text,
            "date_precision": self.date_precision,
            "pub_date": self.pub_date.isoformat() if self.pub_date else None,
            "place": self.place.to_dict() if self.place else None,
            "confidence": round(self.confidence, 2),
            "coder": self.coder,
        }

    def to_row(self) -> dict[str, Any]:
        """A flat dict for tables and pandas: nested objects become ``actor_country`` etc.

        Example: ``pandas.DataFrame(e.to_row() for e in events)``.
        """
        return flatten(self.to_dict())


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """Who said what: a direct or indirect quotation.

    Fields:
        story_id: the story. speaker: the resolved speaker, or None when unknown.
        cue: the reporting verb or phrase ("said", "told", "according to").
        text: the quoted words (inside the marks for direct quotes; the reported
            clause for indirect ones). start, end: offsets into the cleaned text.
        direct: True for words inside quotation marks.
        date: the story's publication date (quotes are dated by their story).
        cue_start: offset of the cue word, when there is one.
    """

    story_id: str
    speaker: Actor | None
    cue: str | None
    text: str
    start: int
    end: int
    direct: bool
    date: dt.date | None = None
    cue_start: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "story_id": self.story_id,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "cue": self.cue,
            "text": self.text,
            "span": [self.start, self.end],
            "direct": self.direct,
            "date": self.date.isoformat() if self.date else None,
            "cue_start": self.cue_start,
        }


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """A flat row from a SCHEMA.md record: nested objects become ``actor_country``
    and so on, with the same columns for every event whether filled or not."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key in _NESTED:
            value = value or {}
            for sub in _NESTED[key]:
                item = value.get(sub)
                row[f"{key}_{sub}"] = ";".join(item) if isinstance(item, list) else item
        elif isinstance(value, list) and key != "span":
            row[key] = ";".join(map(str, value))
        else:
            row[key] = value
    return row
