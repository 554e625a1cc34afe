"""Aggregates on the real corpora: clusters, corroboration, disputes and alerts.

Codes ../shared/data into a store (once; pass --db to reuse one), then prints:
the cluster size distribution; how many clusters are corroborated, and 20 drawn at
random (corroborated ones first, then clusters of two or more stories) with their
sentences, to judge by reading; every dispute with both sentences; and the
escalation alerts on the March 2025 VOA stories, daily and weekly.

    python bench/aggregates.py [--db /tmp/tocsin-aggregates.db] [--sample 20] [--seed 12]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tocsin import signals, store
from tocsin.migrations import clusters, events

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def bucket(n: int) -> str:
    return str(n) if n < 5 else "5-9" if n < 10 else "10-49" if n < 50 else "50+"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/tocsin-aggregates.db")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if not Path(args.db).exists():
        command = [sys.executable, "-m", "tocsin", "run", str(DATA), "--db", args.db, "--processes", "1"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with store.opened(args.db) as engine, engine.connect() as conn:
        rows = conn.execute(select(clusters)).all()
        sentences: dict[int, list[tuple[str, str, str]]] = {}
        query = select(events.c.cluster_id, events.c.story_id, events.c.date, events.c.record)
        for cluster_id, story_id, day, record in conn.execute(query):
            sentence = __import__("json").loads(record)["sentence"]
            sentences.setdefault(cluster_id, []).append((story_id, str(day or "-"), sentence))
    print(f"store {args.db}: {len(rows)} clusters, {sum(r.num_mentions for r in rows)} events")
    for label, field in (("mentions", "num_mentions"), ("stories", "num_stories"), ("sources", "num_sources")):
        sizes = Counter(bucket(getattr(r, field)) for r in rows)
        order = ["1", "2", "3", "4", "5-9", "10-49", "50+"]
        print(f"  clusters by {label:<8}: " + ", ".join(f"{k}: {sizes[k]}" for k in order if sizes[k]))
    print(f"  largest cluster: {max(r.num_mentions for r in rows)} mentions")
    formed = [r for r in rows if r.well_formed]
    print(f"  well-formed clusters: {len(formed)} of {len(rows)}")
    corroborated = [r for r in rows if store.status_of(r.disputed, r.num_sources, r.well_formed) == "corroborated"]
    print(f"  corroborated (well-formed, 2+ independent outlets): {len(corroborated)}")
    multi = [r for r in formed if r.num_stories >= 2 and r not in corroborated]
    print(f"  well-formed clusters of 2+ stories (one outlet): {len(multi)}")
    rng = random.Random(args.seed)
    drawn = rng.sample(corroborated, min(args.sample, len(corroborated)))
    drawn += rng.sample(multi, min(args.sample - len(drawn), len(multi)))
    print(f"\n{len(drawn)} clusters drawn at random (seed {args.seed}), to judge by reading:")
    for row in drawn:
        status = store.status_of(row.disputed, row.num_sources, row.well_formed)
        print(f"\n  cluster {row.id} [{status}] {row.event_type} {row.actor_key} -> {row.recipient_key or '-'} "
              f"{row.polarity} {row.date_start}..{row.date_end}: {row.num_mentions} mentions, "
              f"{row.num_stories} stories, {row.num_sources} outlets")  # fmt: skip
        for story_id, day, sentence in sentences.get(row.id, [])[:5]:
            print(f"     {story_id} {day}: {sentence[:230]}")

    data = signals.load_events(args.db)
    found = signals.contradictions(data)
    print(f"\nDisputes (claims against denials): {len(found)}")
    for i, row in enumerate(found.itertuples(), 1):
        claimed = f"claimed by {row.claim_by} ({row.claim_id}, {row.claim_date:%Y-%m-%d})"
        print(f"\n  {i}. {row.event_type} by {row.actor}: {claimed}, denied by {row.denial_by} ({row.denial_id})")
        print(f"     claim:  {row.claim_sentence}")
        print(f"     denial: {row.denial_sentence}")

    march = signals.load_events(args.db, since=date(2025, 3, 1), until=date(2025, 3, 31))
    print(f"\nMarch 2025 events (dated in March 2025): {len(march)}")
    for freq in ("D", "W"):
        raised = signals.alerts(march, signals.AlertSettings(freq=freq))
        undated = signals.dyad_series(march, freq=freq).attrs.get("undated", 0)
        print(f"\nAlerts, freq {freq}: {len(raised)} ({undated} undated factual dyad events left out)")
        for row in raised.itertuples():
            print(f"  {row.dyad} {row.period:%Y-%m-%d}: observed {row.observed:.1f}, expected {row.expected:.2f}, "
                  f"p {row.probability:.2g}, after {row.baseline_periods} periods")  # fmt: skip
            for event_id in row.event_ids:
                sentence = data.loc[data["id"] == event_id, "sentence"].iloc[0]
                print(f"     {event_id}: {sentence[:200]}")


if __name__ == "__main__":
    main()
