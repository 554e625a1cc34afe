"""Alerts of ``tocsin watch``: recorded as pending in the store, delivered to sinks, then marked.

An alert is written by :func:`raise_alert` inside the caller's transaction — the same
one that stores the events behind it — with one pending delivery per sink. The
watcher then calls :func:`deliver`, which sends every pending delivery and marks it
delivered. A watch killed at any point therefore loses no alert (a pending one is
sent on restart) and sends none twice (a delivered one is marked, and an alert's
``key`` is unique, so the same finding is never raised again).

Sinks: :class:`JsonlSink` (a file, or stdout for ``-``) and :class:`WebhookSink`
(HTTP POST of the alert JSON with a timeout and retries). :func:`recent` and
:func:`health` serve the API and the dashboard.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from .migrations import events, stories, watch_alerts, watch_deliveries, watch_seen, watch_sources
from .rules import SEVERITIES, Rule, Webhook

log = logging.getLogger(__name__)

#: Events listed in one alert at most (the count says how many there were).
MAX_EVENTS = 50
#: A source failing this many polls in a row is reported as failing by /api/health.
FAILING_AFTER = 3


def utcnow() -> datetime:
    """Now, in UTC without a time zone (how the store keeps times on every backend)."""
    return datetime.now(UTC).replace(tzinfo=None)


class DeliveryError(Exception):
    """A sink could not take an alert; the delivery stays pending and is tried again."""


class Sink(Protocol):
    """Where alerts go: ``name`` identifies it in the store; ``severity`` is the lowest it takes."""

    @property
    def name(self) -> str:
        """The sink's name in the store."""

    @property
    def severity(self) -> str:
        """The lowest severity it takes."""

    def send(self, alert: dict[str, Any]) -> None:
        """Deliver one alert, or raise :class:`DeliveryError`."""


@dataclass
class JsonlSink:
    """Appends each alert as one JSON line to a file, or to stdout for ``-``."""

    path: str = "-"
    lowest: str = "low"

    @property
    def severity(self) -> str:
        return self.lowest

    @property
    def name(self) -> str:
        return "stdout" if self.path == "-" else os.path.abspath(self.path)

    def send(self, alert: dict[str, Any]) -> None:
        line = json.dumps(alert, ensure_ascii=False) + "\n"
        try:
            if self.path == "-":
                sys.stdout.write(line)
                sys.stdout.flush()
                return
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())  # on disk before the delivery is marked done
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


@dataclass
class WebhookSink:
    """POSTs each alert as JSON to a URL: ``retries`` more tries after the first, with a pause
    that doubles (0.5 s, 1 s, 2 s...), each try ending after ``timeout`` seconds. Any 2xx is success."""

    hook: Webhook
    pause: float = 0.5

    @property
    def name(self) -> str:
        return self.hook.url

    @property
    def severity(self) -> str:
        return self.hook.severity

    def send(self, alert: dict[str, Any]) -> None:
        body = json.dumps(alert, ensure_ascii=False).encode("utf-8")
        error = ""
        for attempt in range(self.hook.retries + 1):
            if attempt:
                time.sleep(min(self.pause * 2 ** (attempt - 1), 30.0))
            request = urllib.request.Request(
                self.hook.url, data=body, method="POST",
                headers={"Content-Type": "application/json", "User-Agent": "tocsin-watch",
                         "X-Tocsin-Alert": str(alert.get("id", ""))},
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=self.hook.timeout) as response:
                    response.read()
                    return
            except urllib.error.HTTPError as exc:
                error = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                error = str(getattr(exc, "reason", exc))
            log.info("webhook %s: try %d failed (%s)", self.hook.url, attempt + 1, error)
        raise DeliveryError(f"{self.hook.url}: {error} after {self.hook.retries + 1} tries")


