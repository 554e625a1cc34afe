"""The dashboard end to end: headless Chromium against a real server over the demo stores (fixtures in conftest).

Waits are JavaScript functions, never strings to evaluate: the server's Content-Security-Policy forbids eval.

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
    page.wait_for_function("() => document.getElementById('stats').textContent.includes('stories')")
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
    page.wait_for_function(f"() => document.getElementById('page-info').textContent !== {before!r}")
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
    page.wait_for_function("() => [...document.querySelectorAll('#events-body tr td:nth-child(2)')]"
                           ".every((td) => td.textContent === 'ACCUSE')")  # fmt: skip
    assert set(cells(page, 2)) == {"ACCUSE"}
    assert set(cells(page, 7)) == {"unverified"}


def test_web_open_a_story_shows_its_evidence(page: Any) -> None:
    open_dashboard(page)
    page.fill("#f-actor", "RUS")
    page.fill("#f-recipient", "DEU")
    page.click("#f-apply")
    page.wait_for_function("() => [...document.querySelectorAll('#events-body tr td:nth-child(4)')]"
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
    # a user clicks the node's circle: the middle of the node's box may lie between the circle and its label
    page.locator("#network [data-testid=network-node][data-node-id=RUS] circle").click()
    page.wait_for_function("() => document.getElementById('f-actor').value === 'RUS'")
    page.wait_for_function("() => [...document.querySelectorAll('#events-body tr td:nth-child(3)')]"
                           ".every((td) => td.textContent.includes('RUS'))")  # fmt: skip
    assert all("RUS" in actor for actor in cells(page, 3))


def test_web_pager_moves_through_the_events(page: Any) -> None:
    open_dashboard(page)
    first = page.locator("#page-info").inner_text()
    assert page.locator("#prev").is_disabled()
    if int(first.rsplit(" ", 1)[1].replace(",", "")) <= 50:
        pytest.skip(f"one page of events only ({first})")
    page.click("#next")
    page.wait_for_function(f"() => document.getElementById('page-info').textContent !== {first!r}")
    assert page.locator("#page-info").inner_text().startswith("51")
    assert page.locator("#prev").is_enabled()


#: Whether the table's type column is sorted (reversed when the argument is true); a function, not a string to
#: evaluate, because the page's Content-Security-Policy forbids eval.
TYPES_SORTED = """(reversed) => {
  const types = [...document.querySelectorAll('#events-body tr td:nth-child(2)')].map((td) => td.textContent);
  const sorted = [...types].sort();
  return types.length > 0 && types.join() === (reversed ? sorted.reverse() : sorted).join();
}"""


def test_web_events_are_newest_first_and_sort_by_a_heading(page: Any) -> None:
    open_dashboard(page)
    dates = [d for d in cells(page, 1) if d[:1].isdigit()]
    assert dates == sorted(dates, reverse=True)
    assert page.locator("#events-table th[data-sort=date]").get_attribute("aria-sort") == "descending"
    page.click("#events-table th[data-sort=type] button")
    page.wait_for_function("() => document.querySelector('#events-table th[data-sort=type]').ariaSort === 'ascending'")
    page.wait_for_function(TYPES_SORTED, arg=False)
    page.click("#events-table th[data-sort=type] button")
    page.wait_for_function("() => document.querySelector('#events-table th[data-sort=type]').ariaSort === 'descending'")
    page.wait_for_function(TYPES_SORTED, arg=True)
    snap(page, "7-sorted-by-type")
    assert page.errors == []


def test_web_table_shows_evidence_and_source(page: Any, api_server: str) -> None:
    open_dashboard(page)
    first = httpx.get(f"{api_server}/api/events", params={"limit": 1}).json()["items"][0]
    row = page.locator("[data-testid=event-row]").first
    assert row.locator("[data-testid=evidence]").inner_text() == first["sentence"]
    assert (first["publisher"] or "") in row.locator("td.source").inner_text()


def test_web_csv_download_holds_the_current_filter(page: Any, api_server: str) -> None:
    import csv
    import io

    open_dashboard(page)
    page.fill("#f-actor", "RUS")
    page.select_option("#f-type", "RETREAT")
    page.click("#f-apply")
    page.wait_for_function("() => document.getElementById('csv-link').href.includes('type=RETREAT')")
    with page.expect_download() as download:
        page.click("#csv-link")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    total = httpx.get(f"{api_server}/api/events", params={"actor": "RUS", "type": "RETREAT"}).json()["total"]
    assert len(rows) == total > 0
    assert {(r["actor_country"], r["event_type"]) for r in rows} == {("RUS", "RETREAT")}


def test_web_choosing_a_dyad_filters_the_table(page: Any) -> None:
    open_dashboard(page)
    options = page.locator("#dyad-select option").all_inner_texts()
    counts = [int(re.search(r"\((\d+) events?\)", o).group(1)) for o in options]  # type: ignore[union-attr]
    assert counts == sorted(counts, reverse=True)  # the dyad list is sorted by its counts
    page.select_option("#dyad-select", "RUS|DEU")
    page.wait_for_function("() => document.getElementById('f-recipient').value === 'DEU'")
    page.wait_for_function("() => [...document.querySelectorAll('#events-body tr td:nth-child(4)')]"
                           ".every((td) => td.textContent.includes('DEU'))")  # fmt: skip
    assert all("RUS" in actor for actor in cells(page, 3))
    assert page.locator("#f-actor").input_value() == "RUS"


def test_web_actor_filter_takes_a_name(page: Any) -> None:
    open_dashboard(page)
    page.fill("#f-actor", "Russia")
    page.click("#f-apply")
    page.wait_for_function("() => document.getElementById('filters-msg').textContent.includes('RUS')")
    assert "“Russia” is RUS" in page.locator("#filters-msg").inner_text()
    actors = cells(page, 3)
    assert actors
    assert all("RUS" in actor for actor in actors), actors
    snap(page, "8-filtered-by-name")


def test_web_story_view_has_a_colour_legend_and_years_show_as_years(page: Any) -> None:
    open_dashboard(page)
    page.locator(".story-link").first.click()
    page.locator("#story-text mark.evidence").first.wait_for()
    legend = page.locator(".story-legend").inner_text()
    for words in ("Evidence", "Actor", "Recipient"):
        assert words in legend
    assert page.evaluate("evDate({date: '2014-01-01', date_text: 'in 2014', pub_date: '2022-02-15'})") == "2014"
    assert page.evaluate("evDate({date: '2014-01-01', date_precision: 'year'})") == "2014"
    assert page.evaluate("evDate({date: '2022-02-15', date_text: 'on Tuesday'})") == "2022-02-15"
    assert page.evaluate("evDate({date: '2022-01-01', date_text: 'on January 1'})") == "2022-01-01"
    assert page.evaluate("evDate({date: null, pub_date: '2022-02-15'})") == "2022-02-15"
    snap(page, "9-story-legend")


def test_web_layout_works_at_420_px(browser: Any, api_server: str) -> None:
    context = browser.new_context(base_url=api_server, viewport={"width": 420, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        open_dashboard(tab)
        tab.locator("#network svg [data-testid=network-node]").first.wait_for()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 420  # nothing sticks out sideways
        row = tab.locator("[data-testid=event-row]").first
        assert row.bounding_box()["width"] <= 420
        assert tab.evaluate("getComputedStyle(document.querySelector('#events-body td')).display") == "block"
        for selector in ("#f-actor", "#f-apply", "#csv-link", "#next"):
            box = tab.locator(selector).bounding_box()
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= 420, selector
        tab.screenshot(path=str(ARTIFACTS / "web-10-narrow-420.png"), full_page=True)
        tab.screenshot(path=str(ARTIFACTS / "web-10a-narrow-top.png"))
        top = tab.evaluate("document.getElementById('events').getBoundingClientRect().top + window.scrollY")
        clip = {"x": 0, "y": top, "width": 420, "height": 1100}
        tab.screenshot(path=str(ARTIFACTS / "web-10b-narrow-events.png"), full_page=True, clip=clip)
        tab.locator(".story-link").first.click()
        tab.locator("#story-text mark.evidence").first.wait_for()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 420
        tab.locator("#story").screenshot(path=str(ARTIFACTS / "web-11-narrow-story.png"))
        assert errors == []
    finally:
        context.close()


def test_web_network_labels_do_not_overlap(page: Any) -> None:
    open_dashboard(page)
    page.locator("#network svg [data-testid=network-label]").first.wait_for()
    # one measurement of labels and circles together, once the fonts are final: a re-render or a font
    # swap between two separate measurements would compare boxes of two different drawings
    boxes, circles = page.evaluate(
        "async () => { await document.fonts.ready; const box = (e, name) => {"
        " const r = e.getBoundingClientRect(); return [name, r.left, r.right, r.top, r.bottom]; };"
        " return [[...document.querySelectorAll('#network [data-testid=network-label]')]"
        ".map((t) => box(t, t.textContent)),"
        " [...document.querySelectorAll('#network [data-testid=network-node] circle')]"
        ".map((c) => box(c, c.parentNode.dataset.nodeId))]; }"
    )
    assert len(boxes) >= 3

    def meet(a: list[Any], b: list[Any]) -> bool:
        return bool(a[1] < b[2] and b[1] < a[2] and a[3] < b[4] and b[3] < a[4])

    clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if meet(a, b)]
    clashes += [(a[0], c[0]) for a in boxes for c in circles if a[0] != c[0] and meet(a, c)]
    assert clashes == []
    assert min(b[4] - b[3] for b in boxes) >= 9  # labels are drawn at a readable size
    page.locator("#network").screenshot(path=str(ARTIFACTS / "web-12-network.png"))


def test_web_pages_pass_the_content_security_policy(page: Any, api_server: str) -> None:
    """The dashboard and /docs load under the server's CSP with no console error and nothing from elsewhere."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_dashboard(page)
    page.locator("#network svg [data-testid=network-node]").first.wait_for()
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "tocsin" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/events").first.wait_for()
    snap(page, "13-docs")
    assert page.errors == []
    assert [url for url in requests if not url.startswith((api_server, "data:"))] == []


