"""The store: SQLite by default, PostgreSQL by URL, one code path (SQLAlchemy Core).

``open_store("tocsin.db")`` or ``open_store("postgresql://user@host/db")`` returns
an engine with the schema migrated (:mod:`tocsin.migrations`). Each coded story
is written in one transaction (:func:`save`), so a run killed at any point
leaves whole stories only, and a re-run skips every story whose content hash is
already stored (:func:`known_hashes`): nothing is lost and nothing stored twice.

Database failures become :class:`~tocsin.errors.StoreError` with a message that
says what to do: a locked SQLite file, a full disk, a dropped connection.
"""

from __future__ import annotations

import contextlib
import json
import logging
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, event, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from . import dedup
from .errors import ConfigError, StoreError
from .migrations import (
    MIGRATIONS,
    RECLUSTER,
    actors,
    clusters,
    events,
    lsh,
    migrate,
    migrations_table,
    quotes,
    sentences,
    stories,
)
from .records import Event, Quote, Sentence, Story

log = logging.getLogger(__name__)

DEFAULT_DB = "tocsin.db"


@dataclass(frozen=True, slots=True)
class Coded:
    """A story with everything coded from it, ready to store in one transaction."""

    story: Story
    hash: str
    sentences: tuple[Sentence, ...]
    events: tuple[Event, ...]
    quotes: tuple[Quote, ...]
    signature: bytes


def database_url(db: str) -> str:
    """A SQLAlchemy URL for a file path or URL ("tocsin.db", "postgresql://u@h/db").

    Raises:
        ConfigError: a URL scheme tocsin does not support.
    """
    if "://" not in db:
        return f"sqlite:///{db}"
    scheme = db.split("://", 1)[0]
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if scheme.startswith(("sqlite", "postgresql+")):
        return db
    raise ConfigError(f"unsupported database URL {db!r}: use a file path, sqlite:///PATH or postgresql://...")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commit
    cursor.execute("PRAGMA busy_timeout=3000")  # wait a little for a lock, then say so
    cursor.close()


def open_store(db: str = DEFAULT_DB) -> Engine:
    """Open (and create or migrate) the store at a path or URL.

    Raises:
        StoreError: the database cannot be reached, opened or migrated.
        ConfigError: the URL is not one tocsin supports.
    """
    url = database_url(db)
    try:
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        with engine.begin() as conn:
            applied = migrate(conn)
            if RECLUSTER & set(applied):
                recluster(conn)
    except (SQLAlchemyError, OSError) as exc:
        raise store_error(exc, db) from exc
    if applied:
        log.info("migrated %s: %s", db, ", ".join(applied))
    return engine


def _read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")  # SQLite itself refuses every write on this connection
    cursor.execute("PRAGMA busy_timeout=3000")
    cursor.close()


def open_reader(db: str = DEFAULT_DB) -> Engine:
    """Open an existing, up-to-date store for reading only: what the server uses.

    Nothing is created, migrated or written. A SQLite file is opened read-only
    (``mode=ro``, ``query_only``); a PostgreSQL session is read-only
    (``default_transaction_read_only``), so a write anywhere fails loudly.

    Raises:
        StoreError: the store does not exist, cannot be read, or needs a migration
            (``tocsin run`` applies it).
        ConfigError: the URL is not one tocsin supports.
    """
    url = database_url(db)
    try:
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if not path or path == ":memory:" or path.startswith("file:"):
                raise StoreError(f"{db}: the server reads a store file; give its path (tocsin run writes one)")
            if not Path(path).is_file():
                raise StoreError(f"{db}: no such store — make one with `tocsin run INPUT --db {db}`")
            where = urllib.parse.quote(str(Path(path).resolve()))
            engine = create_engine(f"sqlite:///file:{where}?mode=ro&uri=true", pool_pre_ping=True)
            event.listen(engine, "connect", _read_only_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True,
                                   connect_args={"options": "-c default_transaction_read_only=on"})  # fmt: skip
        with engine.connect() as conn:
            done = set(conn.execute(select(migrations_table.c.name)).scalars())
    except (SQLAlchemyError, OSError) as exc:
        raise store_error(exc, db) from exc
    missing = [step.__name__ for step in MIGRATIONS if step.__name__ not in done]
    if missing:
        engine.dispose()
        raise StoreError(f"{db}: the store needs an upgrade ({', '.join(missing)}) — "
                         f"run `tocsin signals --db {db}` once to apply it")  # fmt: skip
    return engine


