"""The pipeline: the one module that knows the order of the stages.

read → clean → check (language, length) → parse → (later stages) → write.
A broad ``except Exception`` lives only here, at the per-document boundary,
where a failure becomes a :class:`Problem` and the batch goes on.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from spacy.tokens import Doc
from sqlalchemy import Engine

from . import dedup, nlp, scale, store
from .clean import clean_story
from .errors import ConfigError, InputError, StoreError
from .events import SideChooser, code_doc, story_context
from .kb import KnowledgeBase, load_kb
from .patterns import Patterns, load_patterns
from .quotes import extract_quotes
from .readers import parse_date, read, story_from_record
from .records import Event, Problem, Quote, Story
from .settings import Settings
from .store import Coded
from .text import detect_language, normalize
from .triggers import Coder

log = logging.getLogger(__name__)

Item = Story | Problem


@dataclass
class Summary:
    """What a run did: stories used, documents skipped, warnings, and why."""

    ok: int = 0
    known: int = 0  # stories whose text the store already holds
    repeated: int = 0  # stories whose text came earlier in the same input
    sentences: int = 0
    events: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    undated_events: int = 0  # events coded from stories without a publication date

    def add_undated(self, warning: Problem | None, events: int) -> None:
        """Count a story's ``no-date`` warning (from :func:`undated`), if it has one."""
        if warning is not None:
            self.add(warning)
            self.undated_events += events

    def add(self, problem: Problem) -> None:
        """Count a problem and keep it (the first 10,000) for the report."""
        (self.skipped if problem.fatal else self.warnings)[problem.reason] += 1
        if len(self.problems) < 10_000:
            self.problems.append(problem)

    def line(self) -> str:
        """One line: ``3 ok, 2 skipped (binary 1, bad-json 1), 1 warning (bad-date 1)``."""

        def part(label: str, counts: Counter[str]) -> str:
            total = sum(counts.values())
            detail = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items()))
            return f"{total} {label}" + (f" ({detail})" if detail else "")

        parts = [f"{self.ok} ok", part("skipped", self.skipped), part("warnings", self.warnings)]
        if self.repeated:
            parts.insert(1, f"{self.repeated} repeated within the input")
        if self.known:
            parts.insert(1, f"{self.known} already stored")
        return ", ".join(parts)


def check(story: Story, settings: Settings) -> Story | Problem:
    """Refuse a cleaned story that is empty, too long or not in the coded language."""
    where = story.source or story.id
    if not story.text.strip():
        return Problem(source=where, reason="empty", detail="nothing is left after cleaning")
    if len(story.text) > settings.max_chars:
        return Problem(source=where, reason="too-large", detail=f"{len(story.text):,} characters after cleaning")
    language, probability = detect_language(story.text, min_confidence=settings.language_confidence)
    if language not in ("und", settings.language):
        detail = f"language is {language!r} (p={probability:.2f}), tocsin codes {settings.language!r}"
        return Problem(source=where, reason="not-english", detail=detail)
    return replace(story, language=settings.language)


def prepare(items: Iterable[Item], settings: Settings) -> Iterator[Item]:
    """Clean and check each story; problems pass through; failures become problems."""
    for item in items:
        if isinstance(item, Problem):
            yield item
            continue
        try:
            yield check(clean_story(item), settings)
        except OSError as exc:  # the machine, not the document: a full disk stops the run
            raise StoreError(f"cannot write temporary files: {exc} — free some space and run again") from exc
        except Exception as exc:  # the per-document boundary: one story never stops a batch
            log.exception("cleaning %s failed", item.id)
            yield Problem(source=item.source or item.id, reason="failed", detail=f"{type(exc).__name__}: {exc}")


def read_all(sources: Iterable[str | Path], pub_date: date | None = None) -> Iterator[Item]:
    """Read every source, streaming; ``pub_date`` dates the stories that carry no date."""
    for source in sources:
        for item in read(source):
            if pub_date is not None and isinstance(item, Story) and item.pub_date is None:
                item = replace(item, pub_date=pub_date)
            yield item


def cleaned(sources: Iterable[str | Path], settings: Settings, pub_date: date | None = None) -> Iterator[Item]:
    """Read every source and yield cleaned stories and problems, streaming.

    ``pub_date`` dates the stories whose input carries no date (``.txt``, stdin).
    """
    yield from prepare(read_all(sources, pub_date), settings)


#: What :func:`code_many` takes: a ``Story`` record, a raw text, or a dict with the
#: reader's field names (``text``, ``id``, ``pub_date`` / ``published`` / ``date``,
#: ``title``, ``url``, ``publisher``, ``author``...).
StoryInput = Story | str | Mapping[str, Any]
#: A publication date: a ``date``, a ``datetime``, an ISO string ("2022-02-17") or None.
PubDate = date | datetime | str | None