def takes(sink: Sink, severity: str) -> bool:
    """Whether a sink takes alerts of this severity."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(sink.severity)


# --- raising ----------------------------------------------------------------------------------


def in_cooldown(conn: Connection, rule: Rule, now: datetime) -> bool:
    """Whether the rule raised an alert that was sent less than its cool-down ago."""
    if rule.cooldown <= 0:
        return False
    last = conn.execute(
        select(func.max(watch_alerts.c.raised_at)).where(watch_alerts.c.rule == rule.name, ~watch_alerts.c.suppressed)
    ).scalar()
    return last is not None and now - last < timedelta(seconds=rule.cooldown)


def known(conn: Connection, keys: Iterable[str]) -> set[str]:
    """Which of these alert keys are already raised."""
    wanted = list(keys)
    if not wanted:
        return set()
    return set(conn.execute(select(watch_alerts.c.key).where(watch_alerts.c.key.in_(wanted))).scalars())


def raise_alert(
    conn: Connection,
    rule: Rule,
    *,
    key: str,
    kind: str,
    event_ids: Sequence[str],
    summary: str,
    sinks: Sequence[Sink],
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> int | None:
    """Record an alert (pending for each sink that takes its severity) in the caller's transaction.

    Returns its id, or None when this key was raised before. Inside the rule's
    cool-down the alert is kept as ``suppressed`` and sent nowhere.
    """
    if known(conn, [key]):
        return None
    suppressed = in_cooldown(conn, rule, now)
    alert = {
        "rule": rule.name, "severity": rule.severity, "kind": kind, "summary": summary,
        "raised_at": now.isoformat(timespec="seconds") + "Z", **_evidence(conn, event_ids),
        "detail": detail or {},
    }  # fmt: skip
    inserted = conn.execute(
        watch_alerts.insert(),
        {"key": key[:400], "rule": rule.name, "severity": rule.severity, "raised_at": now, "suppressed": suppressed,
         "alert": json.dumps(alert, ensure_ascii=False)},
    )  # fmt: skip
    primary = inserted.inserted_primary_key
    assert primary is not None  # an insert into a table with an integer primary key
    alert_id = int(primary[0])
    chosen = [] if suppressed else [s for s in sinks if takes(s, rule.severity)]
    if chosen:
        conn.execute(watch_deliveries.insert(), [{"alert_id": alert_id, "sink": s.name, "attempts": 0} for s in chosen])
    if suppressed:
        log.info("rule %s: alert %d kept but not sent (cool-down %gs)", rule.name, alert_id, rule.cooldown)
    return alert_id


def _evidence(conn: Connection, event_ids: Sequence[str]) -> dict[str, Any]:
    """The events behind an alert (ids, sentences, asserters), their stories and sources."""
    ids = list(dict.fromkeys(event_ids))
    rows: list[Any] = []
    for start in range(0, min(len(ids), MAX_EVENTS), 500):
        chunk = ids[start : min(start + 500, MAX_EVENTS)]
        rows += conn.execute(
            select(events.c.id, events.c.record, stories.c.id.label("story"), stories.c.title, stories.c.url,
                   stories.c.publisher, stories.c.source)
            .select_from(events.join(stories, stories.c.id == events.c.story_id))
            .where(events.c.id.in_(chunk))
        ).all()  # fmt: skip
    order = {event_id: i for i, event_id in enumerate(ids)}
    rows.sort(key=lambda r: order[r.id])
    listed, story_rows = [], {}
    for row in rows:
        record = json.loads(row.record)
        listed.append({
            "id": row.id, "story_id": row.story, "event_type": record.get("event_type"), "mode": record.get("mode"),
            "actor": _who(record.get("actor")), "recipient": _who(record.get("recipient")),
            "asserted_by": _who(record.get("asserted_by")), "polarity": record.get("polarity"),
            "modality": record.get("modality"), "date": record.get("date"), "sentence": record.get("sentence"),
            "trigger": record.get("trigger"),
        })  # fmt: skip
        story_rows[row.story] = row
    watched = dict(
        conn.execute(
            select(watch_seen.c.story_id, watch_seen.c.source).where(watch_seen.c.story_id.in_(list(story_rows)))
        ).all()
    ) if story_rows else {}  # fmt: skip
    stories_out = [{"id": sid, "title": r.title, "url": r.url, "publisher": r.publisher,
                    "source": watched.get(sid) or r.source} for sid, r in story_rows.items()]  # fmt: skip
    sources = sorted({s["source"] for s in stories_out if s["source"]})
    return {"events": listed, "num_events": len(ids), "stories": stories_out, "sources": sources}


def _who(actor: dict[str, Any] | None) -> dict[str, Any] | None:
    if not actor:
        return None
    return {
        "name": actor.get("name") or actor.get("text"),
        "country": actor.get("country"),
        "kb_id": actor.get("kb_id"),
    }


# --- delivering -------------------------------------------------------------------------------


def deliver(engine: Engine, sinks: Sequence[Sink], now: datetime | None = None) -> tuple[int, list[str]]:
    """Send every pending delivery to these sinks, oldest first, marking each one delivered.

    A sink that fails is left for the next call (its later alerts wait, so they
    arrive in order). Returns the number delivered and the failures, one line each.
    """
    sent, failed = 0, []
    for sink in sinks:
        pending = (
            select(watch_alerts.c.id, watch_alerts.c.alert)
            .select_from(watch_deliveries.join(watch_alerts, watch_alerts.c.id == watch_deliveries.c.alert_id))
            .where(watch_deliveries.c.sink == sink.name, watch_deliveries.c.delivered_at.is_(None))
        )
        with engine.connect() as conn:
            rows = conn.execute(pending.order_by(watch_alerts.c.id)).all()
        for alert_id, body in rows:
            alert = {"id": alert_id, **json.loads(body)}
            where = (watch_deliveries.c.alert_id == alert_id) & (watch_deliveries.c.sink == sink.name)
            try:
                sink.send(alert)
            except DeliveryError as exc:
                with engine.begin() as conn:
                    conn.execute(update(watch_deliveries).where(where).values(
                        attempts=watch_deliveries.c.attempts + 1, last_error=str(exc)[:2000]))  # fmt: skip
                failed.append(f"alert {alert_id} to {sink.name}: {exc}")
                break
            with engine.begin() as conn:
                done = {
                    "attempts": watch_deliveries.c.attempts + 1,
                    "delivered_at": now or utcnow(),
                    "last_error": None,
                }
                conn.execute(update(watch_deliveries).where(where).values(**done))
            sent += 1
    return sent, failed


# --- reading ----------------------------------------------------------------------------------


def recent(engine: Engine, *, after: int = 0, limit: int = 50, oldest_first: bool = False) -> list[dict[str, Any]]:
    """Alerts that were raised to be sent (not those kept during a cool-down), with ids above ``after``;
    the newest first unless ``oldest_first``."""
    order = watch_alerts.c.id if oldest_first else watch_alerts.c.id.desc()
    query = (
        select(watch_alerts.c.id, watch_alerts.c.alert)
        .where(watch_alerts.c.id > after, ~watch_alerts.c.suppressed)
        .order_by(order)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [{"id": alert_id, **json.loads(body)} for alert_id, body in conn.execute(query)]


def last_id(engine: Engine) -> int:
    """The id of the latest alert (0 when there is none)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(watch_alerts.c.id), 0))).scalar_one())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def health(engine: Engine) -> dict[str, Any]:
    """For ``/api/health``: alert counts, and the last poll of every watched source with the
    ones that keep failing (:data:`FAILING_AFTER` polls in a row or more)."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(watch_alerts).where(~watch_alerts.c.suppressed))
        pending = conn.execute(
            select(func.count()).select_from(watch_deliveries).where(watch_deliveries.c.delivered_at.is_(None))
        )
        latest = conn.execute(select(func.max(watch_alerts.c.raised_at)))
        counts = {"total": int(total.scalar_one()), "pending_deliveries": int(pending.scalar_one()),
                  "last_raised_at": _iso(latest.scalar())}  # fmt: skip
        rows = conn.execute(select(watch_sources).order_by(watch_sources.c.source)).all()
    sources = [
        {"source": r.source, "last_poll": _iso(r.last_poll), "last_ok": _iso(r.last_ok), "failures": r.failures,
         "next_try": _iso(r.next_try), "last_error": r.last_error, "stories": r.stories}
        for r in rows
    ]  # fmt: skip
    return {
        "alerts": counts,
        "watch": {"sources": sources, "failing": [s["source"] for s in sources if s["failures"] >= FAILING_AFTER]},
    }
