"""Faults: bad documents, a locked SQLite file, a full disk, a killed run, a dropped PostgreSQL connection.

Each fault must stop cleanly (exit 1 and a message that says what to do, no traceback) or be skipped
and reported, and a re-run afterwards must store every story exactly once.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tocsin import store
from tocsin.cli import cli
from tocsin.errors import StoreError
from tocsin.pipeline import run
from tocsin.settings import Settings

TOCSIN = Path(sys.executable).parent / "tocsin"
COUNTRIES = ["France", "Germany", "Japan", "Brazil", "Kenya", "India", "Canada", "Egypt", "Chile", "Poland"]


def _many(n: int) -> list[dict[str, str]]:
    """``n`` distinct stories of a few sentences each (a run takes a moment per story)."""
    out = []
    for i in range(n):
        a, b = COUNTRIES[i % 10], COUNTRIES[(i + 3) % 10]
        body = (
            f"The foreign minister of {a} met her counterpart from {b} on Monday to discuss trade. "
            f"They agreed to meet again in {2025 + i} and to open {i + 2} new consulates. "
            f"Officials from {a} said the talks covered fishing rights, rail links and {i + 5} student grants. "
            f"{b} criticized {a} over tariffs on steel, a spokesman said. "
            f"Farmers in {a} protested in the capital against the deal, police said."
        )
        out.append(
            {"id": f"m{i:02d}", "pub_date": f"2024-06-{i % 28 + 1:02d}", "publisher": f"Paper {i}", "text": body}
        )
    return out


def _stored(db: str) -> tuple[int, int]:
    """(stories, distinct hashes) in a SQLite store, read with the sqlite3 module."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*), count(DISTINCT hash) FROM stories").fetchone()


def _count_quietly(db: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    except sqlite3.Error:  # not created or migrated yet
        return 0


def test_faults_bad_documents_are_reported_and_skipped(story_dir: Path) -> None:
    (story_dir / "broken.jsonl").write_text(
        json.dumps({"id": "ok1", "text": "Talks between Chile and Peru resumed in Lima on Friday."}) + "\n{not json\n"
    )
    (story_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    db = str(story_dir.parent / "faults.db")
    result = CliRunner().invoke(cli, ["run", str(story_dir), "--db", db])
    assert result.exit_code == 0, result.output
    assert "broken.jsonl:2: skipped (bad-json)" in result.stderr
    assert "image.txt: skipped (binary)" in result.stderr
    assert "4 ok, 2 skipped (bad-json 1, binary 1)" in result.stderr
    assert _stored(db) == (4, 4)


def test_faults_locked_sqlite_stops_then_resumes(story_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "locked.db")
    store.open_store(db).dispose()
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        locked = CliRunner().invoke(cli, ["run", str(story_dir), "--db", db])
    finally:
        holder.close()
    assert locked.exit_code == 1
    assert "database is locked" in locked.stderr and "write lock" in locked.stderr
    assert "Traceback" not in locked.output
    again = CliRunner().invoke(cli, ["run", str(story_dir), "--db", db])
    assert again.exit_code == 0, again.output
    assert _stored(db) == (3, 3)


def _limit_file_size(limit: int) -> Any:
    def limit_in_child() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_in_child


def test_faults_full_disk_stops_cleanly_then_resumes(tmp_path: Path, write_jsonl: Any) -> None:
    source, db = write_jsonl("many.jsonl", _many(20)), str(tmp_path / "full.db")
    command = [str(TOCSIN), "run", str(source), "--db", db]
    full = subprocess.run(
        command, capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size(200_000)
    )  # fmt: skip
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    assert "disk is full" in full.stderr.lower() or "file too large" in full.stderr.lower()
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert _stored(db) == (20, 20)


def test_faults_disk_fills_while_storing(tmp_path: Path, write_jsonl: Any) -> None:
    """In this process (spaCy and the language model already loaded), the file size limit is reached by the
    store's write-ahead log part-way through a run: the stories stored so far are kept."""
    from tocsin.text import detect_language

    stories = _many(24)
    db = str(tmp_path / "filling.db")
    assert run([write_jsonl("first.jsonl", stories[:4])], Settings(db=db)).ok == 4
    detect_language("The ministers met in Geneva on Monday to talk about trade.")  # load the model before the limit
    source = write_jsonl("all.jsonl", stories)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (500_000, hard))
        full = CliRunner().invoke(cli, ["run", str(source), "--db", db])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)
    assert full.exit_code == 1, full.output
    assert "disk is full" in full.stderr and "Traceback" not in full.output
    assert 4 < _stored(db)[0] < len(stories)  # some stories of this run were stored before the disk filled
    resumed = CliRunner().invoke(cli, ["run", str(source), "--db", db])
    assert resumed.exit_code == 0, resumed.output
    assert _stored(db) == (len(stories), len(stories))


