"""Near-duplicate stories (MinHash LSH) and event clusters, alone and through pipeline.run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from tocsin import dedup, store
from tocsin.pipeline import run
from tocsin.settings import Settings

BODY = (
    "Russian troops attacked Ukrainian forces near Kharkiv on Monday, regional officials said. The governor said "
    "two villages were without power after the fighting and that repair crews were waiting for the shelling to "
    "stop. Residents spent the night in basements while emergency services cleared debris from the main road "
    "north of the city."
)
ORIGINAL = {"id": "orig", "pub_date": "2024-05-07", "publisher": "Alpha Wire",
            "text": f"KYIV (Alpha Wire) — {BODY}\n\nReporting by Ann Writer; editing by Ben Editor"}  # fmt: skip
COPY = {"id": "copy", "pub_date": "2024-05-07", "publisher": "Beta Times",
        "text": f"Published by Beta Times with wire reports.\n\n{BODY}\n\n(c) 2024 Alpha Wire"}  # fmt: skip
INDEPENDENT = {
    "id": "indep",
    "pub_date": "2024-05-07",
    "publisher": "Gamma News",
    "text": "Russian troops attacked Ukrainian forces near Kharkiv on Monday. Kyiv said its soldiers had repelled "
    "the assault and that a bridge over a small river had been damaged in the clash.",
}
LATER = {"id": "later", "pub_date": "2024-05-17", "publisher": "Delta Daily",
         "text": "Russian troops attacked Ukrainian forces near Kharkiv on Thursday, the army said. A school and a "
                 "grain depot were hit and a train line to the east was closed for repairs."}  # fmt: skip
UNRELATED = (
    "The central bank left interest rates unchanged on Thursday and said inflation was slowing faster than "
    "expected, while farmers in the south asked for help after a long dry summer damaged the wheat harvest."
)
UNRELATED_STORY = {"id": "other", "pub_date": "2024-05-07", "publisher": "Beta Times", "text": UNRELATED}


def _store(tmp_path: Path, write_jsonl: Any, records: list[dict[str, str]]) -> str:
    db = str(tmp_path / "dedup.db")
    summary = run([write_jsonl("in.jsonl", records)], Settings(db=db))
    assert summary.ok == len(records), summary.line()
    return db


def _assaults(db: str) -> list[dict[str, Any]]:
    """The stories' "troops attacked" events (a later "the shelling" in one of them is its own mention)."""
    with store.opened(db) as engine:
        found = store.read_events(engine, store.Filters(types=("ASSAULT",), dyad=("RUS", "UKR")))
        return [e for e in found if e["trigger"] == "attacked"]


def test_dedup_signature_is_deterministic_across_calls() -> None:
    first, second = dedup.signature(BODY), dedup.signature(BODY)
    assert first.dtype == np.uint32 and first.shape == (dedup.NUM_PERM,)
    assert np.array_equal(first, second)
    assert dedup.similarity(first, second.tobytes()) == 1.0
    assert np.array_equal(dedup.signature_from_bytes(first.tobytes()), first)


def test_dedup_signature_is_deterministic_across_processes() -> None:
    # a fresh interpreter with another str hash seed computes the same signatures
    code = (
        "import sys; from tocsin import dedup\n"
        "for line in sys.stdin: print(dedup.signature(line.strip()).tobytes().hex())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=f"{BODY}\n{UNRELATED}\n", capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.stdout.split() == [dedup.signature(t).tobytes().hex() for t in (BODY, UNRELATED)]


@pytest.mark.parametrize(
    ("left", "right", "near"),
    [
        (BODY, BODY, True),
        (BODY, "By Staff Writer. " + BODY, True),
        (BODY, BODY.replace("Monday", "Tuesday"), True),
        (BODY, BODY + " The mayor asked residents to stay calm.", True),
        (BODY, UNRELATED, False),
        (BODY, INDEPENDENT["text"], False),
        (BODY, "", False),
    ],
)
def test_dedup_similarity_near_and_unrelated(left: str, right: str, near: bool) -> None:
    score = dedup.similarity(dedup.signature(left), dedup.signature(right))
    if near:
        assert score >= dedup.THRESHOLD >= 0.7
    else:
        assert score < 0.3


def test_dedup_near_duplicates_share_an_lsh_bucket() -> None:
    left, right = dedup.bands(dedup.signature(BODY)), dedup.bands(dedup.signature("By Staff Writer. " + BODY))
    assert len(left) == dedup.BANDS == 32
    assert set(left) & set(right)
    assert not set(left) & set(dedup.bands(dedup.signature(UNRELATED)))


@pytest.mark.parametrize("text_", ["", "   ", "two words"])
def test_dedup_short_texts_have_signatures(text_: str) -> None:
    assert dedup.signature(text_).shape == (dedup.NUM_PERM,)


def test_dedup_syndicated_copy_points_to_the_original(tmp_path: Path, write_jsonl: Any) -> None:
    db = _store(tmp_path, write_jsonl, [ORIGINAL, COPY, UNRELATED_STORY])
    with store.opened(db) as engine, engine.connect() as conn:
        rows = {i: d for i, d in conn.execute(text("SELECT id, duplicate_of FROM stories"))}
        assert store.counts(engine)["duplicates"] == 1
    assert rows == {"orig": None, "copy": "orig", "other": None}


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # the same event from two independent stories by two publishers: one cluster, two stories, two sources
        ([ORIGINAL, INDEPENDENT], [(2, 2, 2)]),
        # an original and its syndicated copy: two mentions of one story from one source
        ([ORIGINAL, COPY], [(2, 1, 1)]),
        # all three: the copy adds a mention but no story or source
        ([ORIGINAL, COPY, INDEPENDENT], [(3, 2, 2)]),
        # ten days apart: two clusters
        ([ORIGINAL, LATER], [(1, 1, 1), (1, 1, 1)]),
    ],
    ids=["independent", "syndicated", "both", "ten-days-apart"],
)
def test_dedup_event_clusters(
    tmp_path: Path, write_jsonl: Any, records: list[dict[str, str]], expected: list[tuple[int, int, int]]
) -> None:
    events = _assaults(_store(tmp_path, write_jsonl, records))
    assert len(events) == sum(m for m, _, _ in expected)
    clusters = {r["cluster_id"]: (r["num_mentions"], r["num_stories"], r["num_sources"]) for r in events}
    assert sorted(clusters.values()) == sorted(expected)
    for record in events:
        assert record["first_seen"] <= record["date"] <= record["last_seen"]


