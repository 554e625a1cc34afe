"""Cleaning, for checking by hand: what each rule removed from real stories.

Prints, for the first N stories of a corpus (default: 30 VOA stories), every
removal with its rule, then the first and last characters of the cleaned text,
so a reader can count boilerplate left in (recall) and article text taken out
(precision). Also prints removal counts by rule over every corpus.

Usage: python bench/cleaning.py [--corpus voa-news] [-n 30]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from tocsin.pipeline import cleaned
from tocsin.records import Story
from tocsin.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="voa-news")
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    stories = [s for s in cleaned([DATA / args.corpus], Settings()) if isinstance(s, Story)][: args.n]
    for story in stories:
        print(f"== {story.id}: {len(story.removed)} removed")
        for removal in story.removed:
            print(f"   [{removal.rule}] {removal.text.strip()[:160]}")
        print(f"   starts: {story.text[:90]!r}")
        print(f"   ends:   {story.text[-90:]!r}")
    totals: Counter[str] = Counter()
    count = 0
    for item in cleaned(sorted(p.parent for p in DATA.glob("*/PROVENANCE.md")), Settings()):
        if isinstance(item, Story):
            count += 1
            totals.update(r.rule for r in item.removed)
    print(f"\nall corpora: {count} stories; removals by rule: {dict(totals)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
