"""Scale-out: local_map and dask_map keep input order; parallel runs store what a single process stores."""

from __future__ import annotations

import gc
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tocsin import scale, store
from tocsin.pipeline import run
from tocsin.settings import Settings

EXTRA = [
    {"id": "b1", "pub_date": "2024-02-20", "publisher": "Delta Daily",
     "text": "Israel and Egypt agreed on Sunday to reopen a border crossing for aid trucks, officials said."},
    {"id": "b2", "pub_date": "2024-02-22", "publisher": "Delta Daily",
     "text": "Protesters marched through the streets of Tbilisi on Wednesday against a proposed media law."},
    {"id": "b3", "pub_date": "2024-02-26", "publisher": "Echo Review",
     "text": "North Korea fired two ballistic missiles into the sea on Monday, South Korea's military said. "
             "Japan condemned North Korea for the launch."},
]  # fmt: skip


@pytest.fixture
def one_dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One local Dask cluster at a time across xdist workers: a scheduler always binds port 8787 (see below)."""
    import fcntl

    lock = tmp_path_factory.getbasetemp().parent / "tocsin-dask.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def slow_square(n: int) -> int:
    """Earlier items take longer, so a pool finishes them out of order."""
    time.sleep(0.02 * (5 - n % 5))
    return n * n


def _counted(items: list[int], pulled: list[int]) -> Iterator[int]:
    for item in items:
        pulled.append(item)
        yield item


@pytest.mark.parametrize("processes", [1, 2])
def test_scale_local_map_keeps_input_order(processes: int) -> None:
    items = list(range(12))
    assert list(scale.local_map(slow_square, items, processes)) == list(map(slow_square, items))


def test_scale_local_map_empty_input() -> None:
    assert list(scale.local_map(slow_square, [], 2)) == []


def test_scale_local_map_keeps_few_items_in_flight() -> None:
    pulled: list[int] = []
    results = scale.local_map(slow_square, _counted(list(range(50)), pulled), 2)
    assert next(results) == 0
    assert len(pulled) <= 2 * 2 + 1  # bounded: the input is not read ahead
    assert list(results) == [n * n for n in range(1, 50)]


def test_scale_local_map_raises_a_worker_error() -> None:
    with pytest.raises(ZeroDivisionError):
        list(scale.local_map(_reciprocal, [2, 1, 0], 2))


def _reciprocal(n: int) -> float:
    return 1 / n


@pytest.mark.dask
@pytest.mark.usefixtures("one_dask_cluster")
def test_scale_dask_map_keeps_input_order() -> None:
    items = list(range(10))
    assert list(scale.dask_map(slow_square, items, "local:2")) == list(map(slow_square, items))


@pytest.mark.dask
@pytest.mark.usefixtures("one_dask_cluster")
def test_scale_dask_local_cluster_binds_no_fixed_port() -> None:
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", 8787))  # another local cluster's dashboard
        busy.listen()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert list(scale.dask_map(abs, [-1, 2], "local:1")) == [1, 2]
            gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning | ResourceWarning)] == []


def _stored(db: str) -> list[tuple[Any, ...]]:
    with store.opened(db) as engine:
        records = list(store.read_events(engine))
        totals = store.counts(engine)
    assert totals["stories"] == 6
    return sorted(
        (r["id"], r["event_type"], (r["actor"] or {}).get("country"), (r["recipient"] or {}).get("country"))
        for r in records
    )


@pytest.fixture
def inputs(story_dir: Path, write_jsonl: Any) -> list[Path]:
    return [story_dir, write_jsonl("extra.jsonl", EXTRA)]


@pytest.fixture
def single(tmp_path: Path, inputs: list[Path]) -> list[tuple[Any, ...]]:
    db = str(tmp_path / "single.db")
    assert run(inputs, Settings(db=db)).ok == 6
    return _stored(db)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"n_process": 2}, id="processes"),
        pytest.param({"dask": "local:2"}, id="dask", marks=pytest.mark.dask),
    ],
)
def test_scale_parallel_run_stores_the_same_events(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    inputs: list[Path],
    single: list[tuple[Any, ...]],
    options: dict[str, Any],
) -> None:
    if "dask" in options:
        request.getfixturevalue("one_dask_cluster")
    db = str(tmp_path / "parallel.db")
    summary = run(inputs, Settings(db=db, batch_size=2, **options))  # three batches over two workers
    assert summary.ok == 6, summary.line()
    assert len(single) >= 6
    assert _stored(db) == single


# --- workers die with their parent (issue #13) ------------------------------------------------------------


def _busy_run(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """A `tocsin run --processes 2` in a subprocess, returned once it has stored a story (so both workers
    are coding), with its store and its stderr file."""
    names = ["Putin", "Scholz", "Macron", "Erdogan", "Modi", "Xi Jinping", "Zelenskiy", "Biden"]
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(300):
            actor, recipient = names[i % 8], names[(i * 3 + 1) % 8]
            text = f"{actor} met {recipient} in Geneva on Monday to discuss trade deal number {i}. " * 6
            handle.write(json.dumps({"id": f"m{i}", "pub_date": "2024-03-05", "text": text}) + "\n")
    db, err = tmp_path / "busy.db", tmp_path / "stderr.txt"
    command = [sys.executable, "-m", "tocsin", "run", str(source), "--db", str(db), "--processes", "2"]
    with err.open("wb") as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _stored_stories(db) == 0:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the run did not start coding: {err.read_text()}")
        time.sleep(0.2)
    return proc, db, err


def _stored_stories(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def _gone(workers: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """The workers still alive after ``timeout`` seconds (killed afterwards, so no test leaves orphans)."""
    _, alive = psutil.wait_procs(workers, timeout=timeout)
    for worker in alive:
        worker.kill()
    return alive


def test_scale_workers_die_when_the_parent_is_killed(tmp_path: Path) -> None:
    proc, _db, _err = _busy_run(tmp_path)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert len(workers) >= 2
    proc.kill()  # kill -9: no handler runs in the parent
    proc.wait(timeout=30)
    assert _gone(workers, timeout=15) == []


def test_scale_sigterm_stops_the_run_with_a_message(tmp_path: Path) -> None:
    proc, db, err = _busy_run(tmp_path)
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 1
    assert _gone(workers, timeout=15) == []
    message = err.read_text()
    assert "stopped by SIGTERM" in message and "run the same command again to resume" in message
    assert "Traceback" not in message
    stored = _stored_stories(db)
    assert 0 < stored < 300
