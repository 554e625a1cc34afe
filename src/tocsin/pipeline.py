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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from spacy.tokens import Doc
from sqlalchemy import Engine

from . import dedup, nlp, scale, store
from .clean import clean_story
from .errors import ConfigError, StoreError
from .events import Patterns, code_doc, load_patterns, story_context
from .kb import KnowledgeBase, load_kb
from .quotes import extract_quotes
from .readers import read
from .records import Event, Problem, Quote, Story
from .settings import Settings
from .store import Coded
from .text import detect_language, normalize

log = logging.getLogger(__name__)

Item = Story | Problem


@dataclass
class Summary:
    """What a run did: stories used, documents skipped, warnings, and why."""

    ok: int = 0
    known: int = 0
    sentences: int = 0
    events: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

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


def cleaned(sources: Iterable[str | Path], settings: Settings) -> Iterator[Item]:
    """Read every source and yield cleaned stories and problems, streaming."""
    for source in sources:
        yield from prepare(read(source), settings)


def clean(text: str, *, pub_date: date | None = None, story_id: str = "story", **metadata: str) -> Story:
    """Clean one raw story text and return the cleaned :class:`Story`.

    Example:
        >>> story = clean("KYIV, Ukraine (AP) — Talks resumed on Monday.\\n\\n(c) 2022, The Post · A. Author")
        >>> story.text, story.publisher, story.authors
        ('Talks resumed on Monday.', 'The Post', ('A. Author',))
    """
    return clean_story(Story(id=story_id, text=normalize(text), pub_date=pub_date, **metadata))  # type: ignore[arg-type]


def _coder(settings: Settings) -> tuple[KnowledgeBase, Patterns]:
    return load_kb(settings.files("actors")), load_patterns(settings.files("patterns"))


def code_parsed(story: Story, doc: Doc, settings: Settings) -> list[Event]:
    """Events of one cleaned, parsed story."""
    kb, patterns = _coder(settings)
    return code_doc(story, doc, story_context(story, kb), patterns)


def code_many(stories: Iterable[Story | str], settings: Settings | None = None) -> Iterator[Event]:
    """Clean, parse and code stories (``Story`` records or raw texts), streaming events.

    Stories are cleaned first, so credit lines and reader comments never yield
    events. Stories that fail the checks (empty, not English...) yield nothing.

    Example:
        >>> events = list(code_many(["Putin met Scholz in Moscow on Tuesday."]))
    """
    settings = settings or Settings()
    raw = (s if isinstance(s, Story) else Story(id=f"story-{i}", text=s) for i, s in enumerate(stories))
    prepared = prepare((replace(s, text=normalize(s.text)) for s in raw), settings)
    good = (s for s in prepared if isinstance(s, Story))
    for story, doc in nlp.parse(
        good, model=settings.model, n_process=settings.n_process, batch_size=settings.batch_size
    ):
        yield from code_parsed(story, doc, settings)


def code(
    text: str, *, pub_date: date | None = None, story_id: str = "story", settings: Settings | None = None
) -> list[Event]:
    """Code one raw story text into events.

    Example:
        >>> [e.event_type for e in code("Putin met German Chancellor Olaf Scholz in the Kremlin.")]
        ['CONSULT']
    """
    return list(code_many([Story(id=story_id, text=text, pub_date=pub_date)], settings))


def quotes(
    text: str, *, pub_date: date | None = None, story_id: str = "story", settings: Settings | None = None
) -> list[Quote]:
    """Direct and indirect quotations of one raw story text, with their speakers."""
    settings = settings or Settings()
    story = clean_story(Story(id=story_id, text=normalize(text), pub_date=pub_date))
    ((story, doc),) = nlp.parse([story], model=settings.model)
    kb, _ = _coder(settings)
    return extract_quotes(story, doc, story_context(story, kb))


def parsed(sources: Iterable[str | Path], settings: Settings, summary: Summary) -> Iterator[tuple[Story, Doc]]:
    """Read, clean and parse every source, streaming ``(story, doc)``; problems go to ``summary``."""
    stories = _stories(cleaned(sources, settings), summary)
    return nlp.parse(stories, model=settings.model, n_process=settings.n_process, batch_size=settings.batch_size)


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
    kb, _ = _coder(settings)
    out: list[Coded | Problem] = []
    ready: list[Story] = []
    hashes: dict[int, str] = {}
    for raw, item in zip(batch, prepare(batch, settings), strict=True):
        if isinstance(item, Problem):
            out.append(item)
        else:
            ready.append(item)
            hashes[id(item)] = content_hash(raw)
    for story, doc in nlp.parse(ready, model=settings.model, batch_size=settings.batch_size):
        try:
            events = code_parsed(story, doc, settings)
            found_quotes = extract_quotes(story, doc, story_context(story, kb))
            out.append(
                Coded(
                    story=story,
                    hash=hashes[id(story)],
                    sentences=tuple(nlp.sentences(story, doc)),
                    events=tuple(events),
                    quotes=tuple(found_quotes),
                    signature=dedup.signature(story.text).tobytes(),
                )
            )
        except OSError as exc:  # the machine, not the document: a full disk stops the run
            raise StoreError(f"cannot write temporary files: {exc} — free some space and run again") from exc
        except Exception as exc:  # the per-document boundary: one story never stops a batch
            log.exception("coding %s failed", story.id)
            out.append(Problem(source=story.source or story.id, reason="failed", detail=f"{type(exc).__name__}: {exc}"))
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
            if digest in known or digest in seen:
                summary.known += 1
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
) -> Summary:
    """Clean, code and store every source into ``settings.db``, incrementally.

    Stories already stored (the same text as read) are skipped, so a re-run, or a run
    after a crash, stores nothing twice and loses nothing. Coding runs on
    ``settings.n_process`` processes, or on Dask when ``settings.dask`` is set;
    results are written from this process in input order. ``progress`` sees each
    stored story, ``on_events`` each story's events.

    Raises:
        StoreError: the database cannot be written; stories stored so far are kept.
    """
    summary = Summary()
    engine = store.open_store(settings.db)
    try:
        stories = _stories((item for source in sources for item in read(source)), summary)
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
