from __future__ import annotations

from pathlib import Path

import pytest

from tocsin import store
from tocsin.pipeline import Summary, check, run
from tocsin.records import Problem, Story
from tocsin.settings import Settings

DEMO = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "data" / "demo"


def test_pipeline_run_demo_stores_every_story(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    summary = run([DEMO], Settings(db=db))
    assert summary.ok >= 8
    assert not summary.skipped
    with store.opened(db) as engine:
        totals = store.counts(engine)
        records = list(store.read_events(engine))
    assert totals["stories"] == summary.ok
    assert totals["events"] == summary.events == len(records)
    assert all("wake up" not in r["sentence"] and "naive" not in r["sentence"] for r in records)


def test_pipeline_bad_documents_are_counted_and_skipped(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "good.txt").write_text("The ministers met in Geneva on Monday and agreed to talk again.")
    (source / "empty.txt").write_text("")
    (source / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (source / "bad.jsonl").write_text('{"text": "Talks resumed in Cairo on Sunday."}\n{not json\n')
    (source / "german.txt").write_text(
        "Die Außenminister trafen sich am Montag in Genf. Sie vereinbarten, die Gespräche fortzusetzen."
    )
    summary = run([source], Settings(db=str(tmp_path / "t.db")))
    assert summary.ok == 2
    assert summary.skipped == {"empty": 1, "binary": 1, "bad-json": 1, "not-english": 1}
    assert "2 ok, 4 skipped" in summary.line()


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("x" * 50, "too-large")],
)
def test_pipeline_check_refuses(text: str, reason: str) -> None:
    result = check(Story(id="s", text=text), Settings(max_chars=40))
    assert isinstance(result, Problem)
    assert result.reason == reason


def test_pipeline_summary_line_counts_warnings() -> None:
    summary = Summary(ok=1)
    summary.add(Problem(source="a", reason="bad-date", fatal=False))
    assert summary.line() == "1 ok, 0 skipped, 1 warnings (bad-date 1)"


def test_run_marks_disputed_clusters_where_it_writes_events(demo_db: str) -> None:
    """The demo has a RUS withdrawal claim that NATO denies: `run` marks its cluster, so the server need not."""
    from tocsin import store

    with store.opened(demo_db) as engine:
        disputed = list(store.read_events(engine, store.Filters(status="disputed")))
        assert any(e["event_type"] == "RETREAT" and (e["actor"] or {}).get("country") == "RUS" for e in disputed)
        store.mark_disputed(engine, [])  # forget the marks, then mark again as a run does
        assert store.count_events(engine, store.Filters(status="disputed")) == 0
        from tocsin.pipeline import mark_disputes

        assert mark_disputes(engine) == len({e["cluster_id"] for e in disputed})
        assert store.count_events(engine, store.Filters(status="disputed")) == len(disputed)