def store_error(exc: BaseException, db: str = "the database") -> StoreError:
    """A StoreError whose message names the cause and the fix."""
    text = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
    low = text.lower()
    if "locked" in low or "busy" in low:
        hint = "another program holds a write lock on it; close it (or wait) and run again"
    elif "full" in low or "no space" in low or "file too large" in low or "disk i/o" in low:
        hint = "the disk is full; free some space and run again: stories already stored are kept"
    elif isinstance(exc, OperationalError | DBAPIError) and ("connect" in low or "terminat" in low or "closed" in low):
        hint = "the database connection was lost; check the server and run again to resume"
    else:
        hint = "run again to resume: stories already stored are kept"
    return StoreError(f"{db}: {text} — {hint}")


# Statements built once: constructing SQLAlchemy expressions per call cost more than running them.
_KNOWN = select(stories.c.hash).where(stories.c.hash.in_(bindparam("hashes", expanding=True)))
_HAS_HASH = select(stories.c.id).where(stories.c.hash == bindparam("hash"))
_HAS_ID = select(stories.c.id).where(stories.c.id == bindparam("id"))
_CANDIDATES = select(stories.c.id, stories.c.signature, stories.c.duplicate_of).where(
    stories.c.id.in_(select(lsh.c.story_id).where(lsh.c.bucket.in_(bindparam("buckets", expanding=True))))
)
_CLUSTER_MATCH = (
    select(clusters.c.id, clusters.c.date_start, clusters.c.date_end)
    .where(
        clusters.c.event_type == bindparam("event_type"),
        clusters.c.mode == bindparam("mode"),
        clusters.c.polarity == bindparam("polarity"),
        clusters.c.actor_key == bindparam("actor_key"),
        clusters.c.recipient_key == bindparam("recipient_key"),
        clusters.c.well_formed.is_(True),
        clusters.c.date_start <= bindparam("end"),
        clusters.c.date_end >= bindparam("start"),
    )
    .order_by(clusters.c.id)
    .limit(1)
)
_NARROW = (
    update(clusters)
    .where(clusters.c.id == bindparam("cluster"))
    .values(date_start=bindparam("start"), date_end=bindparam("end"))
)
_ROOT = func.coalesce(stories.c.duplicate_of, stories.c.id)
_ORIGINAL = stories.alias("original")
_RECOUNT = (
    select(
        func.count(events.c.id),
        func.count(func.distinct(_ROOT)),
        # independent outlets of the originals (stories stored before outlets were kept: their publisher or URL)
        func.count(
            func.distinct(func.coalesce(_ORIGINAL.c.outlet, _ORIGINAL.c.publisher, _ORIGINAL.c.url, _ORIGINAL.c.id))
        ),
        func.min(events.c.date),
        func.max(events.c.date),
    )
    .select_from(events.join(stories, stories.c.id == events.c.story_id).join(_ORIGINAL, _ORIGINAL.c.id == _ROOT))
    .where(events.c.cluster_id == bindparam("cluster_id"))
)
_SET_COUNTS = (
    update(clusters)
    .where(clusters.c.id == bindparam("cluster"))
    .values(
        num_mentions=bindparam("m"), num_stories=bindparam("s"), num_sources=bindparam("n"),
        first_seen=bindparam("first"), last_seen=bindparam("last"),
    )
)  # fmt: skip
_BUMP_ACTOR = update(actors).where(actors.c.key == bindparam("actor")).values(mentions=actors.c.mentions + 1)


def known_hashes(engine: Engine, hashes: Iterable[str]) -> set[str]:
    """Which of these content hashes are already stored."""
    wanted = list(hashes)
    if not wanted:
        return set()
    try:
        with engine.connect() as conn:
            return set(conn.execute(_KNOWN, {"hashes": wanted}).scalars())
    except SQLAlchemyError as exc:
        raise store_error(exc, _name(engine)) from exc


def _name(engine: Engine) -> str:
    """The database a message should name: the file, or the URL without its password."""
    url = engine.url
    return str(url.database) if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _story_id(conn: Connection, story: Story, digest: str) -> str:
    """The story's id, or ``id~hash`` when another version of it is already stored."""
    taken = conn.execute(_HAS_ID, {"id": story.id}).first()
    return f"{story.id}~{digest[:10]}" if taken else story.id


