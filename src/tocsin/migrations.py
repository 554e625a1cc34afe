"""Schema migrations: an ordered list of steps, each applied once per database.

The table ``_tocsin_migrations`` records which steps a database has had. To change
the schema, change the table below and append a step to :data:`MIGRATIONS` that
brings an older store up to date (never edit an applied step). The first step
creates the tables as they are defined now, so later steps skip what a new store
already has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

metadata = MetaData()

migrations_table = Table(
    "_tocsin_migrations",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("hash", String(64), nullable=False, unique=True),  # sha256 of the story text as read
    Column("source", Text),
    Column("pub_date", Date, index=True),
    Column("title", Text),
    Column("url", Text),
    Column("publisher", Text),
    Column("authors", Text),  # JSON list
    Column("language", String(8)),
    Column("dateline", Text),
    Column("text", Text, nullable=False),
    Column("credits", Text),  # JSON list
    Column("comments", Text),  # JSON list
    Column("removed", Text),  # JSON list of {rule, text, start}
    Column("signature", LargeBinary),  # MinHash signature of the text
    Column("duplicate_of", String(200), index=True),  # first story of its near-duplicate group
    Column("coded_at", DateTime),
    Column("outlet", String(200)),  # publisher, else URL host, else source file: what num_sources counts
)

sentences = Table(
    "sentences",
    metadata,
    Column("story_id", String(200), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", String(240), primary_key=True),
    Column("story_id", String(200), nullable=False, index=True),
    Column("sentence_id", Integer),
    Column("event_type", String(16), nullable=False, index=True),
    Column("mode", String(32)),
    Column("cameo", String(8)),
    Column("quad_class", Integer),
    Column("intensity", Float),
    Column("actor_country", String(8), index=True),
    Column("actor_sector", String(40)),
    Column("actor_name", Text),
    Column("actor_kb_id", String(120)),
    Column("recipient_country", String(8), index=True),
    Column("recipient_sector", String(40)),
    Column("recipient_name", Text),
    Column("recipient_kb_id", String(120)),
    Column("asserted_country", String(8)),
    Column("polarity", String(12)),
    Column("modality", String(16)),
    Column("quote", Boolean),
    Column("date", Date, index=True),
    Column("date_precision", String(8)),  # day, week, month, season, year, fallback
    Column("pub_date", Date),
    Column("place_name", Text),
    Column("place_country", String(8)),
    Column("lat", Float),
    Column("lon", Float),
    Column("confidence", Float),
    Column("cluster_id", Integer, index=True),
    Column("record", Text, nullable=False),  # the SCHEMA.md record as JSON
    Index("ix_events_dyad", "actor_country", "recipient_country"),
)

quotes = Table(
    "quotes",
    metadata,
    Column("story_id", String(200), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("speaker_name", Text),
    Column("speaker_country", String(8)),
    Column("cue", String(40)),
    Column("direct", Boolean),
    Column("start", Integer),
    Column("end", Integer),
    Column("text", Text),
)

actors = Table(
    "actors",
    metadata,
    Column("key", String(240), primary_key=True),  # kb_id, or name|country for actors the KB lacks
    Column("name", Text),
    Column("country", String(8), index=True),
    Column("sector", String(40)),
    Column("kb_id", String(120)),
    Column("mentions", Integer, nullable=False),
)

lsh = Table(
    "lsh",
    metadata,
    Column("band", Integer, primary_key=True),
    Column("bucket", String(32), primary_key=True),
    Column("story_id", String(200), primary_key=True),
)

clusters = Table(
    "clusters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_type", String(16), nullable=False),
    Column("actor_key", String(240)),
    Column("recipient_key", String(240)),
    Column("polarity", String(40)),  # polarity, and the modality when it is not actual or claimed
    Column("first_seen", Date),
    Column("last_seen", Date),
    Column("num_mentions", Integer, nullable=False),
    Column("num_stories", Integer, nullable=False),
    Column("num_sources", Integer, nullable=False),
    Column("disputed", Boolean),  # set by `tocsin run` from claims against denials
    Column("date_start", Date),  # the days every member may have happened on (intersection of their ranges)
    Column("date_end", Date),
    Column("well_formed", Boolean),  # an actor country or KB id and a date: may gather mentions and corroborate
    Column("mode", String(32)),  # the PLOVER mode its mentions share ("" when unknown)
    Index("ix_clusters_key", "event_type", "actor_key", "recipient_key", "polarity"),
)

# --- `tocsin watch` state: per-source fetch state, items seen, alerts and their deliveries ----------

watch_sources = Table(
    "watch_sources",
    metadata,
    Column("source", String(1000), primary_key=True),  # a URL, or a file or directory path
    Column("etag", Text),  # the ETag (or, for files, size and mtime) of the last full fetch
    Column("last_modified", Text),  # the Last-Modified header of the last full fetch
    Column("last_poll", DateTime),
    Column("last_ok", DateTime),
    Column("failures", Integer, nullable=False, default=0),  # consecutive failures
    Column("next_try", DateTime),  # backing off until then
    Column("last_error", Text),
    Column("stories", Integer, nullable=False, default=0),  # stories this source added to the store
)

watch_seen = Table(
    "watch_seen",
    metadata,
    Column("source", String(1000), primary_key=True),
    Column("item", String(1000), primary_key=True),  # a feed GUID or link, or a file's relative path
    Column("tag", Text),  # for a file: its size and mtime, to notice a changed file
    Column("story_id", String(200)),  # the story stored from it, if any
    Column("seen_at", DateTime, nullable=False),
)

watch_alerts = Table(
    "watch_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False, unique=True),  # the rule and what it fired on: never raised twice
    Column("rule", String(200), nullable=False, index=True),
    Column("severity", String(16), nullable=False),
    Column("raised_at", DateTime, nullable=False),
    Column("suppressed", Boolean, nullable=False),  # inside the rule's cool-down: kept, not sent
    Column("alert", Text, nullable=False),  # the alert as JSON
)

watch_deliveries = Table(
    "watch_deliveries",
    metadata,
    Column("alert_id", Integer, primary_key=True),
    Column("sink", String(1000), primary_key=True),  # "stdout", a JSONL file path, or a webhook URL
    Column("attempts", Integer, nullable=False, default=0),
    Column("delivered_at", DateTime),  # None: pending
    Column("last_error", Text),
)

Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = []
migration = MIGRATIONS.append


@migration
def m001_tables(conn: Connection) -> None:
    """Stories, sentences, events, quotes, actors, LSH buckets and event clusters."""
    metadata.create_all(conn, tables=[stories, sentences, events, quotes, actors, lsh, clusters])


@migration
def m002_cluster_disputed(conn: Connection) -> None:
    """Clusters get a ``disputed`` flag: a claim in them is contradicted by a denial."""
    if "disputed" not in {c["name"] for c in inspect(conn).get_columns("clusters")}:
        conn.execute(text("ALTER TABLE clusters ADD COLUMN disputed BOOLEAN"))


@migration
def m003_cluster_ranges(conn: Connection) -> None:
    """Date precision on events; date ranges and well-formedness on clusters; outlets on
    stories. :func:`tocsin.store.open_store` then re-clusters the stored events."""
    for table, columns in (
        ("events", {"date_precision": "VARCHAR(8)"}),
        ("clusters", {"date_start": "DATE", "date_end": "DATE", "well_formed": "BOOLEAN", "mode": "VARCHAR(32)"}),
        ("stories", {"outlet": "VARCHAR(200)"}),
    ):
        present = {c["name"] for c in inspect(conn).get_columns(table)}
        for name, kind in columns.items():
            if name not in present:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))


@migration
def m004_watch_state(conn: Connection) -> None:
    """`tocsin watch` keeps its state in the store: sources, items seen, alerts and deliveries."""
    metadata.create_all(conn, tables=[watch_sources, watch_seen, watch_alerts, watch_deliveries])


#: Steps after which the stored events must be re-clustered with the current rules.
RECLUSTER = frozenset({"m003_cluster_ranges"})


def migrate(conn: Connection) -> list[str]:
    """Apply every migration this database has not had, in order; return their names."""
    metadata.create_all(conn, tables=[migrations_table])
    done = set(conn.execute(select(migrations_table.c.name)).scalars())
    applied = []
    for step in MIGRATIONS:
        if step.__name__ not in done:
            step(conn)
            conn.execute(migrations_table.insert().values(name=step.__name__, applied_at=datetime.now(UTC)))
            applied.append(step.__name__)
    return applied
