"""Corpus throughput: `tocsin run` into a fresh SQLite store, 1 process vs 2 vs Dask.

Uses every news story in ../shared/data (corpora with a PROVENANCE.md), written
once to a temporary JSONL file, and runs the whole pipeline (read, clean, parse,
code, de-duplicate, store) three times into fresh databases: one process, two
processes, and Dask with a local cluster of two workers. Prints stories/s and
the speed-up, peak memory of the run (this process and its children, as the OS
reports it), database size per 1,000 stories, and the projected time for
250,000 stories (a day of GDELT-scale news) per core.

Usage: python bench/scale.py [--repeat K]   (needs `pip install '.[dask]'` for the Dask run)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def write_corpus(path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for provenance in sorted(DATA.glob("*/PROVENANCE.md")):
            for source in sorted(provenance.parent.glob("*.jsonl")):
                for line in source.read_text(encoding="utf-8").splitlines():
                    record = json.loads(line)
                    if len(record.get("text") or "") >= 400:
                        out.write(
                            json.dumps(
                                {
                                    "id": record["id"],
                                    "text": record["text"],
                                    "published": record.get("published"),
                                    "publisher": record.get("publisher"),
                                }
                            )
                            + "\n"
                        )
                        count += 1
    return count


def timed_run(corpus: Path, db: Path, extra: list[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one `tocsin run` in a child process."""
    script = Path(sys.executable).parent / "tocsin"
    start = time.perf_counter()
    subprocess.run(
        [str(script), "run", str(corpus), "--db", str(db), *extra],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        stories = write_corpus(corpus)
        runs = {
            "1 process": ["--processes", "1"],
            "2 processes": ["--processes", "2"],
            "dask local:2": ["--dask", "local:2"],
        }
        results: dict[str, tuple[float, int, int]] = {}
        for _ in range(args.repeat):
            for name, extra in runs.items():  # interleaved, so each sees the same machine load
                db = Path(tmp) / f"{name.replace(' ', '_').replace(':', '')}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                seconds, peak = timed_run(corpus, db, extra)
                size = db.stat().st_size + sum(
                    Path(f"{db}{s}").stat().st_size for s in ("-wal",) if Path(f"{db}{s}").exists()
                )
                best = results.get(name)
                if best is None or seconds < best[0]:
                    results[name] = (seconds, peak, size)
        print(f"{stories} real news stories from {DATA}")
        base = results["1 process"][0]
        for name, (seconds, peak, size) in results.items():
            print(
                f"  {name:<14} {seconds:7.1f} s  {stories / seconds:6.2f} stories/s  speed-up {base / seconds:4.2f}x  "
                f"peak RSS so far {peak / 1024:6.0f} MiB  db {size / stories * 1000 / 2**20:5.1f} MiB per 1,000 stories"
            )
        per_story = base / stories
        print(
            f"projection: 250,000 stories take {250_000 * per_story / 3600:.1f} h on one core "
            f"({per_story * 1000:.0f} ms per story); target: 2 processes >= 1.7x one process"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