def save(engine: Engine, coded: Coded) -> str | None:
    """Store one coded story, its sentences, events and quotes, in one transaction.

    Finds the story's near-duplicates, assigns its events to clusters and updates
    cluster counts. Returns the stored story id, or None when the same content is
    already stored (it came twice in one run). Raises StoreError.
    """
    try:
        with engine.begin() as conn:
            return _save(conn, coded)
    except SQLAlchemyError as exc:
        raise store_error(exc, _name(engine)) from exc


def save_in(conn: Connection, coded: Coded) -> str | None:
    """:func:`save` inside the caller's transaction, so the caller can write rows of its own
    with the story's (``tocsin watch`` records its alerts and the items it has seen)."""
    return _save(conn, coded)


def _save(conn: Connection, coded: Coded) -> str | None:
    if conn.execute(_HAS_HASH, {"hash": coded.hash}).first():
        return None  # one writer, so this check cannot race
    story = coded.story
    story_id = _story_id(conn, story, coded.hash)
    duplicate_of = _duplicate_of(conn, coded.signature)
    conn.execute(
        stories.insert(),
        {
            "id": story_id, "hash": coded.hash, "source": story.source, "pub_date": story.pub_date,
            "title": story.title, "url": story.url, "publisher": story.publisher, "authors": _json(story.authors),
            "language": story.language, "dateline": story.dateline, "text": story.text,
            "credits": _json(story.credits), "comments": _json(story.comments),
            "removed": _json({"rule": r.rule, "text": r.text, "start": r.start} for r in story.removed),
            "signature": coded.signature, "duplicate_of": duplicate_of, "coded_at": datetime.now(UTC),
            "outlet": dedup.outlet(story.publisher, story.url, story.source, story_id),
        },
    )  # fmt: skip
    sig = dedup.signature_from_bytes(coded.signature)
    conn.execute(lsh.insert(), [{"band": b, "bucket": f"{b}:{k}", "story_id": story_id} for b, k in dedup.bands(sig)])
    if coded.sentences:
        conn.execute(
            sentences.insert(),
            [{"story_id": story_id, "idx": s.index, "start": s.start, "end": s.end} for s in coded.sentences],
        )
    if coded.quotes:
        conn.execute(quotes.insert(), [_quote_row(story_id, i, q) for i, q in enumerate(coded.quotes)])
    rows = [_event_row(story_id, ev, _cluster_for(conn, dedup.cluster_key(ev.to_dict()))) for ev in coded.events]
    if rows:
        conn.execute(events.insert(), rows)
    for ev in coded.events:
        for actor in (ev.actor, ev.recipient):
            if actor is not None:
                _count_actor(conn, actor)
    for cluster_id in sorted({row["cluster_id"] for row in rows}):
        _recount(conn, cluster_id)
    return story_id


def _duplicate_of(conn: Connection, signature: bytes) -> str | None:
    """The first stored story this one nearly duplicates (its group's root), if any."""
    sig = dedup.signature_from_bytes(signature)
    rows = conn.execute(_CANDIDATES, {"buckets": [f"{b}:{k}" for b, k in dedup.bands(sig)]}).all()
    best = [(dedup.similarity(sig, row.signature), row) for row in rows if row.signature]
    best = [(score, row) for score, row in best if score >= dedup.THRESHOLD]
    if not best:
        return None
    _, row = max(best, key=lambda pair: pair[0])
    return str(row.duplicate_of or row.id)


def _quote_row(story_id: str, index: int, quote: Quote) -> dict[str, Any]:
    speaker = quote.speaker
    return {
        "story_id": story_id, "idx": index, "speaker_name": speaker.name or speaker.text if speaker else None,
        "speaker_country": speaker.country if speaker else None, "cue": (quote.cue or "")[:40],
        "direct": quote.direct, "start": quote.start, "end": quote.end, "text": quote.text,
    }  # fmt: skip