def as_pub_date(value: object) -> date | None:
    """A publication date from a ``date``, ``datetime``, ISO string or None.

    Example:
        >>> as_pub_date("2022-02-17T10:00:00Z")
        datetime.date(2022, 2, 17)

    Raises:
        InputError: reason ``bad-date`` for a string that is no date, or another type.
    """
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, str):
        return parse_date(value)
    raise InputError("bad-date", f"pub_date must be a date, a datetime, an ISO string or None, not {_kind(value)}")


def _kind(value: object) -> str:
    return f"{type(value).__name__} {str(value)[:40]!r}" if value is not None else "None"


def _text(text: object, function: str) -> str:
    if isinstance(text, str):
        return text
    hint = " (decode it first: data.decode('utf-8'), or tocsin.read() a file)" if isinstance(text, bytes) else ""
    raise InputError("bad-input", f"{function}() takes the story text as a str, not {_kind(text)}{hint}")


def clean(text: str, *, pub_date: PubDate = None, story_id: str = "story", **metadata: str) -> Story:
    """Clean one raw story text and return the cleaned :class:`Story`.

    Example:
        >>> story = clean("KYIV, Ukraine (AP) — Talks resumed on Monday.\\n\\n(c) 2022, The Post · A. Author")
        >>> story.text, story.publisher, story.authors
        ('Talks resumed on Monday.', 'The Post', ('A. Author',))

    Raises:
        InputError: ``text`` is not a str, or ``pub_date`` is no date.
    """
    story = Story(id=story_id, text=normalize(_text(text, "clean")), pub_date=as_pub_date(pub_date), **metadata)  # type: ignore[arg-type]
    return clean_story(story)


def _coder(settings: Settings) -> tuple[KnowledgeBase, Coder | Patterns, SideChooser | None]:
    """The knowledge base, the trigger coder and the recipient chooser the settings name."""
    kb, patterns = load_kb(settings.files("actors")), load_patterns(settings.files("patterns"))
    if settings.coder == "rules":
        return kb, patterns, None
    from .learned import learned_coder, load_sides  # numpy, tokenizers and safetensors: loaded only when asked for

    return kb, learned_coder(patterns, backoff=settings.coder == "both"), load_sides()


def code_parsed(story: Story, doc: Doc, settings: Settings) -> list[Event]:
    """Events of one cleaned, parsed story."""
    return list(analyse(story, doc, settings).events)


def analyse(story: Story, doc: Doc, settings: Settings) -> Coded:
    """Everything tocsin reads in one cleaned, parsed story: one attribution pass (quotations and
    their speakers), then the events, whose ``asserted_by`` is read from that same pass."""
    kb, coder, sides = _coder(settings)
    ctx = story_context(story, kb)
    found_quotes = extract_quotes(story, doc, ctx)
    events = code_doc(story, doc, ctx, coder, found_quotes, sides)
    return Coded(
        story=story,
        hash=content_hash(story),
        sentences=tuple(nlp.sentences(story, doc)),
        events=tuple(events),
        quotes=tuple(found_quotes),
        signature=dedup.signature(story.text).tobytes(),
    )


def process(stories: Iterable[Story], settings: Settings, n_process: int = 1) -> Iterator[Coded | Problem]:
    """The one path from cleaned, checked stories to coded records: parse, attribute, code.

    :func:`run`, :func:`code`, :func:`code_many`, :func:`quotes` and the CLI all go
    through here. A story that fails becomes a :class:`Problem`; the rest go on.
    """
    parsed_stories = nlp.parse(stories, model=settings.model, n_process=n_process, batch_size=settings.batch_size)
    for story, doc in parsed_stories:
        try:
            yield analyse(story, doc, settings)
        except (ConfigError, StoreError):  # the settings or the machine, not the document
            raise
        except OSError as exc:  # the machine, not the document: a full disk stops the run
            raise StoreError(f"cannot write temporary files: {exc} — free some space and run again") from exc
        except Exception as exc:  # the per-document boundary: one story never stops a batch
            log.exception("coding %s failed", story.id)
            yield Problem(source=story.source or story.id, reason="failed", detail=f"{type(exc).__name__}: {exc}")


def undated(story: Story, events: list[Event]) -> Problem | None:
    """A warning when a story without a publication date yielded events (they carry no date)."""
    if story.pub_date is not None or not events:
        return None
    count = f"{len(events)} event" + ("s" if len(events) != 1 else "")
    detail = f"{count} coded without a date: the story has no publication date"
    return Problem(source=story.source or story.id, reason="no-date", detail=detail, fatal=False)


