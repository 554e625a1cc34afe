"""`tocsin watch` against a feed server on loopback whose feeds and pages change between polls."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tocsin import alerts, pipeline, store
from tocsin.alerts import JsonlSink
from tocsin.rules import load_rules
from tocsin.settings import Settings
from tocsin.watch import Watcher, backoff

from .conftest import FeedServer, rss

ASSAULT = "Russian troops attacked Ukrainian forces near Kharkiv on Monday, officials in Kyiv said."
ASSAULT_2 = "Russian forces shelled the Ukrainian city of Sumy on Sunday, the regional governor said."
SANCTION = "The United States imposed sanctions on Iran on Monday over its ballistic missile programme."
MEETING = "Russian President Vladimir Putin met Chinese President Xi Jinping in Moscow on Tuesday."
RULES = """\
rules:
  - name: russian-force
    when: {actor: RUS, type: [ASSAULT, THREATEN, MOBILIZE]}
    severity: high
"""
PAGE = """<html><head><title>Talks in Moscow</title></head><body><nav>Home | World | Sport</nav>
<article><h1>Talks in Moscow</h1><p>{text}</p><p>The two leaders discussed trade and energy for several hours,
according to a statement released after the meeting.</p></article><footer>All rights reserved.</footer></body></html>"""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def alert_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return path


def make_watcher(
    sources: list[str], tmp_path: Path, rules: Path, clock: Clock | None = None, db: str | None = None
) -> Watcher:
    sink = JsonlSink(str(tmp_path / "alerts.jsonl"))
    settings = Settings(db=db or str(tmp_path / "watch.db"))
    return Watcher(sources, settings, load_rules(rules), [sink], every=10, clock=clock or Clock(), timeout=5)


def test_watch_new_items_alert_exactly_once(feed_server: FeedServer, tmp_path: Path, rules_file: Path) -> None:
    url = feed_server.set("/feed.xml", rss({"guid": "a-1", "content": ASSAULT}))
    watcher = make_watcher([url], tmp_path, rules_file)
    try:
        first = watcher.poll()
        assert (first.stories, first.alerts, first.delivered) == (1, 1, 1), first.line()
        feed_server.set("/feed.xml", rss({"guid": "a-1", "content": ASSAULT}, {"guid": "s-1", "content": SANCTION}))
        second = watcher.poll()
        assert (second.stories, second.alerts) == (1, 0), second.line()
        feed_server.set(
            "/feed.xml",
            rss({"guid": "a-1", "content": ASSAULT}, {"guid": "s-1", "content": SANCTION},
                {"guid": "a-2", "content": ASSAULT_2}),
        )  # fmt: skip
        third = watcher.poll()
        assert (third.stories, third.alerts) == (1, 1), third.line()
        assert watcher.poll().alerts == 0
    finally:
        watcher.close()
    sent = alert_lines(tmp_path / "alerts.jsonl")
    assert [a["rule"] for a in sent] == ["russian-force", "russian-force"]
    assert len({a["id"] for a in sent}) == 2
    alert = sent[0]
    assert alert["severity"] == "high" and alert["raised_at"].endswith("Z")
    assert alert["sources"] == [url]
    (event,) = alert["events"]
    assert event["event_type"] == "ASSAULT" and event["actor"]["country"] == "RUS"
    assert event["sentence"] == ASSAULT
    assert event["asserted_by"]["name"] == "officials"
    assert alert["stories"][0]["id"] == event["story_id"] == "a-1"


def test_watch_unchanged_feed_costs_one_conditional_request_and_codes_nothing(
    feed_server: FeedServer, tmp_path: Path, rules_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = feed_server.set("/feed.xml", rss({"guid": "a-1", "content": ASSAULT}))
    watcher = make_watcher([url], tmp_path, rules_file)
    coded: list[int] = []
    real = pipeline.code_batch
    monkeypatch.setattr(
        pipeline, "code_batch", lambda batch, settings: coded.append(len(batch)) or real(batch, settings)
    )
    try:
        watcher.poll()
        assert coded == [1]
        report = watcher.poll()
    finally:
        watcher.close()
    assert feed_server.hits("/feed.xml") == [200, 304]
    conditional = feed_server.requests[-1][2]
    assert conditional.get("if-none-match") and conditional.get("if-modified-since")
    assert (report.requests, report.unchanged, report.stories, report.events) == (1, 1, 0, 0)
    assert coded == [1]


def test_watch_summary_only_item_is_fetched_and_coded(
    feed_server: FeedServer, tmp_path: Path, rules_file: Path
) -> None:
    page = feed_server.set("/world/talks.html", PAGE.format(text=MEETING), "text/html; charset=utf-8")
    url = feed_server.set("/feed.xml", rss({"guid": "m-1", "link": page, "summary": "Leaders meet."}))
    full = feed_server.set("/full.xml", rss({"guid": "f-1", "link": feed_server.url + "/never.html",
                                               "summary": "x", "content": SANCTION}))  # fmt: skip
    watcher = make_watcher([url, full], tmp_path, rules_file)
    try:
        report = watcher.poll()
    finally:
        watcher.close()
    assert report.stories == 2, report.line()
    assert feed_server.hits("/world/talks.html") == [200]
    assert feed_server.hits("/never.html") == []  # an entry with its content is coded as it is
    with store.opened(str(tmp_path / "watch.db")) as engine:
        story = store.read_story(engine, "m-1")
        found = list(store.read_events(engine, store.Filters(story="m-1")))
    assert story is not None and MEETING in story["text"]
    assert story["url"] == page and story["publisher"] == "Loopback Wire"
    assert ("CONSULT", "RUS") in [(e["event_type"], e["actor"]["country"]) for e in found]


def test_watch_failing_source_backs_off_while_others_go_on(
    feed_server: FeedServer, tmp_path: Path, rules_file: Path
) -> None:
    good = feed_server.set("/good.xml", rss({"guid": "s-1", "content": SANCTION}))
    bad = feed_server.url + "/bad.xml"
    feed_server.fail["/bad.xml"] = 500
    clock = Clock()
    watcher = make_watcher([bad, good], tmp_path, rules_file, clock)
    try:
        first = watcher.poll()
        assert first.stories == 1 and len(first.failures) == 1 and "HTTP 500" in first.failures[0]
        assert "next try in 20 s" in first.failures[0]
        clock.now += 10
        feed_server.set("/good.xml", rss({"guid": "s-1", "content": SANCTION}, {"guid": "a-1", "content": ASSAULT}))
        second = watcher.poll()
        assert (second.backing_off, second.polled, second.stories) == (1, 1, 1), second.line()
        assert feed_server.hits("/bad.xml") == [500]
        clock.now += 15
        third = watcher.poll()
        assert feed_server.hits("/bad.xml") == [500, 500]
        assert "failure 2 in a row; next try in 40 s" in third.failures[0]
        for _ in range(2):
            clock.now += 100
            watcher.poll()
        health = alerts.health(watcher.engine)["watch"]
        assert health["failing"] == [bad]
        row = next(s for s in health["sources"] if s["source"] == bad)
        assert row["failures"] == 4 and "HTTP 500" in row["last_error"]
        del feed_server.fail["/bad.xml"]
        feed_server.set("/bad.xml", rss({"guid": "m-1", "content": MEETING}))
        clock.now += 1000
        recovered = watcher.poll()
        assert recovered.failures == [] and recovered.stories == 1
        assert alerts.health(watcher.engine)["watch"]["failing"] == []
    finally:
        watcher.close()


CLAIM = "Russia's defence ministry said on Tuesday that some units were returning to their bases after exercises."
DENIAL = (
    "NATO Secretary General Jens Stoltenberg said on Wednesday "
    "the alliance had not seen any withdrawal of Russian forces."
)
SHELLING = "Russian artillery pounded the Ukrainian city of Sumy on Sunday, local officials said."
AGGREGATES = """\
rules:
  - name: new-dispute
    when: {dispute: true, actor: RUS}
    severity: high
  - name: corroborated
    when: {corroborated: 2, type: ASSAULT}