def _event_row(story_id: str, ev: Event, cluster_id: int) -> dict[str, Any]:
    record = ev.to_dict()
    # a new version of a story ("id~hash") gives its events ids of their own, in the record too
    event_id = ev.id if story_id == ev.story_id else story_id + ev.id[len(ev.story_id) :]
    record["id"], record["story_id"] = event_id, story_id
    actor, recipient = ev.actor, ev.recipient
    return {
        "id": event_id,
        "story_id": story_id, "sentence_id": ev.sentence_id, "event_type": ev.event_type, "mode": ev.mode,
        "cameo": ev.cameo, "quad_class": ev.quad_class, "intensity": ev.intensity,
        "actor_country": actor.country if actor else None,
        "actor_sector": ";".join(actor.sector) if actor else None,
        "actor_name": (actor.name or actor.text) if actor else None,
        "actor_kb_id": actor.kb_id if actor else None,
        "recipient_country": recipient.country if recipient else None,
        "recipient_sector": ";".join(recipient.sector) if recipient else None,
        "recipient_name": (recipient.name or recipient.text) if recipient else None,
        "recipient_kb_id": recipient.kb_id if recipient else None,
        "asserted_country": ev.asserted_by.country if ev.asserted_by else None,
        "polarity": ev.polarity, "modality": ev.modality, "quote": ev.quote, "date": ev.date,
        "date_precision": ev.date_precision, "pub_date": ev.pub_date, "place_name": ev.place.name if ev.place else None,
        "place_country": ev.place.country if ev.place else None, "lat": ev.place.lat if ev.place else None,
        "lon": ev.place.lon if ev.place else None, "confidence": ev.confidence, "cluster_id": cluster_id,
        "record": json.dumps(record, ensure_ascii=False),
    }  # fmt: skip


def _cluster_for(conn: Connection, key: dedup.ClusterKey) -> int:
    """The cluster an event belongs to: a well-formed one whose date range overlaps the
    event's (narrowed to the overlap), or a new one. A mention that is not well-formed
    always gets a cluster of its own (see :mod:`tocsin.dedup`)."""
    params: dict[str, Any] = {"event_type": key.event_type, "mode": key.mode, "polarity": key.stance,
                              "actor_key": key.actor_key, "recipient_key": key.recipient_key}  # fmt: skip
    if key.span is not None:
        start, end = key.span
        found = conn.execute(_CLUSTER_MATCH, {**params, "start": start, "end": end}).first()
        if found is not None:
            narrowed = {"start": max(found.date_start, start), "end": min(found.date_end, end)}
            conn.execute(_NARROW, {"cluster": found.id, **narrowed})
            return int(found.id)
    inserted = conn.execute(
        clusters.insert(),
        {
            **params, "first_seen": None, "last_seen": None, "num_mentions": 0, "num_stories": 0, "num_sources": 0,
            "date_start": key.span[0] if key.span else None, "date_end": key.span[1] if key.span else None,
            "well_formed": key.span is not None,
        },
    )  # fmt: skip
    primary = inserted.inserted_primary_key
    assert primary is not None  # an insert into a table with an integer primary key
    return int(primary[0])


def recluster(conn: Connection) -> int:
    """Re-assign every stored event to clusters with the current rules, in the order the
    stories were stored, and recount them; fill in story outlets. Returns the number of
    clusters. Run by :func:`open_store` after a migration that changes the rules."""
    for story in conn.execute(select(stories.c.id, stories.c.publisher, stories.c.url, stories.c.source)).all():
        conn.execute(update(stories).where(stories.c.id == story.id).values(
            outlet=dedup.outlet(story.publisher, story.url, story.source, story.id)))  # fmt: skip
    conn.execute(update(events).values(cluster_id=None))
    conn.execute(clusters.delete())
    order = (
        select(events.c.id, events.c.record)
        .select_from(events.join(stories, stories.c.id == events.c.story_id))
        .order_by(stories.c.coded_at, events.c.story_id, events.c.sentence_id, events.c.id)
    )
    assigned: dict[int, list[str]] = {}
    for row in conn.execute(order).all():
        record = json.loads(row.record)
        if "date_precision" not in record:  # a record coded before precisions were kept
            record["date_precision"] = _old_precision(record)
        assigned.setdefault(_cluster_for(conn, dedup.cluster_key(record)), []).append(row.id)
    for cluster_id, ids in assigned.items():
        conn.execute(update(events).where(events.c.id.in_(ids)).values(cluster_id=cluster_id))
        _recount(conn, cluster_id)
    return len(assigned)


def _old_precision(record: dict[str, Any]) -> str | None:
    from .dates import date_precision

    if not record.get("date"):
        return None
    if record.get("date_text"):
        return date_precision(record["date_text"])
    return "fallback" if record.get("date") == record.get("pub_date") else "day"


def _recount(conn: Connection, cluster_id: int) -> None:
    """Recount a cluster: mentions, independent stories (a syndicated copy counts as
    its original) and independent sources (publishers of those originals)."""
    row = conn.execute(_RECOUNT, {"cluster_id": cluster_id}).one()
    conn.execute(_SET_COUNTS, {"cluster": cluster_id, "m": row[0], "s": row[1], "n": row[2],
                               "first": row[3], "last": row[4]})  # fmt: skip