def test_web_network_of_many_actors_keeps_labels_apart(page: Any) -> None:
    """Ninety actors with long and short codes (more than the demo has): the layout grows until no label meets
    another label or a node."""
    open_dashboard(page)
    page.locator("#network svg [data-testid=network-node]").first.wait_for()
    page.evaluate("""() => {
      const code = (i) => (i % 7 === 0 ? `ORG${i}LONGNAME` : `C${String(i).padStart(2, '0')}`);
      const ids = Array.from({ length: 90 }, (_, i) => code(i));
      const nodes = ids.map((id, i) => ({ id, events: 1 + (i * 37) % 50 }));
      const edges = ids.slice(1).map((id, i) => ({ source: ids[0], target: id, events: 1 + i % 5, intensity: 0 }));
      drawNetwork(nodes, edges);
    }""")
    boxes = page.evaluate(
        "[...document.querySelectorAll('#network [data-testid=network-label]')].map((t) => {"
        " const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right, r.top, r.bottom]; })"
    )
    circles = page.evaluate(
        "[...document.querySelectorAll('#network [data-testid=network-node] circle')].map((c) => {"
        " const r = c.getBoundingClientRect();"
        " return [c.parentNode.dataset.nodeId, r.left, r.right, r.top, r.bottom]; })"
    )
    assert len(boxes) == 90

    def meet(a: list[Any], b: list[Any]) -> bool:
        return bool(a[1] < b[2] and b[1] < a[2] and a[3] < b[4] and b[3] < a[4])

    clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if meet(a, b)]
    clashes += [(a[0], c[0]) for a in boxes for c in circles if a[0] != c[0] and meet(a, c)]
    assert clashes == []
    page.locator("#network").screenshot(path=str(ARTIFACTS / "web-14-network-90-actors.png"))