"""
WEDNESDAY = "Wed, 06 Mar 2024 10:00:00 GMT"


def test_watch_aggregate_rules_raise_disputes_and_corroboration_once(
    feed_server: FeedServer, tmp_path: Path, db_url: str
) -> None:
    pytest.importorskip("pandas")
    rules = tmp_path / "aggregates.yaml"
    rules.write_text(AGGREGATES)
    alpha = feed_server.set("/alpha.xml", rss({"guid": "c", "content": CLAIM}, {"guid": "x", "content": ASSAULT_2},
                                              title="Alpha Wire"))  # fmt: skip
    beta = feed_server.set("/beta.xml", rss({"guid": "s", "content": SANCTION}, title="Beta Times"))
    watcher = make_watcher([alpha, beta], tmp_path, rules, db=db_url)
    try:
        assert watcher.poll().alerts == 0
        feed_server.set(
            "/alpha.xml",
            rss(
                {"guid": "c", "content": CLAIM},
                {"guid": "x", "content": ASSAULT_2},
                {"guid": "d", "content": DENIAL, "date": WEDNESDAY},
                title="Alpha Wire",
            ),
        )
        feed_server.set("/beta.xml", rss({"guid": "s", "content": SANCTION}, {"guid": "y", "content": SHELLING},
                                         title="Beta Times"))  # fmt: skip
        second = watcher.poll()
        assert (second.stories, second.alerts) == (2, 2), second.line()
        assert watcher.poll().alerts == 0
    finally:
        watcher.close()
    sent = {a["kind"]: a for a in alert_lines(tmp_path / "alerts.jsonl")}
    assert set(sent) == {"dispute", "corroborated"}
    dispute = sent["dispute"]
    assert dispute["rule"] == "new-dispute" and "denied by NATO" in dispute["summary"]
    assert [e["sentence"] for e in dispute["events"]] == [CLAIM, DENIAL]
    assert [e["asserted_by"]["country"] for e in dispute["events"]] == ["RUS", "NATO"]
    corroborated = sent["corroborated"]
    assert corroborated["detail"]["num_sources"] == 2
    assert {e["story_id"] for e in corroborated["events"]} == {"x", "y"}
    assert sorted(corroborated["sources"]) == sorted([alpha, beta])


def test_watch_cli_refuses_a_bad_rules_file_and_interval(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tocsin.cli import cli

    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - name: a\n    when: {type: ASSUALT}\n")
    result = CliRunner().invoke(cli, ["watch", str(tmp_path), "--rules", str(bad), "--once"])
    assert result.exit_code == 1 and f"{bad}:3: rule a: field 'when.type'" in result.output
    result = CliRunner().invoke(cli, ["watch", str(tmp_path), "--every", "soon"])
    assert result.exit_code == 2 and "not a duration" in result.output


def test_watch_cli_once_polls_and_writes_alerts(tmp_path: Path, rules_file: Path) -> None:
    from click.testing import CliRunner

    from tocsin.cli import cli

    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "one.txt").write_text(ASSAULT)
    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(cli, ["watch", str(folder), "--db", db, "--rules", str(rules_file), "--once"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert [json.loads(line)["rule"] for line in lines] == ["russian-force"]  # alerts on stdout by default
    assert "poll 1: 1 sources (1 polled" in result.output and "1 new story" in result.output


@pytest.mark.parametrize(("failures", "expected"), [(1, 20.0), (2, 40.0), (3, 80.0), (20, 3600.0)])
def test_watch_backoff_doubles_up_to_an_hour(failures: int, expected: float) -> None:
    assert backoff(failures, 10.0) == expected


def test_watch_directory_codes_new_files_only(tmp_path: Path, rules_file: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "one.txt").write_text(SANCTION)
    watcher = make_watcher([str(folder)], tmp_path, rules_file)
    try:
        assert watcher.poll().stories == 1
        assert watcher.poll().unchanged == 1
        (folder / "two.txt").write_text(ASSAULT)
        (folder / ".hidden.txt").write_text(MEETING)
        report = watcher.poll()
        assert (report.stories, report.alerts) == (1, 1), report.line()
        missing = make_watcher([str(tmp_path / "nowhere")], tmp_path, rules_file)
        try:
            assert "no such file or directory" in missing.poll().failures[0]
        finally:
            missing.close()
    finally:
        watcher.close()


def _wait_for(predicate: Any, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_watch_kill9_between_polls_then_restart_loses_and_repeats_nothing(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """A webhook that is down keeps an alert pending; kill -9; the restarted watch delivers it once,
    writes no JSONL line twice, and raises the alert of an item that arrived meanwhile."""
    hook = feed_server.url + "/hook"
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES + f"webhooks:\n  - url: {hook}\n    retries: 0\n    timeout: 2s\n")
    url = feed_server.set("/feed.xml", rss({"guid": "a-1", "content": ASSAULT}))
    out, db = tmp_path / "alerts.jsonl", tmp_path / "watch.db"
    argv = [sys.executable, "-m", "tocsin", "watch", url, "--db", str(db), "--rules", str(rules), "--alerts", str(out)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    log = tmp_path / "watch.log"
    with log.open("w") as err:
        first = subprocess.Popen([*argv, "--every", "60s"], stderr=err, stdout=subprocess.DEVNULL, env=env)
        try:
            _wait_for(lambda: "poll 1:" in log.read_text(), "the first poll")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
    assert len(alert_lines(out)) == 1
    assert [status for _, status, _ in feed_server.posts] == [404]  # the receiver is down: delivery pending
    feed_server.set("/hook", b"", "text/plain")  # the receiver is back
    feed_server.set("/feed.xml", rss({"guid": "a-1", "content": ASSAULT}, {"guid": "a-2", "content": ASSAULT_2}))
    with log.open("w") as err:
        second = subprocess.Popen([*argv, "--every", "60s"], stderr=err, stdout=subprocess.DEVNULL, env=env)
        try:
            _wait_for(lambda: "poll 1:" in log.read_text(), "the poll after the restart")
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0, log.read_text()
        finally:
            if second.poll() is None:
                second.kill()
    assert "SIGTERM" in log.read_text()
    sent = alert_lines(out)
    assert [a["events"][0]["story_id"] for a in sent] == ["a-1", "a-2"]
    delivered = [json.loads(body) for _, status, body in feed_server.posts if status == 200]
    assert [a["id"] for a in delivered] == [a["id"] for a in sent]
    with store.opened(str(db)) as engine:
        assert alerts.health(engine)["alerts"]["pending_deliveries"] == 0
        assert alerts.health(engine)["alerts"]["total"] == 2