def _count_actor(conn: Connection, actor: Any) -> None:
    key = (actor.kb_id or f"{actor.name or actor.text}|{actor.country or ''}")[:240]
    if conn.execute(_BUMP_ACTOR, {"actor": key}).rowcount == 0:
        conn.execute(
            actors.insert(),
            {"key": key, "name": actor.name or actor.text, "country": actor.country,
             "sector": ";".join(actor.sector), "kb_id": actor.kb_id, "mentions": 1},
        )  # fmt: skip


# --- reading ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """Which events to read: a date range, actor or recipient countries, a dyad, types."""

    since: date | None = None
    until: date | None = None
    actor: str | None = None
    recipient: str | None = None
    dyad: tuple[str, str] | None = None
    types: tuple[str, ...] = ()
    status: str | None = None  # unverified, corroborated or disputed
    story: str | None = None
    cluster: int | None = None
    sort: str = "date"  # a key of SORTS; "-date" for newest first
    limit: int | None = None
    offset: int = 0


#: How events can be sorted (``-`` before a key sorts it descending); ties go newest first, undated last.
SORTS: dict[str, Any] = {
    "date": events.c.date,
    "type": events.c.event_type,
    "actor": events.c.actor_country,
    "recipient": events.c.recipient_country,
    "sources": clusters.c.num_sources,
}
SORT_PATTERN = "^-?(" + "|".join(SORTS) + ")$"


def _order(sort: str) -> list[Any]:
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise ConfigError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}, '-' before it for descending")
    column = SORTS[key]
    first = column.desc() if sort.startswith("-") else column.asc()
    if key == "date":
        return [events.c.date.is_(None), first, events.c.id.desc() if sort.startswith("-") else events.c.id]
    return [column.is_(None), first, events.c.date.is_(None), events.c.date.desc(), events.c.id]


