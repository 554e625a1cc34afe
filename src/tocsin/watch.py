"""``tocsin watch``: poll the sources an analyst follows, code what is new, raise alerts by rules.

Sources are RSS/Atom feed URLs or files, page URLs, and directories in which new files
appear. Each poll fetches only what is new:

* URLs with a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the last
  answer's ``ETag`` / ``Last-Modified``): an unchanged feed costs one request and a 304;
* feed entries by GUID (or link), remembered per source, so an entry is coded once;
* files by size and modification time; and every story by the content hash the store
  already keeps, so nothing is coded twice whichever way it arrives.

A feed entry that carries only a summary gets its linked page fetched and read with
the HTML reader. New stories are coded and stored exactly as ``tocsin run`` stores
them (:func:`tocsin.pipeline.code_batch`, :func:`tocsin.store.save_in`); the alerts of
the event rules are recorded, pending, in the same transaction as the events, then
the aggregate rules are evaluated over the store and every pending alert is delivered
(:mod:`tocsin.alerts`). All state lives in the store, so a watch killed with
``kill -9`` resumes with no alert lost or sent twice.

A source that fails backs off: it is skipped for twice the poll interval, then four
times, and so on up to an hour (or the interval, if longer); the others go on.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from . import alerts, pipeline, store
from .alerts import Sink
from .errors import InputError
from .migrations import events, stories, watch_seen, watch_sources
from .readers import MAX_BYTES, read_feed_bytes, read_file, story_from_html
from .records import Problem, Story
from .rules import Finding, Rule, RuleSet, event_rules, findings, matches
from .settings import Settings
from .text import decode

log = logging.getLogger(__name__)

#: A feed entry without a link to follow, or with at least this much text, is coded as it is;
#: a shorter one is a summary, and its linked page is fetched.
SUMMARY_CHARS = 1000
FEED_SUFFIXES = (".rss", ".atom", ".xml")
MAX_BACKOFF = 3600.0
USER_AGENT = "tocsin-watch"


@dataclass(frozen=True, slots=True)
class Unit:
    """One new thing a source gave: a feed entry (``key`` its GUID), a file (``key`` its path and
    ``tag`` its size and mtime) or a page (``key`` None: its content hash is enough)."""

    key: str | None
    tag: str | None
    items: tuple[Story | Problem, ...]


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one source gave in one poll: ``status`` is unchanged, changed or failed."""

    source: str
    status: str
    units: tuple[Unit, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    error: str = ""
    requests: int = 0


@dataclass
class PollReport:
    """What one poll did; :meth:`line` is the log line."""

    number: int
    sources: int = 0
    polled: int = 0
    unchanged: int = 0
    backing_off: int = 0
    requests: int = 0
    stories: int = 0
    known: int = 0
    events: int = 0
    problems: int = 0
    alerts: int = 0
    delivered: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """``poll 3: 5 sources (4 polled, 3 unchanged, 1 backing off, 0 failed), 1 new story, ...``."""
        plural = "" if self.stories == 1 else "s"
        return (
            f"poll {self.number}: {self.sources} sources ({self.polled} polled, {self.unchanged} unchanged, "
            f"{self.backing_off} backing off, {len(self.failures)} failed), {self.stories} new stor"
            f"{'y' if not plural else 'ies'}, {self.events} events, {self.alerts} alerts raised, "
            f"{self.delivered} delivered, {self.seconds:.2f} s"
        )


def backoff(failures: int, every: float) -> float:
    """Seconds a source waits after its ``failures``-th failure in a row: 2×, 4×, 8×... the poll
    interval, at most an hour (or one interval, when that is longer)."""
    return float(min(every * 2 ** min(failures, 30), max(every, MAX_BACKOFF)))


def is_url(source: str) -> bool:
    """Whether a source is an http(s) URL."""
    return re.match(r"https?://", source) is not None


def _looks_like_feed(data: bytes, ctype: str) -> bool:
    head = data[:2048].lower()
    return any(t in ctype for t in ("rss", "atom")) or any(t in head for t in (b"<rss", b"<feed", b"<rdf:rdf"))


def http_get(
    url: str, timeout: float, etag: str | None = None, last_modified: str | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """GET a URL, conditionally when ``etag`` or ``last_modified`` is given: ``(status, body,
    headers)``, with status 304 and an empty body when nothing changed.

    Raises:
        InputError: reason ``unreachable`` (network, HTTP error) or ``too-large``.
    """
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            answer = {k.lower(): v for k, v in response.headers.items()}
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", {k.lower(): v for k, v in exc.headers.items()}
        raise InputError("unreachable", f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise InputError("unreachable", f"cannot fetch: {getattr(exc, 'reason', exc)}") from exc
    if len(body) > MAX_BYTES:
        raise InputError("too-large", f"larger than the {MAX_BYTES:,}-byte limit per document")
    return status, body, answer


def _file_tag(path: Path) -> str:
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


class Watcher:
    """Polls ``sources`` into the store of ``settings.db``, raising alerts by ``rules`` into ``sinks``.

    ``every`` is the poll interval in seconds (it scales the back-off); ``clock`` gives
    the time (tests pass their own); ``timeout`` bounds every request.

    Example:
        >>> watcher = Watcher(["https://example.org/feed.xml"], Settings(db="news.db"), RuleSet(), [])
        >>> print(watcher.poll().line())
    """

    def __init__(
        self,
        sources: Sequence[str],
        settings: Settings,
        rules: RuleSet,
        sinks: Sequence[Sink],
        *,
        every: float = 900.0,
        clock: Callable[[], float] = time.time,
        timeout: float = 20.0,
        workers: int = 8,
    ) -> None:
        self.sources = list(dict.fromkeys(str(s) for s in sources))
        self.settings, self.rules, self.sinks = settings, rules, list(sinks)
        self.every, self.clock, self.timeout = every, clock, timeout
        self.engine = store.open_store(settings.db)
        self.polls = 0
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(self.sources))), thread_name_prefix="fetch")
        self._stop = threading.Event()
        with self.engine.begin() as conn:
            have = set(conn.execute(select(watch_sources.c.source)).scalars())
            missing = [{"source": s, "failures": 0, "stories": 0} for s in self.sources if s not in have]
            if missing:
                conn.execute(watch_sources.insert(), missing)

    def close(self) -> None:
        """Stop the fetch threads and close the store."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()

    def stop(self) -> None:
        """Ask a running poll to finish after the story it is storing (from a signal handler)."""
        self._stop.set()

    def now(self) -> datetime:
        """The watcher's clock as a naive UTC datetime (how the store keeps times)."""
        return datetime.fromtimestamp(self.clock(), UTC).replace(tzinfo=None)

    # --- one poll ---------------------------------------------------------------------------

    def poll(self) -> PollReport:
        """Poll every source that is not backing off, store what is new, raise and deliver alerts."""
        started = time.perf_counter()
        self.polls += 1
        report = PollReport(number=self.polls, sources=len(self.sources))
        now = self.now()
        with self.engine.connect() as conn:
            state = {row.source: row for row in conn.execute(select(watch_sources))}
        due = []
        for source in self.sources:
            row = state.get(source)
            if row is not None and row.next_try is not None and row.next_try > now:
                report.backing_off += 1
                report.notes.append(
                    f"{source}: backing off after {row.failures} failures, next try {row.next_try:%H:%M:%S}"
                )
            else:
                due.append(source)
        fetched = self._pool.map(lambda s: self._fetch(s, state.get(s)), due)
        updates = []
        for result in fetched:
            report.polled += 1
            report.requests += result.requests
            row = state.get(result.source)
            values = self._after(result, row, now, report)
            if result.status == "changed":
                added, stopped = 0, False
                for unit in result.units:
                    if self._stop.is_set():  # asked to stop: the rest is fetched again next time
                        stopped = True
                        break
                    added += self._store_unit(result.source, unit, report, now)
                values["stories"] = (row.stories if row else 0) + added
                if stopped:
                    values.pop("etag", None)
                    values.pop("last_modified", None)
            updates.append(values)
        if updates:
            with self.engine.begin() as conn:
                for values in updates:
                    conn.execute(
                        update(watch_sources).where(watch_sources.c.source == values.pop("source")).values(**values)
                    )
        if any(r.aggregate for r in self.rules.rules) and (report.events or self.polls == 1):
            report.alerts += self._aggregates(now)
        report.delivered, delivery_failures = alerts.deliver(self.engine, self.sinks, now)
        report.failures += delivery_failures
        report.seconds = time.perf_counter() - started
        return report

    def _after(self, result: Fetched, row: Any, now: datetime, report: PollReport) -> dict[str, Any]:
        """The source's new state after a fetch (written at the end of the poll, after its stories)."""
        values: dict[str, Any] = {"source": result.source, "last_poll": now}
        if result.status == "failed":
            failures = (row.failures if row else 0) + 1
            wait = backoff(failures, self.every)
            values.update(failures=failures, last_error=result.error[:2000], next_try=now + timedelta(seconds=wait))
            report.failures.append(
                f"{result.source}: {result.error} (failure {failures} in a row; next try in {wait:g} s)"
            )
            log.warning("%s", report.failures[-1])
            return values
        values.update(failures=0, last_error=None, next_try=None, last_ok=now)
        if result.status == "unchanged":
            report.unchanged += 1
        else:
            values.update(etag=result.etag, last_modified=result.last_modified)
        return values

    # --- fetching (in threads: reads only) --------------------------------------------------

    def _fetch(self, source: str, row: Any) -> Fetched:
        try:
            if is_url(source):
                return self._fetch_url(source, row)
            path = Path(source)
            if path.is_dir():
                return self._fetch_directory(source, path)
            if path.is_file():
                return self._fetch_file(source, path, row)
            return Fetched(source, "failed", error="no such file or directory")
        except InputError as exc:
            return Fetched(source, "failed", error=exc.detail, requests=1)
        except OSError as exc:
            return Fetched(source, "failed", error=f"cannot read: {exc.strerror or exc}")

    def _fetch_url(self, source: str, row: Any) -> Fetched:
        etag, modified = (row.etag, row.last_modified) if row is not None else (None, None)
        status, body, headers = http_get(source, self.timeout, etag, modified)
        if status == 304:
            return Fetched(source, "unchanged", requests=1)
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if row is not None and etag is not None and etag == row.etag:
            return Fetched(source, "unchanged", requests=1)  # a server that ignores If-None-Match
        if _looks_like_feed(body, headers.get("content-type", "")):
            units, requests = self._feed_units(source, body)
            return Fetched(source, "changed", units, etag, modified, requests=1 + requests)
        items = tuple(story_from_html(decode(body), source, source))
        return Fetched(source, "changed", (Unit(None, None, items),), etag, modified, requests=1)

    def _fetch_file(self, source: str, path: Path, row: Any) -> Fetched:
        tag = _file_tag(path)
        if row is not None and row.etag == tag:
            return Fetched(source, "unchanged")
        if path.suffix.lower() in FEED_SUFFIXES:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise InputError("too-large", f"larger than the {MAX_BYTES:,}-byte limit per document")
            units, requests = self._feed_units(source, data)
            return Fetched(source, "changed", units, tag, requests=requests)
        return Fetched(source, "changed", (Unit(source, tag, tuple(read_file(path))),), tag)

    def _fetch_directory(self, source: str, path: Path) -> Fetched:
        seen = self._seen(source)
        units = []
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path)
            if not child.is_file() or any(part.startswith(".") for part in relative.parts):
                continue
            tag = _file_tag(child)
            if seen.get(str(relative), "") != tag:
                units.append(Unit(str(relative), tag, tuple(read_file(child))))
        return Fetched(source, "changed" if units else "unchanged", tuple(units))

    def _seen(self, source: str) -> dict[str, str]:
        with self.engine.connect() as conn:
            query = select(watch_seen.c.item, watch_seen.c.tag).where(watch_seen.c.source == source)
            return {item: tag or "" for item, tag in conn.execute(query)}

    def _feed_units(self, source: str, data: bytes) -> tuple[tuple[Unit, ...], int]:
        """The entries of a feed not seen before, each with its page fetched when it has only a
        summary. Returns the units and the number of page requests made."""
        seen = self._seen(source)
        units, requests = [], 0
        warnings: list[Problem] = []
        full: set[str] | None = None  # ids of the entries that carry their content, read when needed
        for item in read_feed_bytes(data, source):
            if isinstance(item, Problem):
                if not item.fatal:
                    warnings.append(item)  # a bad date: the entry's story follows
                elif item.reason != "no-article":  # an empty feed is not news
                    units.append(Unit(None, None, (item,)))
                continue
            key = item.id[:1000]
            if key in seen:
                warnings.clear()
                continue
            story = item
            if len(item.text) < SUMMARY_CHARS and item.url and is_url(item.url) and item.url != source:
                if full is None:
                    full = _with_content(data)
                if item.id not in full:
                    story, fetched = self._full_story(item)
                    requests += fetched
            units.append(Unit(key, None, (*warnings, story)))
            warnings = []
        return tuple(units), requests

    def _full_story(self, summary: Story) -> tuple[Story, int]:
        """The linked page's article for a summary-only entry (the summary when the page fails)."""
        assert summary.url is not None
        try:
            _status, body, _headers = http_get(summary.url, self.timeout)
        except InputError as exc:
            log.warning(
                "%s: cannot fetch the linked page %s (%s); coding the summary", summary.source, summary.url, exc
            )
            return summary, 1
        for item in story_from_html(decode(body), summary.url, summary.url, story_id=summary.id):
            if isinstance(item, Story):
                return replace(item, pub_date=item.pub_date or summary.pub_date, title=item.title or summary.title,
                               publisher=summary.publisher or item.publisher, source=summary.source), 1  # fmt: skip
        log.info("%s: the linked page %s has no article; coding the summary", summary.source, summary.url)
        return summary, 1

    # --- coding and storing (this thread: the only writer) ----------------------------------

    def _store_unit(self, source: str, unit: Unit, report: PollReport, now: datetime) -> int:
        """Code and store a unit's stories; remember the unit. Returns the stories stored."""
        first_id, added = None, 0
        for item in unit.items:
            if isinstance(item, Problem):
                report.problems += 1
                log.warning("%s", item)
                continue
            digest = pipeline.content_hash(item)
            if store.known_hashes(self.engine, [digest]):
                report.known += 1
                first_id = first_id or self._story_of(digest)
                continue
            for coded in pipeline.code_batch([item], self.settings):
                if isinstance(coded, Problem):
                    report.problems += 1
                    log.warning("%s", coded)
                    continue
                stored = self._save(source, coded, report, now)
                if stored is not None:
                    first_id, added = first_id or stored, added + 1
        if unit.key is not None:
            with self.engine.begin() as conn:
                _remember(conn, source, unit.key, unit.tag, first_id, now)
        return added

    def _story_of(self, digest: str) -> str | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(stories.c.id).where(stories.c.hash == digest)).scalar()
        return str(found) if found is not None else None

    def _save(self, source: str, coded: store.Coded, report: PollReport, now: datetime) -> str | None:
        """Store one coded story and record the alerts of its events in the same transaction."""
        try:
            with self.engine.begin() as conn:
                story_id = store.save_in(conn, coded)
                if story_id is None:
                    report.known += 1
                    return None
                _remember(conn, source, f"story:{story_id}", None, story_id, now)
                rows = [dict(r._mapping) for r in conn.execute(select(events).where(events.c.story_id == story_id))]
                for rule in event_rules(self.rules):
                    hits = [r for r in rows if matches(rule, r)]
                    if hits and self._raise_event_alert(conn, rule, story_id, hits, now) is not None:
                        report.alerts += 1
        except SQLAlchemyError as exc:
            raise store.store_error(exc, self.settings.db) from exc
        report.stories += 1
        report.events += len(coded.events)
        return story_id

    def _raise_event_alert(
        self, conn: Connection, rule: Rule, story_id: str, hits: list[dict[str, Any]], now: datetime
    ) -> int | None:
        first = hits[0]
        more = f" and {len(hits) - 1} more" if len(hits) > 1 else ""
        who = f"{first['actor_country'] or first['actor_name'] or '?'} -> "
        who += f"{first['recipient_country'] or first['recipient_name'] or '?'}"
        summary = f"{first['event_type']} {who} ({first['polarity']}, {first['modality']}){more} in story {story_id}"
        return alerts.raise_alert(conn, rule, key=f"{rule.name}|story|{story_id}", kind="event",
                                  event_ids=[h["id"] for h in hits], summary=summary, sinks=self.sinks,
                                  now=now)  # fmt: skip

    def _aggregates(self, now: datetime) -> int:
        """Evaluate the aggregate rules over the store and record what is new; returns alerts raised."""
        from . import signals

        with self.engine.connect() as conn:
            watched = set(
                conn.execute(select(watch_seen.c.story_id).where(watch_seen.c.story_id.is_not(None))).scalars()
            )
        if not watched:
            return 0
        found: list[Finding] = findings(self.rules, signals.load_events(self.settings.db), watched)
        raised = 0
        with self.engine.begin() as conn:
            fresh = set(f.key for f in found) - alerts.known(conn, (f.key for f in found))
            for finding in found:
                if finding.key not in fresh:
                    continue
                fresh.discard(finding.key)
                alert_id = alerts.raise_alert(conn, finding.rule, key=finding.key, kind=finding.kind,
                                              event_ids=finding.event_ids, summary=finding.summary,
                                              sinks=self.sinks, now=now, detail=finding.detail)  # fmt: skip
                raised += alert_id is not None
        return raised