def test_dedup_clusters_grow_across_runs(tmp_path: Path, write_jsonl: Any) -> None:
    db = str(tmp_path / "dedup.db")
    run([write_jsonl("one.jsonl", [ORIGINAL])], Settings(db=db))
    run([write_jsonl("two.jsonl", [COPY, INDEPENDENT])], Settings(db=db))
    counts = {(r["num_mentions"], r["num_stories"], r["num_sources"]) for r in _assaults(db)}
    assert counts == {(3, 2, 2)}


# --- cluster keys, date ranges and outlets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "first", "last"),
    [
        ("day", "2024-05-06", "2024-05-08"),
        ("week", "2024-05-06", "2024-05-12"),
        ("month", "2024-05-01", "2024-05-31"),
        ("season", "2024-05-01", "2024-07-31"),
        ("year", "2024-01-01", "2024-12-31"),
        ("fallback", "2024-05-04", "2024-05-07"),
    ],
)
def test_dedup_date_range_follows_precision(precision: str, first: str, last: str) -> None:
    from datetime import date

    assert dedup.date_range(date(2024, 5, 7), precision) == (date.fromisoformat(first), date.fromisoformat(last))


def test_dedup_date_range_at_the_ends_of_the_calendar() -> None:
    from datetime import date

    assert dedup.date_range(None, "day") is None
    assert dedup.date_range(date.max, "day") == (date(9999, 12, 30), date.max)
    assert dedup.date_range(date.min, "fallback") == (date.min, date.min)
    assert dedup.date_range(date(9999, 11, 5), "season") == (date(9999, 11, 1), date.max)


def record(**overrides: Any) -> dict[str, Any]:
    base = {"event_type": "ASSAULT", "mode": None, "polarity": "affirmed", "modality": "actual", "trigger": "attacked",
            "actor": {"country": "RUS", "kb_id": None, "name": "Russia"}, "date": "2024-05-06",
            "recipient": {"country": "UKR", "kb_id": None, "name": "Ukraine"}, "date_precision": "day"}  # fmt: skip
    return {**base, **overrides}


def test_dedup_cluster_key_well_formed_only_with_an_identified_actor_and_a_date() -> None:
    key = dedup.cluster_key(record())
    assert (key.actor_key, key.recipient_key, key.stance, key.span is not None) == ("RUS", "UKR", "affirmed", True)
    assert dedup.cluster_key(record(actor={"name": "gunmen"})).span is None  # no country, no KB id
    assert dedup.cluster_key(record(actor=None)).span is None
    assert dedup.cluster_key(record(date=None, date_precision=None)).span is None
    assert dedup.cluster_key(record(actor={"kb_id": "hamas"})).actor_key == "kb:hamas"
    assert dedup.cluster_key(record(recipient={"name": "Protesters"})).recipient_key == "name:protesters"
    # no recipient: keyed by the trigger word, so "rejected questions" and "opposes" stay apart
    assert dedup.cluster_key(record(recipient=None)).recipient_key == "~attac"
    assert dedup.cluster_key(record(modality="demanded")).stance == "affirmed:demanded"


