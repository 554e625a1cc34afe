"""Actor layer accuracy: coreference, quotation speakers, and gold actor codes.

1. Coreference, on ``bench/labels/coref.jsonl``: pronouns, surnames and
   descriptions hand-labelled in the real news of ../shared/data with the actor
   they refer to. A resolution is *right* when the referent's name (its last
   word) appears in the resolved actor's name or text, or, for referents that
   are countries or organisations, when the country code matches.
2. Quotation speakers, on ``bench/labels/quotes.jsonl``: direct and indirect
   quotations labelled with their speaker. A quotation is *found* when tocsin
   has one at the labelled quote mark (direct) or cue word (indirect); its
   speaker is right by the same rule as above.
3. Actor codes against the PLOVER gold records: each gold source/target actor
   text is located in its sentence and resolved; country accuracy (gold "IGO"
   matches any IGO code) and sector accuracy where the gold gives a sector of
   SCHEMA.md's list.

The labels hold ids, offsets, short mentions and names only (no story text);
offsets index the raw ``text`` field and are mapped onto tocsin's cleaned text.

Usage: python bench/actors.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from spacy.tokens import Doc, Token

from tocsin.actors import Context, mentions, resolve
from tocsin.clean import clean_story
from tocsin.events import code_doc, story_context
from tocsin.kb import SECTORS, load_kb
from tocsin.nlp import load
from tocsin.patterns import load_patterns
from tocsin.quotes import extract_quotes
from tocsin.readers import parse_date
from tocsin.records import Actor, Story
from tocsin.text import normalize

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
IGO_WORDS = {"IGO"}


def raw_stories() -> dict[str, dict]:
    stories = {}
    for path in DATA.glob("*/*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "text" in record and "event" not in record:
                stories[str(record["id"])] = record
    return stories


def prepared(record: dict) -> tuple[Story, int]:
    """The cleaned story and the shift from raw to cleaned offsets."""
    raw = normalize(record["text"])
    story = clean_story(Story(id=str(record["id"]), text=raw, pub_date=parse_date(record.get("published"))))
    shift = raw.find(story.text[:60])
    return story, max(shift, 0)


def head_of(doc: Doc, start: int, end: int) -> Token | None:
    """The syntactic head of the tokens covering ``[start, end)``."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None else None


def name_matches(referent: str, actor: Actor | None) -> bool:
    if actor is None:
        return False
    # the surname's first six letters: transliterations differ at the end (Zelensky, Zelenskyy)
    last = re.sub(r"[^\w-]", "", referent.split()[-1]).lower()[:6]
    words = re.sub(r"[^\w\s-]", "", f"{actor.name or ''} {actor.text}").lower().split()
    return bool(last) and any(w.startswith(last) for w in words)


def right(label: dict, actor: Actor | None) -> bool:
    if name_matches(label["referent" if "referent" in label else "speaker"], actor):
        return True
    person = label.get("kind") in ("surname",) or label.get("mention", "").lower() in ("he", "she", "his", "her", "him")
    return not person and actor is not None and label.get("country") is not None and actor.country == label["country"]


def labels_by_story(name: str) -> dict[str, list[dict]]:
    """The hand labels in bench/labels/NAME, grouped by story id."""
    by_story: dict[str, list[dict]] = defaultdict(list)
    for line in (HERE / "labels" / name).read_text().splitlines():
        if line.strip():
            label = json.loads(line)
            by_story[label["story"]].append(label)
    return by_story


def coref(records: dict[str, dict]) -> dict:
    by_story = labels_by_story("coref.jsonl")
    nlp, kb, patterns = load(), load_kb(), load_patterns()
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    country_hits = country_total = 0
    for story_id, story_labels in by_story.items():
        story, shift = prepared(records[story_id])
        doc = nlp(story.text)
        ctx = story_context(story, kb)
        code_doc(story, doc, ctx, patterns)  # resolves mentions in reading order, as coding does
        for label in story_labels:
            token = head_of(doc, label["start"] - shift, label["end"] - shift)
            actor = (ctx.cache.get(token.i) if token.i in ctx.cache else resolve(token, ctx)) if token else None
            totals[label["kind"]] += 1
            hits[label["kind"]] += right(label, actor)
            if label.get("country"):
                country_total += 1
                country_hits += actor is not None and actor.country == label["country"]
    print(f"Coreference: {sum(totals.values())} labelled mentions in {len(by_story)} stories")
    for kind in sorted(totals):
        print(f"  {kind:<12} {hits[kind]:3d}/{totals[kind]:<3d} = {hits[kind] / totals[kind]:.2f}")
    print(
        f"  all          {sum(hits.values()):3d}/{sum(totals.values()):<3d} = "
        f"{sum(hits.values()) / sum(totals.values()):.2f};  country right {country_hits}/{country_total} = "
        f"{country_hits / max(country_total, 1):.2f}"
    )
    return {
        "mentions": sum(totals.values()),
        "right": sum(hits.values()) / max(sum(totals.values()), 1),
        "by_kind": {k: hits[k] / totals[k] for k in totals},
        "country_right": country_hits / max(country_total, 1),
    }