def _with_content(data: bytes) -> set[str]:
    """The ids (GUID, else link, as the feed reader gives them) of a feed's entries that carry
    their text (RSS ``content:encoded``, Atom ``content``) rather than only a summary."""
    import feedparser

    return {
        str(entry.get("id") or entry.get("link"))
        for entry in feedparser.parse(data).entries
        if any(c.get("value", "").strip() for c in entry.get("content", []))
    }


def _remember(conn: Connection, source: str, item: str, tag: str | None, story_id: str | None, now: datetime) -> None:
    """Record an item as seen (or update its tag), in the caller's transaction."""
    where = (watch_seen.c.source == source) & (watch_seen.c.item == item[:1000])
    changed = conn.execute(update(watch_seen).where(where).values(tag=tag, story_id=story_id, seen_at=now))
    if changed.rowcount == 0:
        conn.execute(watch_seen.insert(), {"source": source, "item": item[:1000], "tag": tag, "story_id": story_id,
                                           "seen_at": now})  # fmt: skip


def sinks_for(rules: RuleSet, alerts_path: str | None) -> list[Sink]:
    """The sinks of a watch: the JSONL file (``-`` for stdout) and the rules file's webhooks."""
    chosen: list[Sink] = [alerts.WebhookSink(hook) for hook in rules.webhooks]
    if alerts_path:
        chosen.insert(0, alerts.JsonlSink(alerts_path))
    return chosen


def run(
    watcher: Watcher,
    stop: threading.Event,
    *,
    once: bool = False,
    report: Callable[[PollReport], object] = lambda r: None,
) -> int:
    """Poll until ``stop`` is set (or once), every ``watcher.every`` seconds; returns the polls made."""
    while True:
        started = time.monotonic()
        report(watcher.poll())
        if once:
            return watcher.polls
        if stop.wait(max(0.0, watcher.every - (time.monotonic() - started))):
            return watcher.polls


def describe(sources: Iterable[str]) -> str:
    """A short description of the sources, for the first log line."""
    kinds = {"URL": 0, "directory": 0, "file": 0}
    for source in sources:
        kinds["URL" if is_url(source) else "directory" if Path(source).is_dir() else "file"] += 1
    return ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in kinds.items() if n)
