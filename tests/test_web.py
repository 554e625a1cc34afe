"""The dashboard end to end: headless Chromium against a real server over the demo stores (fixtures in conftest).

Each step saves a screenshot in test-artifacts/ (git-ignored) for a look at what the browser saw.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PUTIN = "Putin met Scholz in Moscow on Tuesday."


def snap(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def open_dashboard(page: Any) -> Any:
    """Load the dashboard and wait for its first page of events."""
    page.goto("/")
    page.locator("[data-testid=event-row]").first.wait_for()
    return page


def cells(page: Any, column: int) -> list[str]:
    """The texts of one column (1-based) of the event table."""
    return [text.strip() for text in page.locator(f"#events-body tr td:nth-child({column})").all_inner_texts()]


def test_web_dashboard_loads_without_errors(page: Any, api_server: str) -> None:
    stories = httpx.get(f"{api_server}/api/health").json()["stories"]
    open_dashboard(page)
    page.wait_for_function("document.getElementById('stats').textContent.includes('stories')")
    assert re.search(rf"\b{stories} stories\b", page.locator("#stats").inner_text())
    assert page.locator("[data-testid=event-row]").count() > 0
    assert re.search(r"of \d+", page.locator("#page-info").inner_text())
    snap(page, "1-loaded")
    assert page.errors == []


def test_web_filter_by_actor(page: Any) -> None:
    open_dashboard(page)
    before = page.locator("#page-info").inner_text()
    page.fill("#f-actor", "rus")  # upper-cased by the form
    page.click("#f-apply")
    page.wait_for_function(f"document.getElementById('page-info').textContent !== {before!r}")
    snap(page, "2-filtered-rus")
    actors = cells(page, 3)
    assert actors
    assert all("RUS" in actor for actor in actors), actors
    assert page.locator("#f-actor").input_value() == "RUS"


def test_web_filter_by_type_and_status(page: Any) -> None:
    open_dashboard(page)
    page.select_option("#f-type", "ACCUSE")
    page.select_option("#f-status", "unverified")
    page.click("#f-apply")
    page.wait_for_function("[...document.querySelectorAll('#events-body tr td:nth-child(2)')]"
                           ".every((td) => td.textContent === 'ACCUSE')")  # fmt: skip
    assert set(cells(page, 2)) == {"ACCUSE"}
    assert set(cells(page, 7)) == {"unverified"}


def test_web_open_a_story_shows_its_evidence(page: Any) -> None:
    open_dashboard(page)
    page.fill("#f-actor", "RUS")
    page.fill("#f-recipient", "DEU")
    page.click("#f-apply")
    page.wait_for_function("[...document.querySelectorAll('#events-body tr td:nth-child(4)')]"
                           ".every((td) => td.textContent.includes('DEU'))")  # fmt: skip
    assert page.locator("#story").is_hidden()
    page.locator(".story-link").first.click()
    story = page.locator("#story")
    story.wait_for(state="visible")
    page.locator("#story-text mark.evidence").first.wait_for()
    snap(page, "3-story")
    assert page.locator("#story-events [data-testid=story-event]").count() > 0
    assert page.locator("mark.evidence span.actor").count() > 0
    marked = page.locator("mark.evidence").all()
    assert all(mark.get_attribute("data-event-id") for mark in marked)
    assert any("Putin" in mark.inner_text() for mark in marked)
    page.click("#story-close")
    story.wait_for(state="hidden")


@pytest.mark.parametrize(("token", "expect"), [("test-token", "events"), ("wrong-token", "error")])
def test_web_code_panel(page: Any, token: str, expect: str) -> None:
    open_dashboard(page)
    page.fill("#code-text", PUTIN)
    page.fill("#code-date", "2022-02-17")
    page.fill("#code-token", token)
    page.click("#code-run")
    result = page.locator("#code-result")
    if expect == "events":
        page.locator("#code-result [data-testid=code-event]").first.wait_for()
        snap(page, "4-code-ok")
        row = page.locator("#code-result [data-testid=code-event]").first.inner_text()
        assert "CONSULT" in row
        assert "RUS" in row
        assert "DEU" in row
    else:
        result.locator(".error").wait_for()
        snap(page, "5-code-wrong-token")
        assert "401" in result.inner_text()
        assert result.locator("[data-testid=code-event]").count() == 0


def test_web_charts_are_drawn(page: Any) -> None:
    open_dashboard(page)
    page.locator("#network svg [data-testid=network-node]").first.wait_for()
    page.select_option("#dyad-select", "RUS|DEU")
    page.locator("#timeline svg [data-testid=timeline-bar]").first.wait_for()
    page.locator("#quads svg [data-testid=quad-bar]").first.wait_for()
    snap(page, "6-charts")
    assert page.locator("#network svg [data-testid=network-edge]").count() > 0
    assert "RUS → DEU" in page.locator("#timeline-caption").inner_text()


def test_web_network_node_filters_the_table(page: Any) -> None:
    open_dashboard(page)
    page.locator("#network [data-testid=network-node][data-node-id=RUS]").click()
    page.wait_for_function("document.getElementById('f-actor').value === 'RUS'")
    page.wait_for_function("[...document.querySelectorAll('#events-body tr td:nth-child(3)')]"
                           ".every((td) => td.textContent.includes('RUS'))")  # fmt: skip
    assert all("RUS" in actor for actor in cells(page, 3))


def test_web_pager_moves_through_the_events(page: Any) -> None:
    open_dashboard(page)
    first = page.locator("#page-info").inner_text()
    assert page.locator("#prev").is_disabled()
    if int(first.rsplit(" ", 1)[1].replace(",", "")) <= 50:
        pytest.skip(f"one page of events only ({first})")
    page.click("#next")
    page.wait_for_function(f"document.getElementById('page-info').textContent !== {first!r}")
    assert page.locator("#page-info").inner_text().startswith("51")
    assert page.locator("#prev").is_enabled()
