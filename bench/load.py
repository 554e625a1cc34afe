"""A bounded load test of `tocsin serve` on loopback.

1. Builds a store from the real news in ../shared/data (`tocsin run`), then grows
   it to 100,000 events by copying the coded stories, events and clusters with
   new ids and dates shifted by whole weeks (SQL INSERT ... SELECT), so queries
   see realistic actors, types and text at that size.
2. Starts `tocsin serve` on a free loopback port.
3. Sends a fixed number of requests from a few threads and reports requests/s,
   p50 and p99 latency for: the filtered, paged events query (random actor, type
   and page), and coding a ~700-word story (POST /api/code).

Only 127.0.0.1 is contacted; every loop is bounded in count.

Usage: python bench/load.py [--events 100000] [--requests 400] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SCRIPT = Path(sys.executable).parent / "tocsin"


def grow(db: Path, target: int) -> int:
    """Copy stories, events and clusters with new ids until the store holds ``target`` events."""
    conn = sqlite3.connect(db)
    base = conn.execute("select count(*) from events").fetchone()[0]
    originals = conn.execute("select max(id) from clusters").fetchone()[0]
    copy = 1
    while conn.execute("select count(*) from events").fetchone()[0] < target:
        tag, weeks, offset = f"~c{copy}", 7 * copy, originals * copy
        conn.execute(
            "insert into stories (id, hash, source, pub_date, title, url, publisher, authors, language, dateline,"
            " text, credits, comments, removed, signature, duplicate_of, coded_at)"
            " select id || ?, hash || ?, source, date(pub_date, ?), title, url, publisher, authors, language,"
            " dateline, text, credits, comments, removed, signature, duplicate_of, coded_at"
            " from stories where id not like '%~c%'",
            (tag, tag, f"+{weeks} days"),
        )
        conn.execute(
            "insert into clusters (id, event_type, actor_key, recipient_key, polarity, first_seen, last_seen,"
            " num_mentions, num_stories, num_sources, disputed) select id + ?, event_type, actor_key,"
            " recipient_key, polarity, date(first_seen, ?), date(last_seen, ?), num_mentions, num_stories,"
            " num_sources, disputed from clusters where id <= ?",
            (offset, f"+{weeks} days", f"+{weeks} days", originals),
        )
        conn.execute(
            "insert into events select id || ?, story_id || ?, sentence_id, event_type, mode, cameo, quad_class,"
            " intensity, actor_country, actor_sector, actor_name, actor_kb_id, recipient_country,"
            " recipient_sector, recipient_name, recipient_kb_id, asserted_country, polarity, modality, quote,"
            " date(date, ?), pub_date, place_name, place_country, lat, lon, confidence, cluster_id + ?, record"
            " from events where id not like '%~c%'",
            (tag, tag, f"+{weeks} days", offset),
        )
        conn.commit()
        copy += 1
    total = conn.execute("select count(*) from events").fetchone()[0]
    conn.close()
    print(f"store grown from {base:,} to {total:,} events ({copy - 1} shifted copies)")
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(name: str, call, count: int, threads: int) -> None:  # type: ignore[no-untyped-def]
    latencies: list[float] = []

    def one(i: int) -> None:
        start = time.perf_counter()
        response = call(i)
        response.raise_for_status()
        latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"  {name:<38} {count / elapsed:7.1f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({count} requests)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        subprocess.run([str(SCRIPT), "run", str(DATA), "--db", str(db), "--processes", "2"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        grow(db, args.events)
        port = free_port()
        env = {**os.environ, "TOCSIN_TOKEN": "load-test"}
        server = subprocess.Popen([str(SCRIPT), "serve", "--db", str(db), "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                for _ in range(100):  # bounded wait for the server
                    try:
                        if client.get("/api/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.2)
                for _ in range(600):  # bounded: wait for the server's start-up work, so it is not measured
                    health = client.get("/api/health").json()
                    if health.get("ready"):
                        break
                    time.sleep(0.5)
                actors = [d["actor"] for d in client.get("/api/dyads", params={"limit": 20}).json()["items"]]
                types = ["ASSAULT", "ACCUSE", "CONSULT", "REQUEST", "AGREE", None]
                rng = random.Random(7)
                print(f"server on {base}: {health['events']:,} events, {health['stories']:,} stories")

                def events(_i: int) -> httpx.Response:
                    params = {"actor": rng.choice(actors), "limit": 50, "offset": rng.choice([0, 50, 100])}
                    chosen = rng.choice(types)
                    if chosen:
                        params["type"] = chosen
                    return client.get("/api/events", params=params)

                measure("GET /api/events (filtered, paged)", events, args.requests, args.threads)
                story = max((json.loads(line) for line in (DATA / "voa-news" / "stories.jsonl").open()),
                            key=lambda r: -abs(len(r["text"].split()) - 700))  # fmt: skip
                body = {"text": story["text"], "pub_date": story["published"][:10]}
                words = len(story["text"].split())

                def code(_i: int) -> httpx.Response:
                    return client.post("/api/code", json=body, headers={"Authorization": "Bearer load-test"})

                measure(f"POST /api/code ({words}-word story)", code, max(args.requests // 20, 10), 2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