def quotes(records: dict[str, dict]) -> dict:
    by_story = labels_by_story("quotes.jsonl")
    nlp, kb = load(), load_kb()
    found: Counter[str] = Counter()
    speaker: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    country_hits = country_total = 0
    for story_id, story_labels in by_story.items():
        story, shift = prepared(records[story_id])
        doc = nlp(story.text)
        extracted = extract_quotes(story, doc, story_context(story, kb))
        for label in story_labels:
            offset = label["offset"] - shift
            totals[label["kind"]] += 1
            if label["direct"]:
                match = [q for q in extracted if q.direct and 0 < q.start - offset <= 2]
            else:
                match = [q for q in extracted if not q.direct and q.cue_start == offset]
            if not match:
                continue
            found[label["kind"]] += 1
            speaker[label["kind"]] += right(label, match[0].speaker)
            if label.get("country"):
                country_total += 1
                country_hits += match[0].speaker is not None and match[0].speaker.country == label["country"]
    n = sum(totals.values())
    print(f"\nQuotations: {n} labelled in {len(by_story)} stories")
    print(f"  {'kind':<10} {'found':>7} {'speaker right':>14}")
    for kind in sorted(totals):
        print(
            f"  {kind:<10} {found[kind]:3d}/{totals[kind]:<3d} {speaker[kind]:6d} = {speaker[kind] / totals[kind]:.2f}"
        )
    print(
        f"  all        {sum(found.values()):3d}/{n:<3d} {sum(speaker.values()):6d} = {sum(speaker.values()) / n:.2f}"
        f" (of found: {sum(speaker.values()) / max(sum(found.values()), 1):.2f});"
        f"  speaker country right {country_hits}/{country_total} = {country_hits / max(country_total, 1):.2f}"
    )
    return {
        "quotations": n,
        "found": sum(found.values()) / max(n, 1),
        "speaker_right": sum(speaker.values()) / max(n, 1),
        "speaker_right_of_found": sum(speaker.values()) / max(sum(found.values()), 1),
        "speaker_country_right": country_hits / max(country_total, 1),
    }


def gold_actors() -> None:
    nlp, kb = load(), load_kb()
    igo_codes = {e.country for entries in kb.names.values() for e in entries if e.kind == "igo" and e.country}
    country_hits = country_total = sector_hits = sector_total = 0
    for line in (DATA / "plover-gsr" / "gsr.jsonl").read_text().splitlines():
        record = json.loads(line)
        doc = nlp(record["text"])
        ctx = Context(kb=kb, day=None)
        mentions(doc, ctx)
        for role in ("source", "target"):
            actors = record.get(role)
            if not isinstance(actors, list):
                continue
            for gold in actors:
                text, code = gold.get("actorText"), gold.get("code")
                start = record["text"].find(text) if text else -1
                if start < 0 or not code:
                    continue
                token = head_of(doc, start, start + len(text))
                actor = resolve(token, ctx) if token is not None else None
                country_total += 1
                coded = actor.country if actor else None
                country_hits += coded == code or (code in IGO_WORDS and coded in igo_codes)
                sector = (gold.get("sector") or "")[:3]
                if sector in SECTORS:
                    sector_total += 1
                    sector_hits += actor is not None and sector in actor.sector
    print(
        f"\nGold actors (PLOVER records): country {country_hits}/{country_total} = "
        f"{country_hits / max(country_total, 1):.2f}; sector {sector_hits}/{sector_total} = "
        f"{sector_hits / max(sector_total, 1):.2f}"
    )


def main() -> int:
    if not DATA.exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    records = raw_stories()
    coref(records)
    quotes(records)
    gold_actors()
    return 0


if __name__ == "__main__":
    sys.exit(main())
