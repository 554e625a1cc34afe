from __future__ import annotations

import json
from pathlib import Path

import pytest

from tocsin.pipeline import Summary, check, run
from tocsin.records import Problem, Story
from tocsin.settings import Settings

DEMO = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "data" / "demo"


def test_pipeline_run_demo_writes_every_story(tmp_path: Path) -> None:
    summary = run([DEMO], Settings(out=str(tmp_path)))
    lines = (tmp_path / "stories.jsonl").read_text().splitlines()
    assert summary.ok == len(lines) >= 8
    assert not summary.skipped
    records = {r["id"]: r for r in map(json.loads, lines)}
    syndicated = records["syndicated-story"]
    assert len(syndicated["comments"]) == 2
    assert syndicated["publisher"] == "The Example Post"
    assert all("wake up" not in r["text"] for r in records.values())


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
    summary = run([source], Settings(out=str(tmp_path / "out")))
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
