"""Throughput: tocsin end to end against bare spaCy parsing of the same texts.

Reads every corpus under ../shared/data that has a PROVENANCE.md and holds news
stories (JSONL records with a long ``text``), then times, in one run and on the
same texts, with the same model and number of processes:

1. bare ``nlp.pipe`` over the raw texts (the reference);
2. tocsin: read → clean → parse → resolve actors → code events (``code_many``);
3. the actor and quotation stage alone over already-parsed docs (issue #3's cost
   budget: at most 20% of the parse).

Prints words/s and stories/s for each, the ratio tocsin / bare spaCy (target
≤ 1.5), and a cProfile of tocsin's own post-parse work. Absolute speeds vary a
lot between machines; the ratios are what to compare.

Usage: python bench/speed.py [--processes N] [--repeat K] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

import spacy

from tocsin.actors import mentions
from tocsin.events import story_context
from tocsin.kb import load_kb
from tocsin.nlp import DEFAULT_MODEL
from tocsin.pipeline import code_many, code_parsed
from tocsin.quotes import extract_quotes
from tocsin.records import Story
from tocsin.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def corpus_stories() -> list[Story]:
    """Every news story (text of 400+ characters) in every corpus with a PROVENANCE.md."""
    stories = []
    for provenance in sorted(DATA.glob("*/PROVENANCE.md")):
        for path in sorted(provenance.parent.glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                text = record.get("text") or ""
                if len(text) >= 400:
                    stories.append(Story(id=str(record.get("id")), text=text))
    return stories


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="run each measurement K times, keep the fastest")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the post-parse stages")
    args = parser.parse_args()
    stories = corpus_stories()
    if not stories:
        print(f"no corpora under {DATA}", file=sys.stderr)
        return 1
    words = sum(len(s.text.split()) for s in stories)
    nlp = spacy.load(DEFAULT_MODEL)  # bare: the same model without tocsin's own pipeline component
    settings = Settings.from_env(n_process=args.processes)  # TOCSIN_CODER=both times the learned back-off
    load_kb()
    list(code_many(stories[:3], settings))  # warm caches: KB, patterns, ontology, model

    def bare() -> None:
        for _ in nlp.pipe((s.text for s in stories), n_process=args.processes, batch_size=32):
            pass

    def tocsin() -> None:
        for _ in code_many(stories, settings):
            pass

    results: dict[str, float] = {}
    for _ in range(args.repeat):
        # interleave, so both see the same machine load
        for name, fn in (("bare spaCy", bare), ("tocsin", tocsin)):
            results[name] = min(results.get(name, float("inf")), timed(fn))
    docs = list(nlp.pipe((s.text for s in stories), batch_size=32))
    kb = load_kb()

    def actors_and_quotes() -> None:
        for story, doc in zip(stories, docs, strict=True):
            ctx = story_context(story, kb)
            mentions(doc, ctx)
            extract_quotes(story, doc, story_context(story, kb))

    def coding() -> None:
        for story, doc in zip(stories, docs, strict=True):
            code_parsed(story, doc, settings)

    results["actors + quotes (on parsed docs)"] = timed(actors_and_quotes)
    results["event coding (on parsed docs)"] = timed(coding)

    print(f"{len(stories)} stories, {words:,} words, {args.processes} process(es)")
    for name, seconds in results.items():
        print(
            f"  {name:<34} {seconds:7.2f} s  {words / seconds:9,.0f} words/s  {len(stories) / seconds:7.1f} stories/s"
        )
    parse = results["bare spaCy"]
    print(f"ratio tocsin / bare spaCy: {results['tocsin'] / parse:.2f} (target <= 1.5)")
    print(f"actors + quotes / bare spaCy: {results['actors + quotes (on parsed docs)'] / parse:.2f} (target <= 0.20)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(coding)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