def test_faults_full_disk_while_coding_is_fatal(tmp_path: Path, write_jsonl: Any) -> None:
    source, db = write_jsonl("many.jsonl", _many(5)), str(tmp_path / "full.db")
    full = subprocess.run(
        [str(TOCSIN), "run", str(source), "--db", db],
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size(4_000_000),
    )  # fmt: skip
    assert "skipped (failed" not in full.stderr
    assert full.returncode == 1, full.stderr
    assert "disk is full" in full.stderr.lower() or "file too large" in full.stderr.lower()


def test_faults_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path, write_jsonl: Any) -> None:
    stories = _many(20)
    source, db = write_jsonl("many.jsonl", stories), str(tmp_path / "killed.db")
    command = [str(TOCSIN), "run", str(source), "--db", db]
    env = {**os.environ, "TOCSIN_BATCH_SIZE": "1"}  # store story by story, so the kill lands mid-run
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _count_quietly(db) == 0 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        still_running = child.poll() is None
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert still_running, "the run finished before it could be killed"
    assert 0 < _count_quietly(db) < len(stories)
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "already stored" in resumed.stderr
    assert _stored(db) == (len(stories), len(stories))
    with store.opened(db) as engine, engine.connect() as conn:
        ids = set(conn.execute(text("SELECT id FROM stories")).scalars())
        orphans = conn.execute(text("SELECT count(*) FROM events WHERE story_id NOT IN (SELECT id FROM stories)"))
        assert orphans.scalar_one() == 0
    assert ids == {s["id"] for s in stories}


def _terminate_others(admin_url: str, database: str) -> int:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.postgres
@pytest.mark.parametrize("when", ["before", "during"])
def test_faults_dropped_postgres_connection(pg_url: str, pg_db: str, write_jsonl: Any, when: str) -> None:
    database = pg_db.rsplit("/", 1)[1]
    first, second = _many(6)[:3], _many(6)[3:]
    assert run([write_jsonl("first.jsonl", first)], Settings(db=pg_db)).ok == 3
    engine = store.open_store(pg_db)
    try:
        assert store.counts(engine)["stories"] == 3  # a pooled connection, now open
        dropped = [_terminate_others(pg_url, database)] if when == "before" else []
        assert store.counts(engine)["stories"] == 3  # the pool noticed (pool_pre_ping) and reconnected

        def drop_after_first(_story: Any) -> None:
            if not dropped:
                dropped.append(_terminate_others(pg_url, database))

        source = write_jsonl("second.jsonl", second)
        try:
            summary = run([source], Settings(db=pg_db, batch_size=1), progress=drop_after_first)
            assert summary.ok == 3
        except StoreError as exc:  # acceptable, if it says what happened
            assert "connection" in str(exc)
        assert dropped and dropped[0] >= 1  # there was a connection to drop
        again = run([write_jsonl("all.jsonl", first + second)], Settings(db=pg_db))
        assert again.ok + again.known == 6
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*), count(DISTINCT hash) FROM stories")).one()
        assert tuple(stored) == (6, 6)
    finally:
        engine.dispose()