@pytest.mark.parametrize(
    ("publisher", "url", "source", "expected"),
    [
        ("Alpha Wire", "https://beta.example/a", "x.jsonl:3", "Alpha Wire"),
        (None, "https://www.voanews.com/a/1.html", "x.jsonl:3", "voanews.com"),
        (None, None, "feeds/lee.jsonl:12", "feeds/lee.jsonl"),
        (None, None, None, "story-1"),
    ],
)
def test_dedup_outlet(publisher: str | None, url: str | None, source: str | None, expected: str) -> None:
    assert dedup.outlet(publisher, url, source, "story-1") == expected


# --- clusters in a store ---------------------------------------------------------------------------------------

SAME_OUTLET = {**INDEPENDENT, "id": "indep2", "publisher": "Alpha Wire"}
GUNMEN = "Gunmen attacked a village near the river on Monday, residents said."


def _clusters(db: str) -> list[dict[str, Any]]:
    with store.opened(db) as engine:
        return list(store.read_events(engine))


def test_dedup_one_outlet_is_one_source_however_many_stories(tmp_path: Path, write_jsonl: Any) -> None:
    events = _assaults(_store(tmp_path, write_jsonl, [ORIGINAL, SAME_OUTLET]))
    assert {(r["num_mentions"], r["num_stories"], r["num_sources"], r["status"]) for r in events} == {
        (2, 2, 1, "unverified")
    }


def test_dedup_actorless_and_undated_mentions_stay_alone(tmp_path: Path, write_jsonl: Any) -> None:
    stories = [
        {"id": "g1", "pub_date": "2024-05-07", "publisher": "Alpha Wire", "text": GUNMEN},
        {"id": "g2", "pub_date": "2024-05-07", "publisher": "Beta Times", "text": GUNMEN + " Police arrived later."},
        {"id": "u1", "publisher": "Alpha Wire", "text": INDEPENDENT["text"]},  # no publication date: no dates
        {"id": "u2", "publisher": "Gamma News", "text": INDEPENDENT["text"] + " Talks are planned."},
    ]
    events = _clusters(_store(tmp_path, write_jsonl, stories))
    gunmen = [r for r in events if r["story_id"] in ("g1", "g2") and r["event_type"] == "ASSAULT"]
    undated = [r for r in events if r["story_id"] in ("u1", "u2") and r["event_type"] == "ASSAULT"]
    assert len(gunmen) == 2 and len(undated) == 2
    for group in (gunmen, undated):
        assert len({r["cluster_id"] for r in group}) == 2
        assert all(r["num_sources"] == 1 and not r["well_formed"] and r["status"] == "unverified" for r in group)


def test_dedup_a_month_overlaps_its_days_but_not_the_next_month(tmp_path: Path, write_jsonl: Any) -> None:
    month = {"id": "m", "pub_date": "2024-05-30", "publisher": "Delta Daily",
             "text": "Russian troops attacked Ukrainian forces near Kharkiv in May, the army said."}  # fmt: skip
    june = {"id": "j", "pub_date": "2024-07-02", "publisher": "Epsilon Post",
            "text": "Russian troops attacked Ukrainian forces near Kharkiv in June, the army said."}  # fmt: skip
    events = _assaults(_store(tmp_path, write_jsonl, [ORIGINAL, month, june]))
    by_story = {r["story_id"]: r for r in events}
    assert by_story["m"]["date_precision"] == "month" and by_story["orig"]["date_precision"] == "day"
    assert by_story["m"]["cluster_id"] == by_story["orig"]["cluster_id"]
    assert by_story["j"]["cluster_id"] != by_story["orig"]["cluster_id"]
    assert by_story["orig"]["num_sources"] == 2 and by_story["orig"]["status"] == "corroborated"


def test_dedup_old_store_is_reclustered_on_migration(tmp_path: Path, write_jsonl: Any) -> None:
    db = _store(tmp_path, write_jsonl, [ORIGINAL, INDEPENDENT, LATER, UNRELATED_STORY])
    before = {r["id"]: r["cluster_id"] for r in _clusters(db)}
    with store.opened(db) as engine, engine.begin() as conn:  # as a store of the old rules: one cluster for all
        conn.execute(text("UPDATE events SET cluster_id = (SELECT MIN(id) FROM clusters)"))
        conn.execute(text("UPDATE stories SET outlet = NULL"))
        conn.execute(text("DELETE FROM _tocsin_migrations WHERE name = 'm003_cluster_ranges'"))
    after = _clusters(db)  # opening the store migrates and re-clusters
    groups = lambda mapping: sorted(sorted(k for k, v in mapping.items() if v == c) for c in set(mapping.values()))  # noqa: E731
    assert groups({r["id"]: r["cluster_id"] for r in after}) == groups(before)
    assert {r["outlet"] for r in after} == {"Alpha Wire", "Gamma News", "Delta Daily", "Beta Times"}
