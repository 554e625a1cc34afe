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
    with store.opened(db) as engine:
        return list(store.read_events(engine, store.Filters(types=("ASSAULT",), dyad=("RUS", "UKR"))))


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
