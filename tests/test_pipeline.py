from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tocsin import store
from tocsin.errors import InputError
from tocsin.pipeline import Summary, check, clean, code, code_many, quotes, run
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


# --- issue #13: the Python API takes what users hand it -------------------------------------------------------

PUTIN = "Putin visited German Chancellor Olaf Scholz in the Kremlin on Tuesday."
FRENCH = "Le président russe a rencontré le chancelier allemand à Moscou mardi pour parler de la guerre."


@pytest.mark.parametrize(
    "pub_date", [date(2022, 2, 17), datetime(2022, 2, 17, 23, 30), "2022-02-17", "2022-02-17T23:30:00Z"]
)
def test_pipeline_code_takes_a_date_datetime_or_iso_string(pub_date: object) -> None:
    events = code(PUTIN, pub_date=pub_date)  # type: ignore[arg-type]
    assert [(e.event_type, e.date, e.pub_date) for e in events] == [("CONSULT", date(2022, 2, 15), date(2022, 2, 17))]


@pytest.mark.parametrize("pub_date", [0, True, "not a date", 3.5])
def test_pipeline_code_refuses_a_pub_date_that_is_no_date(pub_date: object) -> None:
    with pytest.raises(InputError) as caught:
        code(PUTIN, pub_date=pub_date)  # type: ignore[arg-type]
    assert caught.value.reason == "bad-date"


def test_pipeline_quotes_and_clean_take_an_iso_pub_date() -> None:
    assert clean("Talks resumed on Monday.", pub_date="2022-02-17").pub_date == date(2022, 2, 17)
    found = quotes("“We will not retreat,” Putin said on Tuesday.", pub_date=datetime(2022, 2, 17, 8))
    assert [(q.text, q.date) for q in found] == [("We will not retreat,", date(2022, 2, 17))]


@pytest.mark.parametrize("text", [None, b"Putin visited Scholz.", 42])
def test_pipeline_code_refuses_what_is_not_text(text: object) -> None:
    with pytest.raises(InputError, match=r"takes the story text as a str") as caught:
        code(text)  # type: ignore[arg-type]
    assert caught.value.reason == "bad-input"
    if isinstance(text, bytes):
        assert "decode" in str(caught.value)


def test_pipeline_code_many_takes_stories_texts_and_reader_dicts() -> None:
    inputs = [
        Story(id="rec", text=PUTIN, pub_date=date(2022, 2, 17)),
        PUTIN,
        {"id": "dict", "text": PUTIN, "published": "2022-02-17T10:00:00Z", "title": "Kremlin talks"},
        {"body": PUTIN, "date": "February 17, 2022"},
    ]
    events = list(code_many(inputs))  # type: ignore[arg-type]
    assert [(e.story_id, e.event_type, e.date) for e in events] == [
        ("rec", "CONSULT", date(2022, 2, 15)),
        ("story-1", "CONSULT", None),
        ("dict", "CONSULT", date(2022, 2, 15)),
        ("story-3", "CONSULT", date(2022, 2, 15)),
    ]


def test_pipeline_code_many_says_what_it_expects() -> None:
    with pytest.raises(InputError, match=r"iterable of stories .* not str .*use tocsin.code\(text\)"):
        code_many(PUTIN)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"item 1 is int"):
        list(code_many([PUTIN, 7]))  # type: ignore[list-item]
    with pytest.raises(InputError, match=r"item 0 is bytes"):
        list(code_many([b"Putin visited Scholz."]))  # type: ignore[list-item]


def test_pipeline_code_reports_why_a_story_gave_nothing() -> None:
    problems: list[Problem] = []
    assert code(FRENCH, problems=problems) == []
    assert [(p.reason, p.fatal) for p in problems] == [("not-english", True)]
    assert "'fr'" in problems[0].detail


def test_pipeline_code_many_reports_skips_and_warnings() -> None:
    problems: list[Problem] = []
    inputs = [PUTIN, FRENCH, "", {"text": PUTIN, "pub_date": True}, {"title": "no text"}]
    events = list(code_many(inputs, problems=problems))  # type: ignore[arg-type]
    assert len(events) == 2
    assert sorted((p.source, p.reason, p.fatal) for p in problems) == [
        ("story-0", "no-date", False),
        ("story-1", "not-english", True),
        ("story-2", "empty", True),
        ("story-3", "bad-date", False),
        ("story-3", "no-date", False),
        ("story-4", "empty", True),
    ]


def test_pipeline_quotes_reports_a_skipped_story() -> None:
    problems: list[Problem] = []
    assert quotes(FRENCH, problems=problems) == []
    assert [p.reason for p in problems] == ["not-english"]


def test_pipeline_run_counts_repeats_within_the_input_apart_from_stored(tmp_path: Path, write_jsonl: Any) -> None:
    record = {"id": "a", "text": PUTIN, "pub_date": "2022-02-17"}
    source = write_jsonl("twice.jsonl", [record, {**record, "id": "b"}, {**record, "id": "c"}])
    db = str(tmp_path / "fresh.db")
    first = run([source], Settings(db=db))
    assert (first.ok, first.known, first.repeated) == (1, 0, 2)
    assert first.line() == "1 ok, 2 repeated within the input, 0 skipped, 0 warnings"
    again = run([source], Settings(db=db))
    assert (again.ok, again.known, again.repeated) == (0, 3, 0)  # every copy is in the store now


def test_pipeline_run_warns_about_undated_events_and_takes_a_pub_date(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(PUTIN)
    undated = run([tmp_path / "in"], Settings(db=str(tmp_path / "a.db")))
    assert undated.warnings == {"no-date": 1} and undated.undated_events == 1
    dated = run([tmp_path / "in"], Settings(db=str(tmp_path / "b.db")), pub_date=date(2022, 2, 17))
    assert not dated.warnings
    with store.opened(str(tmp_path / "b.db")) as engine:
        assert [r["date"] for r in store.read_events(engine)] == ["2022-02-15"]


# A hypothesis property: coding never raises, whatever the text and whatever date between years 1 and 9999.
FRAGMENTS = [PUTIN, "NATO accused Russia of shelling Kyiv.", "He said", "“", "”", '"', "yesterday", "last month",
             "next year", "on Tuesday", "Feb. 29", "in 2014", "99999999 days ago", "last spring", "\n\n", "they",
             "will meet tomorrow", "denied that", "according to", "Дата", "会见", "\x00", "\u2029"]  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25).map(" ".join),
)
DATES = st.one_of(
    st.none(),
    st.sampled_from([date(1, 1, 1), date(1, 2, 28), date(9999, 12, 31), date(9999, 1, 1)]),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)


@given(text=TEXTS, pub_date=DATES)
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_pipeline_code_never_raises(text: str, pub_date: date | None) -> None:
    problems: list[Problem] = []
    events = code(text, pub_date=pub_date, problems=problems)
    assert all(e.pub_date == pub_date for e in events)
    assert not [p for p in problems if p.reason == "failed"], problems
