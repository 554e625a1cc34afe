"""Alerts: pending in the store, delivered to JSONL and webhooks (a loopback receiver that fails, then
recovers), cool-downs, and the API's alert list, stream and health."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tocsin import alerts, store
from tocsin.alerts import JsonlSink, WebhookSink
from tocsin.migrations import watch_sources
from tocsin.rules import Rule, Webhook
from tocsin.settings import Settings

from .conftest import FeedServer

NOON = datetime(2026, 3, 5, 12, 0, 0)


def raise_some(db: str, sinks: list[Any], rule: Rule, count: int = 1, start: datetime = NOON) -> list[int | None]:
    """Raise ``count`` alerts of a rule, one minute apart, as the watcher does (in a transaction)."""
    ids = []
    with store.opened(db) as engine:
        for i in range(count):
            with engine.begin() as conn:
                ids.append(alerts.raise_alert(conn, rule, key=f"{rule.name}|{i}", kind="event", event_ids=[],
                                              summary=f"alert {i}", sinks=sinks,
                                              now=start + timedelta(minutes=i)))  # fmt: skip
    return ids


def test_alerts_webhook_retries_then_delivers_once(feed_server: FeedServer, tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    feed_server.set("/hook", b"", "text/plain")
    feed_server.script["/hook"] = [500, 503]  # the receiver fails twice, then recovers
    hook = WebhookSink(Webhook(url=feed_server.url + "/hook", timeout=2, retries=3), pause=0.01)
    raise_some(db, [hook], Rule(name="r", severity="high"))
    with store.opened(db) as engine:
        assert alerts.deliver(engine, [hook]) == (1, [])
        assert [status for _, status, _ in feed_server.posts] == [500, 503, 200]
        body = json.loads(feed_server.posts[-1][2])
        assert (body["id"], body["rule"], body["severity"], body["summary"]) == (1, "r", "high", "alert 0")
        assert alerts.deliver(engine, [hook]) == (0, [])  # delivered: never sent again
    assert len(feed_server.posts) == 3


def test_alerts_webhook_down_stays_pending_until_it_recovers(feed_server: FeedServer, tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    hook = WebhookSink(Webhook(url=feed_server.url + "/hook", timeout=2, retries=1), pause=0.01)
    jsonl = JsonlSink(str(tmp_path / "alerts.jsonl"))
    raise_some(db, [jsonl, hook], Rule(name="r", severity="medium"), count=2)
    feed_server.fail["/hook"] = 502
    with store.opened(db) as engine:
        sent, failed = alerts.deliver(engine, [jsonl, hook])
        assert sent == 2 and len(failed) == 1 and "HTTP 502 after 2 tries" in failed[0]
        assert [s for _, s, _ in feed_server.posts] == [502, 502]  # the second alert waits behind the first
        assert alerts.health(engine)["alerts"]["pending_deliveries"] == 2
        del feed_server.fail["/hook"]
        feed_server.set("/hook", b"", "text/plain")
        assert alerts.deliver(engine, [jsonl, hook]) == (2, [])
        assert alerts.health(engine)["alerts"]["pending_deliveries"] == 0
    delivered = [json.loads(body)["summary"] for _, status, body in feed_server.posts if status == 200]
    assert delivered == ["alert 0", "alert 1"]
    lines = [json.loads(line)["summary"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert lines == ["alert 0", "alert 1"]


def test_alerts_webhook_timeout_is_a_failure(tmp_path: Path) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        hook = WebhookSink(Webhook(url=url, timeout=0.3, retries=0))
        started = time.monotonic()
        with pytest.raises(alerts.DeliveryError, match="timed out"):
            hook.send({"id": 1})
        assert time.monotonic() - started < 3
    finally:
        listener.close()


def test_alerts_webhook_severity_filter(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    hook = WebhookSink(Webhook(url="http://127.0.0.1:9/hook", severity="high"))
    jsonl = JsonlSink(str(tmp_path / "alerts.jsonl"))
    raise_some(db, [jsonl, hook], Rule(name="low-one", severity="low"))
    with store.opened(db) as engine:
        assert alerts.deliver(engine, [jsonl, hook]) == (1, [])  # the webhook never had it


def test_alerts_cooldown_keeps_but_does_not_send(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    jsonl = JsonlSink(str(tmp_path / "alerts.jsonl"))
    rule = Rule(name="cool", cooldown=3600)
    raise_some(db, [jsonl], rule, count=3)  # 12:00, 12:01, 12:02
    later = raise_some(db, [jsonl], Rule(name="cool", cooldown=3600), count=1, start=NOON + timedelta(hours=2))
    assert later == [None]  # the same key: never raised twice
    with store.opened(db) as engine:
        with engine.begin() as conn:
            alerts.raise_alert(conn, rule, key="cool|late", kind="event", event_ids=[], summary="late", sinks=[jsonl],
                               now=NOON + timedelta(hours=2))  # fmt: skip
        assert alerts.deliver(engine, [jsonl]) == (2, [])
        assert [a["summary"] for a in alerts.recent(engine)] == ["late", "alert 0"]


def test_alerts_api_lists_streams_and_reports_health(
    tmp_path: Path, make_app: Any, serve: Any, feed_server: FeedServer
) -> None:
    db = str(tmp_path / "api.db")
    jsonl = JsonlSink(str(tmp_path / "alerts.jsonl"))
    raise_some(db, [jsonl], Rule(name="first", severity="low"))
    with store.opened(db) as engine, engine.begin() as conn:
        conn.execute(watch_sources.insert(), [
            {"source": feed_server.url + "/bad.xml", "failures": 4, "stories": 0, "last_error": "HTTP 500",
             "last_poll": NOON},
            {"source": feed_server.url + "/ok.xml", "failures": 0, "stories": 3, "last_poll": NOON, "last_error": None},
        ])  # fmt: skip
    with serve(make_app(Settings(db=db))) as base:
        health = httpx.get(f"{base}/api/health").json()
        assert health["alerts"]["total"] == 1 and health["alerts"]["pending_deliveries"] == 1
        assert health["watch"]["failing"] == [feed_server.url + "/bad.xml"]
        assert {s["source"]: s["stories"] for s in health["watch"]["sources"]}[feed_server.url + "/ok.xml"] == 3
        listed = httpx.get(f"{base}/api/alerts").json()["items"]
        assert [a["rule"] for a in listed] == ["first"]
        received: list[dict[str, Any]] = []
        with httpx.stream("GET", f"{base}/api/alerts/stream", timeout=10) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            assert next(lines).startswith("retry:")
            threading.Timer(0.3, raise_some, args=(db, [jsonl], Rule(name="second", severity="critical"))).start()
            event = ""
            for line in lines:
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                if line.startswith("data:") and event == "alert":
                    received.append(json.loads(line[5:]))
                    break
        assert [a["rule"] for a in received] == ["second"]  # new alerts only, without asking again
        resumed = httpx.get(f"{base}/api/alerts", params={"after": 1}).json()["items"]
        assert [a["id"] for a in resumed] == [2]
