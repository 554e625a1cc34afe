"""The store on both backends (SQLite file and a real PostgreSQL server), through pipeline.run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from tocsin import store
from tocsin.errors import ConfigError
from tocsin.migrations import MIGRATIONS, migrations_table
from tocsin.pipeline import run
from tocsin.settings import Settings

SCHEMA_KEYS = {
    "id", "story_id", "sentence_id", "sentence", "span", "trigger", "event_type", "mode", "context", "cameo",
    "quad_class", "intensity", "actor", "recipient", "asserted_by", "polarity", "modality", "quote", "date",
    "date_text", "pub_date", "place", "confidence", "coder",
}  # fmt: skip
CLUSTER_KEYS = {"cluster_id", "num_mentions", "num_stories", "num_sources", "first_seen", "last_seen", "duplicate_of"}
#: a new version of the conftest story "a3": same id, different text
UPDATED = {
    "id": "a3",
    "pub_date": "2024-04-03",
    "publisher": "Gamma News",
    "text": "The United States imposed new sanctions on Iran on Tuesday over drone sales to Russia.",
}
TABLES = {"stories", "sentences", "events", "quotes", "actors", "lsh", "clusters", "_tocsin_migrations"}


def _rows(db: str, table: str) -> int:
    with store.opened(db) as engine, engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _events(db: str, **filters: Any) -> list[dict[str, Any]]:
    with store.opened(db) as engine:
        return list(store.read_events(engine, store.Filters(**filters)))


def _country(record: dict[str, Any], role: str) -> str | None:
    return (record[role] or {}).get("country")


@pytest.fixture
def filled(db_url: str, story_dir: Path) -> str:
    """A store holding the three conftest stories."""
    summary = run([story_dir], Settings(db=db_url))
    assert summary.ok == 3, summary.line()
    return db_url


def test_store_open_migrates_and_reopens(db_url: str) -> None:
    for _ in range(2):  # opening a migrated store again applies nothing and breaks nothing
        engine = store.open_store(db_url)
        try:
            assert set(inspect(engine).get_table_names()) >= TABLES
            with engine.connect() as conn:
                applied = list(conn.execute(select(migrations_table.c.name)).scalars())
        finally:
            engine.dispose()
        assert applied == [step.__name__ for step in MIGRATIONS]
        assert "m001_tables" in applied


def test_store_run_stores_stories_with_their_parts(filled: str) -> None:
    assert _rows(filled, "stories") == 3
    for table in ("sentences", "events", "quotes", "actors", "lsh", "clusters"):
        assert _rows(filled, table) > 0, table
    with store.opened(filled) as engine:
        totals = store.counts(engine)
        with engine.connect() as conn:
            speakers = set(conn.execute(text("SELECT speaker_name FROM quotes")).scalars())
            mentions = {name: n for name, n in conn.execute(text("SELECT name, mentions FROM actors"))}
    assert totals["stories"] == 3 and totals["duplicates"] == 0
    assert totals["events"] == len(_events(filled)) >= 4
    assert any("Putin" in (s or "") for s in speakers)
    assert all(n >= 1 for n in mentions.values())


def test_store_rerun_stores_nothing_twice(filled: str, story_dir: Path) -> None:
    with store.opened(filled) as engine:
        before = store.counts(engine)
    summary = run([story_dir], Settings(db=filled))
    assert (summary.ok, summary.known) == (0, 3)
    with store.opened(filled) as engine:
        assert store.counts(engine) == before


def test_store_updated_story_is_a_new_version(filled: str, write_jsonl: Any) -> None:
    summary = run([write_jsonl("update.jsonl", [UPDATED])], Settings(db=filled))
    assert summary.ok == 1
    with store.opened(filled) as engine, engine.connect() as conn:
        ids = set(conn.execute(text("SELECT id FROM stories")).scalars())
    assert len(ids) == 4 and "a3" in ids
    (new,) = ids - {"a1", "a2", "a3"}
    assert new.startswith("a3~")
    assert {r["story_id"] for r in _events(filled)} >= {"a3", new}


def test_store_updated_story_events_keep_unique_ids(filled: str, write_jsonl: Any) -> None:
    run([write_jsonl("update.jsonl", [UPDATED])], Settings(db=filled))
    records = _events(filled)
    assert len({r["id"] for r in records}) == len(records)
    assert all(r["id"].startswith(r["story_id"] + "-") for r in records)


def test_store_records_follow_the_schema(filled: str) -> None:
    records = _events(filled)
    for record in records:
        assert set(record) >= SCHEMA_KEYS | CLUSTER_KEYS, SCHEMA_KEYS | CLUSTER_KEYS - set(record)
        assert json.loads(json.dumps(record)) == record
        assert record["num_mentions"] >= record["num_stories"] >= record["num_sources"] >= 1
    dates = [r["date"] for r in records]
    assert dates == sorted(dates)  # date order
    assert {"a1", "a2", "a3"} == {r["story_id"] for r in records}


PREDICATES = {
    "since": (date(2024, 3, 10), lambda r: r["date"] >= "2024-03-10"),
    "until": (date(2024, 3, 6), lambda r: r["date"] <= "2024-03-06"),
    "actor": ("RUS", lambda r: _country(r, "actor") == "RUS"),
    "recipient": ("RUS", lambda r: _country(r, "recipient") == "RUS"),
    "dyad": (("RUS", "UKR"), lambda r: (_country(r, "actor"), _country(r, "recipient")) == ("RUS", "UKR")),
    "types": (("ASSAULT", "SANCTION"), lambda r: r["event_type"] in ("ASSAULT", "SANCTION")),
}


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_store_read_events_filters(filled: str, name: str) -> None:
    value, keep = PREDICATES[name]
    everything = _events(filled)
    wanted = [r["id"] for r in everything if keep(r)]
    got = [r["id"] for r in _events(filled, **{name: value})]
    assert got == wanted
    assert 0 < len(got) < len(everything)


def test_store_read_events_filters_combine_and_limit(filled: str) -> None:
    everything = _events(filled)
    assert [r["id"] for r in _events(filled, limit=2)] == [r["id"] for r in everything[:2]]
    both = _events(filled, actor="RUS", since=date(2024, 3, 10))
    assert both and all(_country(r, "actor") == "RUS" and r["date"] >= "2024-03-10" for r in both)
    assert _events(filled, dyad=("UKR", "USA")) == []


def test_store_top_dyads(filled: str) -> None:
    with store.opened(filled) as engine:
        dyads = store.top_dyads(engine)
        assert len(store.top_dyads(engine, limit=1)) == 1
    assert {("RUS", "UKR"), ("UKR", "RUS"), ("RUS", "CHN"), ("USA", "IRN")} <= {(a, r) for a, r, _ in dyads}
    counts = [n for _, _, n in dyads]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == sum(1 for r in _events(filled) if _country(r, "actor") and _country(r, "recipient"))


@pytest.mark.parametrize(
    ("db", "url"),
    [
        ("tocsin.db", "sqlite:///tocsin.db"),
        ("/data/events.db", "sqlite:////data/events.db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_store_database_url(db: str, url: str) -> None:
    assert store.database_url(db) == url


@pytest.mark.parametrize("db", ["mysql://u@h/db", "mongodb://h/db", "http://example.com/db"])
def test_store_database_url_unsupported_scheme(db: str) -> None:
    with pytest.raises(ConfigError, match="unsupported database URL"):
        store.database_url(db)


def test_open_reader_refuses_every_write(db_url: str, tmp_path: Path) -> None:
    from sqlalchemy.exc import DBAPIError

    from tocsin.errors import StoreError

    store.open_store(db_url).dispose()
    engine = store.open_reader(db_url)
    assert store.counts(engine)["stories"] == 0
    with pytest.raises(DBAPIError, match=r"readonly|read-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM clusters"))
    with pytest.raises(StoreError):
        store.mark_disputed(engine, [1])
    engine.dispose()
    with pytest.raises(StoreError, match="no such store"):
        store.open_reader(str(tmp_path / "none.db"))