def _where(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.since:
        conditions.append(events.c.date >= filters.since)
    if filters.until:
        conditions.append(events.c.date <= filters.until)
    if filters.actor:
        conditions.append(events.c.actor_country == filters.actor)
    if filters.recipient:
        conditions.append(events.c.recipient_country == filters.recipient)
    if filters.dyad:
        conditions += [events.c.actor_country == filters.dyad[0], events.c.recipient_country == filters.dyad[1]]
    if filters.types:
        conditions.append(events.c.event_type.in_(filters.types))
    if filters.story:
        conditions.append(events.c.story_id == filters.story)
    if filters.cluster is not None:
        conditions.append(events.c.cluster_id == filters.cluster)
    disputed = func.coalesce(clusters.c.disputed, False)
    corroborated = func.coalesce(clusters.c.well_formed, False) & (clusters.c.num_sources >= 2)
    if filters.status == "disputed":
        conditions.append(disputed)
    elif filters.status == "corroborated":
        conditions += [~disputed, corroborated]
    elif filters.status == "unverified":
        conditions += [~disputed, ~corroborated]
    return conditions


def status_of(disputed: bool | None, num_sources: int, well_formed: bool | None = True) -> str:
    """A cluster's status: disputed, corroborated (well-formed, with 2+ independent
    sources) or unverified."""
    if disputed:
        return "disputed"
    return "corroborated" if well_formed and num_sources >= 2 else "unverified"


def count_events(engine: Engine, filters: Filters | None = None) -> int:
    """How many stored events pass the filters."""
    query = (
        select(func.count())
        .select_from(events.join(clusters, clusters.c.id == events.c.cluster_id))
        .where(*_where(filters or Filters()))
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def read_events(engine: Engine, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
    """Stored events as SCHEMA.md records, with their cluster's counts, in date order; streamed.

    Each record gains ``cluster_id``, ``num_mentions``, ``num_stories``,
    ``num_sources``, ``first_seen``, ``last_seen``, ``duplicate_of`` and ``url``.
    """
    filters = filters or Filters()
    query = (
        select(
            events.c.record,
            clusters,
            stories.c.duplicate_of,
            stories.c.url,
            stories.c.publisher,
            stories.c.outlet,
            stories.c.coded_at,
        )
        .select_from(
            events.join(clusters, clusters.c.id == events.c.cluster_id).join(stories, stories.c.id == events.c.story_id)
        )
        .where(*_where(filters))
        .order_by(*_order(filters.sort))  # undated events last
    )
    if filters.limit:
        query = query.limit(filters.limit)
    if filters.offset:
        query = query.offset(filters.offset)
    try:
        with engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                record = json.loads(row.record)
                record.update(
                    cluster_id=row.id, num_mentions=row.num_mentions, num_stories=row.num_stories,
                    num_sources=row.num_sources, duplicate_of=row.duplicate_of, url=row.url,
                    publisher=row.publisher, outlet=row.outlet, well_formed=bool(row.well_formed),
                    stored_at=row.coded_at.isoformat() if row.coded_at else None,
                    first_seen=row.first_seen.isoformat() if row.first_seen else None,
                    last_seen=row.last_seen.isoformat() if row.last_seen else None,
                    status=status_of(row.disputed, row.num_sources, row.well_formed),
                )  # fmt: skip
                yield record
    except SQLAlchemyError as exc:
        raise store_error(exc, _name(engine)) from exc


def counts(engine: Engine) -> dict[str, int]:
    """How many stories, duplicates, events and clusters the store holds."""
    with engine.connect() as conn:
        return {
            "stories": conn.execute(select(func.count()).select_from(stories)).scalar_one(),
            "duplicates": conn.execute(
                select(func.count()).select_from(stories).where(stories.c.duplicate_of.is_not(None))
            ).scalar_one(),
            "events": conn.execute(select(func.count()).select_from(events)).scalar_one(),
            "clusters": conn.execute(select(func.count()).select_from(clusters)).scalar_one(),
        }


def top_dyads(engine: Engine, limit: int = 8) -> list[tuple[str, str, int]]:
    """The most frequent (actor country, recipient country) pairs."""
    query = (
        select(events.c.actor_country, events.c.recipient_country, func.count().label("n"))
        .where(events.c.actor_country.is_not(None), events.c.recipient_country.is_not(None))
        .group_by(events.c.actor_country, events.c.recipient_country)
        .order_by(func.count().desc(), events.c.actor_country, events.c.recipient_country)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [(str(a), str(r), int(n)) for a, r, n in conn.execute(query)]


@contextlib.contextmanager
def opened(db: str) -> Iterator[Engine]:
    """``with opened(db) as engine:`` — open the store and dispose of it afterwards."""
    engine = open_store(db)
    try:
        yield engine
    finally:
        engine.dispose()


def mark_disputed(engine: Engine, cluster_ids: Iterable[int]) -> None:
    """Flag exactly these clusters as disputed (a claim in them is contradicted)."""
    ids = sorted({int(i) for i in cluster_ids})
    try:
        with engine.begin() as conn:
            conn.execute(update(clusters).values(disputed=False))
            if ids:
                conn.execute(update(clusters).where(clusters.c.id.in_(ids)).values(disputed=True))
    except SQLAlchemyError as exc:
        raise store_error(exc, _name(engine)) from exc


def read_story(engine: Engine, story_id: str) -> dict[str, Any] | None:
    """A stored story with its quotes, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
        if row is None:
            return None
        found = conn.execute(select(quotes).where(quotes.c.story_id == story_id).order_by(quotes.c.idx)).all()
    story = {k: row._mapping[k] for k in ("id", "title", "url", "publisher", "text", "duplicate_of")}
    story["pub_date"] = row.pub_date.isoformat() if row.pub_date else None
    story["quotes"] = [
        {k: q._mapping[k] for k in ("speaker_name", "speaker_country", "cue", "direct", "start", "end", "text")}
        for q in found
    ]
    return story


def dyad_totals(engine: Engine, filters: Filters | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Dyads by number of events, most first, with their summed intensity and how many are ``dated``."""
    query = (
        select(events.c.actor_country, events.c.recipient_country, func.count().label("n"),
               func.sum(events.c.intensity).label("intensity"), func.count(events.c.date).label("dated"))
        .select_from(events.join(clusters, clusters.c.id == events.c.cluster_id))
        .where(events.c.actor_country.is_not(None), events.c.recipient_country.is_not(None),
               events.c.actor_country != events.c.recipient_country, *_where(filters or Filters()))
        .group_by(events.c.actor_country, events.c.recipient_country)
        .order_by(func.count().desc(), func.count(events.c.date).desc(), events.c.actor_country,
                  events.c.recipient_country)
        .limit(limit)
    )  # fmt: skip
    with engine.connect() as conn:
        return [
            {"actor": a, "recipient": r, "events": int(n), "intensity": round(float(i or 0), 2), "dated": int(d)}
            for a, r, n, i, d in conn.execute(query)
        ]


def top_actors(engine: Engine, limit: int = 100) -> list[dict[str, Any]]:
    """The most mentioned actors."""
    query = select(actors).order_by(actors.c.mentions.desc(), actors.c.key).limit(limit)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
