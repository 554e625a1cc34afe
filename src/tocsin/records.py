"""The records that flow between tocsin's stages.

Every record is a frozen dataclass with tuple fields, so it is hashable, picklable
(it can cross spaCy's ``n_process`` workers) and never mutated in place: a stage
makes a new version with :func:`dataclasses.replace`.

Offsets in :class:`Sentence` (and, later, in events) index into ``Story.text``,
the cleaned text. Cleaning is deterministic, so the same raw input always gives
the same cleaned text and the same offsets.
"""

from __future__ import annotations

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
