"""Coding time against story length: it must grow linearly, not with the square.

Codes one story made of a repeated sentence (issue #13: ``'Putin met Scholz. ' * n``)
at doubling lengths up to 200,000 characters, and a second story that mixes
quotations, pronouns and several actors (what coreference and quotation
matching remember grows with it). For each length it prints the CPU seconds taken by
``tocsin.code`` end to end, by spaCy parsing alone and by tocsin's own work after
the parse (events, actors, coreference, quotations), and the microseconds per
character of that work: flat means linear; doubling with the length means
quadratic. CPU time rather than wall time, so other work on a shared machine
does not blur the curve.

Usage: python bench/linear.py [--max 200000] [--text repeated|mixed|both]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import tocsin
from tocsin.events import story_context
from tocsin.kb import load_kb
from tocsin.nlp import load
from tocsin.pipeline import clean, code_parsed
from tocsin.quotes import extract_quotes
from tocsin.settings import Settings

REPEATED = "Putin met Scholz. "
MIXED = (
    "Russian President Vladimir Putin met German Chancellor Olaf Scholz in Moscow on Tuesday. "
    "He said the talks were useful. "
    "“We will not attack Ukraine,” Putin told reporters. "
    "NATO accused Russia of massing troops near the border, officials in Brussels said. "
    "They denied that any withdrawal had taken place.\n\n"
)
PUB_DATE = date(2022, 2, 17)


def measure(unit: str, chars: int) -> tuple[float, float, float, int]:
    """CPU seconds for ``tocsin.code``, for the parse, and for the work after it; events found."""
    text = unit * max(1, chars // len(unit))
    settings = Settings(max_chars=max(chars * 2, Settings().max_chars))
    start = time.process_time()
    events = tocsin.code(text, pub_date=PUB_DATE, settings=settings)
    total = time.process_time() - start
    story = clean(text, pub_date=PUB_DATE)
    start = time.process_time()
    doc = load()(story.text)
    parse = time.process_time() - start
    kb = load_kb()
    start = time.process_time()
    code_parsed(story, doc, settings)
    extract_quotes(story, doc, story_context(story, kb))
    after = time.process_time() - start
    return total, parse, after, len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=200_000, help="longest story, in characters")
    parser.add_argument("--text", choices=["repeated", "mixed", "both"], default="both")
    args = parser.parse_args()
    tocsin.code("Putin met Scholz.")  # load the model, the knowledge base and the patterns first
    texts = {"repeated": REPEATED, "mixed": MIXED}
    chosen = list(texts) if args.text == "both" else [args.text]
    sizes = []
    size = 12_500
    while size <= args.max:
        sizes.append(size)
        size *= 2
    if sizes[-1] != args.max:
        sizes.append(args.max)
    for name in chosen:
        print(f"\n{name} text ({texts[name].strip()[:50]!r}...)")
        print(f"{'chars':>8} {'events':>7} {'code s':>8} {'parse s':>8} {'after s':>8} {'after µs/char':>14}")
        for chars in sizes:
            total, parse, after, found = measure(texts[name], chars)
            print(f"{chars:>8,} {found:>7,} {total:>8.2f} {parse:>8.2f} {after:>8.2f} {after / chars * 1e6:>14.1f}")


if __name__ == "__main__":
    main()
