"""Running the coder on many cores or many machines, with bounded memory.

Both runners map a function over batches of stories and yield the results **in
input order**, keeping only a few batches in flight, so memory stays flat
whatever the corpus size and the output is the same as a single process's.
Only the coding is spread out; the caller writes the results to the store from
one process, which keeps SQLite happy and each story's write atomic.

* :func:`local_map` — a pool of worker processes on this machine
  (``concurrent.futures``); each worker loads spaCy once.
* :func:`dask_map` — a Dask distributed cluster: ``"local"`` or ``"local:N"``
  starts a local cluster of N worker processes; any other value is the address
  of a running scheduler (``tcp://10.0.0.5:8786``). Dask was chosen over Spark
  because it is pure Python (no JVM, +36 MB against +492 MB), ships functions
  and records between Python processes without serialising them through the JVM,
  and starts a local cluster in about a second; its scheduler runs unchanged on
  a real cluster (``dask scheduler`` / ``dask worker``), on Kubernetes or SLURM.
"""

from __future__ import annotations

import collections
import concurrent.futures
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import ConfigError

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

T = TypeVar("T")
R = TypeVar("R")


def _ordered(submit: Callable[[T], Any], result: Callable[[Any], R], items: Iterable[T], window: int) -> Iterator[R]:
    """Submit items with at most ``window`` in flight; yield results in order."""
    pending: collections.deque[Any] = collections.deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def _die_with_parent() -> None:
    """Worker initializer: end this worker when the process that started it ends.

    A worker blocked on its task queue would otherwise outlive a parent killed
    with ``kill -9`` forever, holding its spaCy model (about 245 MB). On Linux the
    kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``); a
    watchdog thread that sees the parent change covers other systems.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog alone does it
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="tocsin-parent-watchdog", daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork


def _stop(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a pool now: drop queued batches and end the workers (shutdown alone waits for
    every batch in flight to be coded first)."""
    # the executor keeps its workers in _processes; it has no public way to end them
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


def local_map(fn: Callable[[T], R], items: Iterable[T], processes: int) -> Iterator[R]:
    """``map(fn, items)`` over ``processes`` worker processes, in order, bounded.

    The workers end with this process, however it ends: when it is killed, when
    it is interrupted (Ctrl-C, SIGTERM) or when the caller stops iterating.
    """
    if processes <= 1:
        yield from map(fn, items)
        return
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=processes, initializer=_die_with_parent)
    try:
        yield from _ordered(lambda item: pool.submit(fn, item), lambda future: future.result(), items, 2 * processes)
    except BaseException:  # interrupted, or the caller stopped: end the workers, do not wait for them
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def dask_map(fn: Callable[[T], R], items: Iterable[T], address: str) -> Iterator[R]:
    """``map(fn, items)`` on a Dask cluster, in order, bounded.

    Raises:
        ConfigError: Dask is not installed (``pip install '.[dask]'``).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError("this needs the 'dask' extra, which is not installed: pip install '.[dask]'") from exc
    cluster = None
    if address == "local" or address.startswith("local:"):
        workers = int(address.split(":", 1)[1]) if ":" in address else 2
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
        )
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        # pure=False: two equal batches are still two tasks (each story is coded where it is sent)
        yield from _ordered(
            lambda item: client.submit(fn, item, pure=False), lambda future: future.result(), items, 2 * workers
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