def _as_story(item: object, index: int) -> Iterator[Story | Problem]:
    """One input of :func:`code_many` as a Story (and any warning about it)."""
    if isinstance(item, Story):
        yield replace(item, text=normalize(_text(item.text, "code_many")), pub_date=as_pub_date(item.pub_date))
    elif isinstance(item, str):
        yield Story(id=f"story-{index}", text=normalize(item), source=f"story-{index}")
    elif isinstance(item, Mapping):
        yield from story_from_record(dict(item), f"story-{index}", default_id=f"story-{index}")
    else:
        raise InputError(
            "bad-input",
            f"code_many() takes Story records, texts (str) or dicts with a 'text' field; item {index} is {_kind(item)}",
        )


def code_many(
    stories: Iterable[StoryInput], settings: Settings | None = None, *, problems: list[Problem] | None = None
) -> Iterator[Event]:
    """Clean, parse and code stories, streaming events.

    ``stories`` holds ``Story`` records, raw texts, or dicts with the reader's
    field names (``{"id": ..., "text": ..., "pub_date": "2022-02-17"}``), in any
    mix. Stories are cleaned first, so credit lines and reader comments never
    yield events. A story that is skipped (empty, too long, not English) yields
    no events and a :class:`Problem` saying why, appended to ``problems`` when it
    is given (and logged); so are warnings (``bad-date``, ``no-date``).

    Example:
        >>> problems: list[Problem] = []
        >>> french = "Le président russe a rencontré le chancelier allemand à Moscou mardi."
        >>> events = list(code_many(["Putin met Scholz in Moscow on Tuesday.", french], problems=problems))
        >>> sorted(p.reason for p in problems)
        ['no-date', 'not-english']

    Raises:
        InputError: ``stories`` is a single str or bytes (use :func:`code`), or an
            item is none of the accepted kinds (raised when that item is reached).
    """
    if isinstance(stories, (str, bytes)) or not isinstance(stories, Iterable):
        raise InputError(
            "bad-input",
            f"code_many() takes an iterable of stories (Story records, texts or dicts), not {_kind(stories)}; "
            "for one text use tocsin.code(text)",
        )
    return _code_many(stories, settings or Settings(), problems)


def _code_many(stories: Iterable[StoryInput], settings: Settings, problems: list[Problem] | None) -> Iterator[Event]:
    def report(problem: Problem) -> None:
        log.warning("%s", problem)
        if problems is not None:
            problems.append(problem)

    def inputs() -> Iterator[Story]:
        raw = (made for i, item in enumerate(stories) for made in _as_story(item, i))
        for item in prepare(raw, settings):
            if isinstance(item, Problem):
                report(item)
            else:
                yield item

    for item in process(inputs(), settings, settings.n_process):
        if isinstance(item, Problem):
            report(item)
            continue
        if (warning := undated(item.story, list(item.events))) is not None:
            report(warning)
        yield from item.events


def code(
    text: str,
    *,
    pub_date: PubDate = None,
    story_id: str = "story",
    settings: Settings | None = None,
    problems: list[Problem] | None = None,
) -> list[Event]:
    """Code one raw story text into events.

    ``pub_date`` (a date, datetime or ISO string) resolves "on Tuesday" and dates
    the events. When the story is skipped (empty, too long, not English) the list
    is empty and the reason is appended to ``problems`` when it is given.

    Example:
        >>> [e.event_type for e in code("Putin met German Chancellor Olaf Scholz in the Kremlin.")]
        ['CONSULT']

    Raises:
        InputError: ``text`` is not a str (``None``, bytes...), or ``pub_date`` is no date.
    """
    story = Story(id=story_id, text=_text(text, "code"), pub_date=as_pub_date(pub_date), source=story_id)
    return list(code_many([story], settings, problems=problems))


def quotes(
    text: str,
    *,
    pub_date: PubDate = None,
    story_id: str = "story",
    settings: Settings | None = None,
    problems: list[Problem] | None = None,
) -> list[Quote]:
    """Direct and indirect quotations of one raw story text, with their speakers.

    A story that is skipped (empty, too long, not English) gives no quotations and
    a :class:`Problem` appended to ``problems`` when it is given.

    Raises:
        InputError: ``text`` is not a str, or ``pub_date`` is no date.
    """
    settings = settings or Settings()
    story = Story(id=story_id, text=normalize(_text(text, "quotes")), pub_date=as_pub_date(pub_date), source=story_id)
    (checked,) = prepare([story], settings)
    (item,) = [checked] if isinstance(checked, Problem) else process([checked], settings)
    if isinstance(item, Problem):
        log.warning("%s", item)
        if problems is not None:
            problems.append(item)
        return []
    return list(item.quotes)


def coded_stories(
    sources: Iterable[str | Path], settings: Settings, summary: Summary, pub_date: date | None = None
) -> Iterator[Coded]:
    """Read, clean, parse and code every source, streaming what each story holds; problems go to
    ``summary``. ``pub_date`` dates the stories whose input carries no date."""
    stories = _stories(cleaned(sources, settings, pub_date), summary)
    for item in process(stories, settings, settings.n_process):
        if isinstance(item, Problem):
            log.warning("%s", item)
            summary.add(item)
        else:
            yield item


