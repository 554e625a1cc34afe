"""Scale-out: local_map and dask_map keep input order; parallel runs store what a single process stores."""

from __future__ import annotations

import gc
import socket
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
