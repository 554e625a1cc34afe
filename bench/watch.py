"""`tocsin watch` measured against feeds served on loopback (bounded in time and count).

1. Latency: `tocsin watch FEED --every 10s` runs as a subprocess; an item that a rule
   matches is added to the feed at a random moment of the poll cycle, and the time until
   its alert is in the JSONL file is measured (``--items`` times).
2. Cost of an idle poll: a watcher in this process polls ``--feeds`` feeds (default 50)
   that have nothing new, served by a separate process, so the CPU time measured is the
   watcher's own: CPU time, wall time and requests per poll, and resident memory.
3. Memory over time: the same watcher's resident memory after 10 polls and after
   ``--polls`` polls (default 1,000): it must stay flat.

Only 127.0.0.1 is contacted. The items are sentences written for this script.

Usage: python bench/watch.py [--items 3] [--feeds 50] [--polls 1000]
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import http.server
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SENTENCES = [
    "Russian troops attacked Ukrainian forces near Kharkiv on Monday, officials in Kyiv said.",
    "Russian forces shelled the Ukrainian city of Sumy on Sunday, the regional governor said.",
    "Russian artillery struck a rail depot in Kramatorsk on Friday, Ukraine's army said.",
    "Russian drones attacked the port of Odesa overnight, the Ukrainian navy said.",
    "Russian troops fired on Ukrainian positions near Bakhmut on Thursday, a Ukrainian commander said.",
]
QUIET = "The United States imposed sanctions on Iran on Monday over its ballistic missile programme."
RULES = "rules:\n  - name: russian-force\n    when: {actor: RUS, type: [ASSAULT]}\n    severity: high\n"


def rss(items: list[tuple[str, str]], title: str) -> bytes:
    body = "".join(
        f"<item><guid>{escape(g)}</guid><title>{escape(g)}</title><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>"
        f"<description>{escape(t)}</description><content:encoded>{escape(t)}</content:encoded></item>"
        for g, t in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>http://127.0.0.1/</link><description>d</description>"
        f"{body}</channel></rss>"
    ).encode()


class Feeds(http.server.ThreadingHTTPServer):
    """Feeds by path, with ETags; conditional requests get 304."""

    request_queue_size = 128  # the watcher fetches 8 at a time: http.server's backlog of 5 drops connections

    def __init__(self) -> None:
        self.feeds: dict[str, bytes] = {}
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Feeds

    def do_GET(self) -> None:
        with self.server.lock:
            body = self.server.feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        self.send_response(304 if self.headers.get("If-None-Match") == etag else 200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(1_700_000_000, usegmt=True))
        self.send_header("Content-Type", "application/rss+xml")
        if self.headers.get("If-None-Match") == etag:
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve_forever(count: int) -> None:
    """The --serve mode: serve ``count`` unchanging feeds; print the base URL; run until killed."""
    server = Feeds()
    for i in range(count):
        server.feeds[f"/feed-{i}.xml"] = rss([(f"f{i}-1", f"{QUIET} Story {i}.")], f"Wire {i}")
    print(server.url, flush=True)
    server.serve_forever()


def rss_mib() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def latency(items: int, work: Path) -> list[float]:
    """Seconds from an item appearing in the feed to its alert, with --every 10s."""
    server = Feeds()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    entries = [("quiet-1", QUIET)]
    server.feeds["/feed.xml"] = rss(entries, "Loopback Wire")
    rules, alerts, log = work / "rules.yaml", work / "alerts.jsonl", work / "watch.log"
    rules.write_text(RULES)
    argv = [sys.executable, "-m", "tocsin", "watch", server.url + "/feed.xml", "--db", str(work / "lat.db"),
            "--rules", str(rules), "--alerts", str(alerts), "--every", "10s"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out: list[float] = []
    with log.open("w") as err:
        proc = subprocess.Popen(argv, stderr=err, stdout=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while "poll 1:" not in log.read_text():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the watch did not start:\n{log.read_text()}")
            time.sleep(0.1)
        rng = random.Random(14)
        for i in range(items):
            time.sleep(rng.uniform(0, 10))  # anywhere in the poll cycle
            entries.append((f"item-{i}", SENTENCES[i % len(SENTENCES)]))
            with server.lock:
                server.feeds["/feed.xml"] = rss(entries, "Loopback Wire")
            added = time.monotonic()
            deadline = added + 60
            while len(alerts.read_text().splitlines() if alerts.exists() else []) < i + 1:
                if time.monotonic() > deadline:
                    raise SystemExit(f"no alert for item {i} within 60 s:\n{log.read_text()}")
                time.sleep(0.02)
            out.append(time.monotonic() - added)
            print(f"  item {i}: alert after {out[-1]:.2f} s", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        server.shutdown()
    return out


def idle_polls(feeds: int, polls: int, work: Path) -> None:
    """CPU and memory of polls that find nothing new; memory after 10 polls and after ``polls``."""
    from tocsin.alerts import JsonlSink
    from tocsin.rules import RuleSet, load_rules
    from tocsin.settings import Settings
    from tocsin.watch import Watcher

    server = subprocess.Popen([sys.executable, __file__, "--serve", str(feeds)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        (work / "rules.yaml").write_text(RULES)
        rules: RuleSet = load_rules(work / "rules.yaml")
        sources = [f"{base}/feed-{i}.xml" for i in range(feeds)]
        watcher = Watcher(sources, Settings(db=str(work / "idle.db")), rules, [JsonlSink(str(work / "idle.jsonl"))],
                          every=10)  # fmt: skip
        try:
            first = watcher.poll()
            print(f"  first poll (codes {first.stories} stories): {first.seconds:.1f} s")
            cpu, wall, requests = [], [], 0
            rss_at: dict[int, float] = {}
            for number in range(1, polls + 1):
                started_cpu, started = time.process_time(), time.perf_counter()
                report = watcher.poll()
                cpu.append(time.process_time() - started_cpu)
                wall.append(time.perf_counter() - started)
                requests += report.requests
                assert report.stories == 0 and report.unchanged == feeds, report.line()
                if number in (10, polls):
                    rss_at[number] = rss_mib()
        finally:
            watcher.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    cpu.sort()
    wall.sort()
    print(f"idle poll of {feeds} feeds (nothing new), {polls} polls: CPU median {1000 * cpu[len(cpu) // 2]:.1f} ms "
          f"(p95 {1000 * cpu[int(len(cpu) * 0.95)]:.1f} ms), wall median {1000 * wall[len(wall) // 2]:.1f} ms, "
          f"{requests / polls:.0f} requests per poll")  # fmt: skip
    print(f"resident memory: {rss_at[10]:.1f} MiB after 10 polls, {rss_at[polls]:.1f} MiB after {polls} polls "
          f"({rss_at[polls] - rss_at[10]:+.1f} MiB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=3, help="items added for the latency measure")
    parser.add_argument("--feeds", type=int, default=50, help="unchanged feeds per idle poll")
    parser.add_argument("--polls", type=int, default=1000, help="idle polls for the memory measure")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-watch-") as tmp:
        work = Path(tmp)
        if args.items:
            print(f"latency, item in the feed -> alert in the JSONL file, --every 10s ({args.items} items):")
            found = latency(args.items, work)
            print(f"latency: mean {sum(found) / len(found):.2f} s, max {max(found):.2f} s")
        idle_polls(args.feeds, args.polls, work)
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
