"""The pipeline: the one module that knows the order of the stages.

read → clean → check (language, length) → parse → (later stages) → write.
A broad ``except Exception`` lives only here, at the per-document boundary,
where a failure becomes a :class:`Problem` and the batch goes on.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import nlp
from .clean import clean_story
from .readers import read
from .records import Problem, Story
from .settings import Settings
from .text import detect_language, normalize

log = logging.getLogger(__name__)

Item = Story | Problem


@dataclass
class Summary:
    """What a run did: stories used, documents skipped, warnings, and why."""

    ok: int = 0
    sentences: int = 0
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

        return ", ".join([f"{self.ok} ok", part("skipped", self.skipped), part("warnings", self.warnings)])


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
    from dataclasses import replace

    return replace(story, language=settings.language)


def prepare(items: Iterable[Item], settings: Settings) -> Iterator[Item]:
    """Clean and check each story; problems pass through; failures become problems."""
    for item in items:
        if isinstance(item, Problem):
            yield item
            continue
        try:
            yield check(clean_story(item), settings)
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


def _stories(items: Iterable[Item], summary: Summary) -> Iterator[Story]:
    for item in items:
        if isinstance(item, Problem):
            log.warning("%s", item)
            summary.add(item)
        else:
            yield item


def run(
    sources: Iterable[str | Path], settings: Settings, *, progress: Callable[[Story], object] | None = None
) -> Summary:
    """Read, clean and parse every source; write cleaned stories with their
    sentences to ``<settings.out>/stories.jsonl``; return the summary."""
    out = Path(settings.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    stories = _stories(cleaned(sources, settings), summary)
    parsed = nlp.parse(stories, model=settings.model, n_process=settings.n_process, batch_size=settings.batch_size)
    with (out / "stories.jsonl").open("w", encoding="utf-8") as sink:
        for story, doc in parsed:
            record = story.to_dict()
            record["sentences"] = [[s.start, s.end] for s in nlp.sentences(story, doc)]
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            summary.ok += 1
            summary.sentences += len(record["sentences"])
            if progress:
                progress(story)
    return summary