def _stories(items: Iterable[Item], summary: Summary) -> Iterator[Story]:
    for item in items:
        if isinstance(item, Problem):
            log.warning("%s", item)
            summary.add(item)
        else:
            yield item


def content_hash(story: Story) -> str:
    """The hash that identifies a story's content in the store: its text as read."""
    return hashlib.sha256(story.text.encode("utf-8")).hexdigest()


def code_batch(batch: list[Story], settings: Settings) -> list[Coded | Problem]:
    """Clean, check, parse and code a batch of stories as read: everything the store needs.

    Runs in worker processes (or Dask workers), so the process that writes the
    store only reads and writes; a story that fails becomes a Problem.
    """
    out: list[Coded | Problem] = []
    ready: list[Story] = []
    hashes: dict[int, str] = {}
    for raw, item in zip(batch, prepare(batch, settings), strict=True):
        if isinstance(item, Problem):
            out.append(item)
        else:
            ready.append(item)
            hashes[id(item)] = content_hash(raw)
    for coded in process(ready, settings):
        # the store knows a story by the text as read, so a re-run skips it before cleaning
        out.append(coded if isinstance(coded, Problem) else replace(coded, hash=hashes[id(coded.story)]))
    return out


def _new_batches(
    stories: Iterable[Story], engine: Engine, settings: Settings, summary: Summary
) -> Iterator[list[Story]]:
    """Batches of stories whose content is not stored yet (re-runs store nothing twice)."""
    batch: list[Story] = []

    def flush() -> list[Story]:
        digests = [content_hash(s) for s in batch]
        known = store.known_hashes(engine, digests)
        fresh, seen = [], set()
        for story, digest in zip(batch, digests, strict=True):
            if digest in known:
                summary.known += 1
            elif digest in seen:
                summary.repeated += 1
            else:
                seen.add(digest)
                fresh.append(story)
        return fresh

    for story in stories:
        batch.append(story)
        if len(batch) >= settings.batch_size:
            fresh = flush()
            batch = []
            if fresh:
                yield fresh
    if batch and (fresh := flush()):
        yield fresh


def run(
    sources: Iterable[str | Path],
    settings: Settings,
    *,
    progress: Callable[[Story], object] | None = None,
    on_events: Callable[[list[Event]], object] | None = None,
    pub_date: date | None = None,
) -> Summary:
    """Clean, code and store every source into ``settings.db``, incrementally.

    Stories already stored (the same text as read) are skipped, so a re-run, or a run
    after a crash, stores nothing twice and loses nothing. Coding runs on
    ``settings.n_process`` processes, or on Dask when ``settings.dask`` is set;
    results are written from this process in input order. ``progress`` sees each
    stored story, ``on_events`` each story's events. ``pub_date`` dates the
    stories whose input carries no date.

    Raises:
        StoreError: the database cannot be written; stories stored so far are kept.
    """
    summary = Summary()
    engine = store.open_store(settings.db)
    try:
        stories = _stories(read_all(sources, pub_date), summary)
        batches = _new_batches(stories, engine, settings, summary)
        work = functools.partial(code_batch, settings=settings)
        if settings.dask:
            results = scale.dask_map(work, batches, settings.dask)
        else:
            results = scale.local_map(work, batches, settings.n_process)
        for result in results:
            for item in result:
                if isinstance(item, Problem):
                    log.warning("%s", item)
                    summary.add(item)
                    continue
                if store.save(engine, item) is None:
                    summary.known += 1
                    continue
                summary.ok += 1
                summary.sentences += len(item.sentences)
                summary.events += len(item.events)
                summary.add_undated(undated(item.story, list(item.events)), len(item.events))
                if progress:
                    progress(item.story)
                if on_events:
                    on_events(list(item.events))
        if summary.ok:  # new claims or denials can dispute clusters stored before: the server only reads
            mark_disputes(engine)
    finally:
        engine.dispose()
    return summary


def mark_disputes(engine: Engine) -> int | None:
    """Weigh every stored claim against the denials and flag the contradicted clusters disputed
    (:func:`tocsin.signals.mark_disputes`).

    Runs where events are written (``tocsin run``), so readers of the store never write.
    Returns the number of disputed clusters, or None when the signals extra (pandas)
    is not installed and nothing was marked.
    """
    try:
        from . import signals

        found = signals.mark_disputes(engine)
    except ConfigError as exc:  # pandas is missing: the core install does not need it
        log.warning("disputed clusters not marked: %s", exc)
        return None
    return len(set(found["claim_cluster"].dropna()))
