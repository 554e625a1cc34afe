"""The dashboard's Alerts panel in headless Chromium: an alert raised by `tocsin watch` appears live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tocsin.alerts import JsonlSink
from tocsin.rules import load_rules
from tocsin.settings import Settings
from tocsin.watch import Watcher

from .conftest import FeedServer, rss

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ASSAULT = "Russian troops attacked Ukrainian forces near Kharkiv on Monday, officials in Kyiv said."
SANCTION = "The United States imposed sanctions on Iran on Monday over its ballistic missile programme."


def test_web_alert_appears_without_reload(
    browser: Any, feed_server: FeedServer, tmp_path: Path, make_app: Any, serve: Any
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: russian-force\n    when: {actor: RUS, type: ASSAULT}\n    severity: high\n")
    db = str(tmp_path / "watch.db")
    url = feed_server.set("/feed.xml", rss({"guid": "s-1", "content": SANCTION}))
    sink = JsonlSink(str(tmp_path / "alerts.jsonl"))
    watcher = Watcher([url], Settings(db=db), load_rules(rules), [sink], every=10, timeout=5)
    try:
        assert watcher.poll().alerts == 0
        with serve(make_app(Settings(db=db))) as base:
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000})
            context.set_default_timeout(15_000)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            try:
                page.goto("/")
                page.wait_for_function("() => document.getElementById('alerts-live').textContent === 'live'")
                assert page.locator("[data-testid=alert]").count() == 0
                assert "No alerts yet" in page.locator("#alerts-msg").inner_text()
                loads = []
                page.on("load", lambda _page: loads.append(1))
                feed_server.set(
                    "/feed.xml", rss({"guid": "s-1", "content": SANCTION}, {"guid": "a-1", "content": ASSAULT})
                )
                assert watcher.poll().alerts == 1
                alert = page.locator("[data-testid=alert]")
                alert.first.wait_for()
                assert loads == []  # no reload: it came over the event stream
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "web-alerts-live.png"), full_page=False)
                text = alert.first.inner_text()
                assert "russian-force" in text and "high" in text and ASSAULT in text
                assert f"Sources: {url}" in text and "per officials" in text
                alert.first.locator("a.alert-story").click()
                page.wait_for_function("() => !document.getElementById('story').hidden")
                page.locator("#story-text mark").first.wait_for()
                assert "Kharkiv" in page.locator("#story-text").inner_text()
                assert errors == []
            finally:
                context.close()
    finally:
        watcher.close()
