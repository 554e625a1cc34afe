"""Signals over hand-built event frames: series, say–do gap, contradictions, clusters, alerts, plots, CLI."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

pd = pytest.importorskip("pandas", reason="signals need `pip install 'tocsin[signals]'`")
pytest.importorskip("matplotlib", reason="signals need `pip install 'tocsin[signals]'`")

from click.testing import CliRunner  # noqa: E402

from tocsin import signals  # noqa: E402
from tocsin.cli import cli  # noqa: E402
from tocsin.errors import ConfigError  # noqa: E402
from tocsin.settings import Settings  # noqa: E402

_IDS = itertools.count(1)
T = pd.Timestamp
WEEKLY = signals.AlertSettings(freq="W", baseline=4, min_periods=3, min_events=2)


def ev(**overrides: Any) -> dict[str, Any]:
    """One event row: a factual RUS-MIL -> UKR ASSAULT on Monday 2022-02-14, weight 1, unless overridden."""
    row = {
        "id": f"x{next(_IDS)}", "story_id": "s1", "date": "2022-02-14", "event_type": "ASSAULT", "quad_class": 4,
        "intensity": -10.0, "actor_country": "RUS", "actor_sector": "MIL", "actor_name": "Russian troops",
        "actor_kb_id": None, "recipient_country": "UKR", "recipient_sector": "", "recipient_name": "Ukraine",
        "recipient_kb_id": None, "asserted_country": None, "polarity": "affirmed", "modality": "actual",
        "cluster_id": None, "num_mentions": 1, "num_sources": 1, "sentence": "Russian troops attacked Ukraine.",
        "trigger": "attacked", "outlet": "Alpha Wire",
    }  # fmt: skip
    row.update(overrides)
    return row


def days(start: str, n: int) -> list[str]:
    return [str((T(start) + pd.Timedelta(days=i)).date()) for i in range(n)]


# --- dyad_series and actor_series ----------------------------------------------------------------------------

SERIES_ROWS = [
    # week of Mon 2022-02-14 .. Sun 2022-02-20
    ev(id="a", date="2022-02-14", cluster_id=1, num_sources=3, num_mentions=2),  # weight 3/2 = 1.5
    ev(id="b", date="2022-02-20", event_type="ACCUSE", quad_class=3, intensity=-2.0),  # Sunday: same week
    ev(id="c", date="2022-02-16", modality="claimed"),  # a claim is factual
    ev(id="n1", date="2022-02-15", polarity="negated"),  # excluded: negated
    ev(id="n2", date="2022-02-15", modality="intended"),  # excluded: intended
    ev(id="n3", date="2022-02-15", modality="hypothetical"),  # excluded: hypothetical
    ev(id="n4", date="2022-02-15", recipient_country=None, recipient_name=None),  # excluded: no recipient
    ev(id="n5", date="2022-02-15", modality="denied", recipient_country=None),  # excluded: denied
    ev(id="n6", date="2022-02-15", modality="conditional", recipient_country=None),  # excluded: conditional
    # week of Mon 2022-02-21
    ev(id="d", date="2022-02-21", event_type="CONSULT", quad_class=1, intensity=1.0),
]


def test_dyad_series_weekly_weighted_counts() -> None:
    out = signals.dyad_series(signals.frame(SERIES_ROWS), freq="W")
    assert list(out.index) == [("RUS", "UKR", T("2022-02-14")), ("RUS", "UKR", T("2022-02-21"))]
    week1, week2 = out.loc[("RUS", "UKR", T("2022-02-14"))], out.loc[("RUS", "UKR", T("2022-02-21"))]
    assert week1["ASSAULT"] == pytest.approx(2.5)  # a 1.5 + c 1
    assert week1["ACCUSE"] == pytest.approx(1.0) and week1["CONSULT"] == 0.0
    assert week1["events"] == pytest.approx(3.5)  # 1.5 + 1 + 1
    assert week1["mentions"] == 3  # a, b, c
    assert [week1[q] for q in ("q1", "q2", "q3", "q4")] == pytest.approx([0.0, 0.0, 1.0, 2.5])
    assert week1["intensity"] == pytest.approx(-27.0)  # -10*1.5 + -2*1 + -10*1
    assert [week2[q] for q in ("q1", "q2", "q3", "q4")] == pytest.approx([1.0, 0.0, 0.0, 0.0])
    assert (week2["CONSULT"], week2["ASSAULT"], week2["events"], week2["intensity"]) == pytest.approx((1, 0, 1, 1))


def test_dyad_series_unweighted_counts_each_event_once() -> None:
    week1 = signals.dyad_series(signals.frame(SERIES_ROWS), weighted=False).loc[("RUS", "UKR", T("2022-02-14"))]
    assert (week1["ASSAULT"], week1["q4"], week1["events"]) == pytest.approx((2.0, 2.0, 3.0))  # a 1 + c 1; + b
    assert week1["intensity"] == pytest.approx(-22.0)  # -10 - 2 - 10


def test_dyad_series_actor_levels() -> None:
    data = signals.frame([
        ev(actor_sector="MIL;GOV"),  # first sector: RUS-MIL
        ev(actor_sector="GOV", actor_kb_id="vladimir-putin", actor_name="Vladimir Putin"),
        ev(actor_sector=None, actor_name="Kremlin"),  # no sector: RUS; no kb id: its name
        ev(actor_country=None, actor_sector=None, actor_kb_id="wagner-group", actor_name="Wagner"),
    ])  # fmt: skip
    sector = signals.dyad_series(data, level="sector").droplevel("period").index
    assert sorted(sector) == [("RUS", "UKR"), ("RUS-GOV", "UKR"), ("RUS-MIL", "UKR"), ("wagner-group", "UKR")]
    actor = sorted(signals.dyad_series(data, level="actor").droplevel("period").index)
    assert [a for a, _ in actor] == ["Kremlin", "Russian troops", "vladimir-putin", "wagner-group"]
    assert {r for _, r in actor} == {"Ukraine"}  # the recipient's name: it has no kb id
    country = signals.dyad_series(data, level="country")  # no country: rolls up to the group's kb id
    week = T("2022-02-14")
    assert country["events"].to_dict() == {("RUS", "UKR", week): 3.0, ("wagner-group", "UKR", week): 1.0}
    with pytest.raises(ConfigError):
        signals.dyad_series(data, level="galaxy")


def test_actor_series_keeps_events_with_no_recipient() -> None:
    out = signals.actor_series(signals.frame(SERIES_ROWS))
    assert list(out.index) == [("RUS", T("2022-02-14")), ("RUS", T("2022-02-21"))]
    week1 = out.loc[("RUS", T("2022-02-14"))]
    assert week1["events"] == pytest.approx(4.5)  # 3.5 as above + n4 (no recipient) 1
    assert week1["q4"] == pytest.approx(3.5)  # a 1.5 + c 1 + n4 1


# --- say_do_gap ------------------------------------------------------------------------------------------------

QUADS = [1, 1, 1, 3, 2, 4, 4, 4]  # 3 verbal cooperation, 1 verbal conflict, 1 material cooperation, 3 material conflict


def test_say_do_gap_over_the_window() -> None:
    rows = [ev(date=d, quad_class=q) for d, q in zip(days("2022-03-01", 8), QUADS, strict=True)]
    rows.append(ev(date="2022-03-02", actor_country="USA", quad_class=1))  # talk only
    gap = signals.say_do_gap(signals.frame(rows))
    last = gap.loc[("RUS", T("2022-03-08"))]
    assert last["say"] == pytest.approx(0.75)  # 3 / (3 + 1)
    assert last["do"] == pytest.approx(0.25)  # 1 / (1 + 3)
    assert last["gap"] == pytest.approx(0.5)  # 0.75 - 0.25
    assert [last[q] for q in ("q1", "q2", "q3", "q4")] == pytest.approx([3, 1, 1, 3])
    first = gap.loc[("RUS", T("2022-03-01"))]  # one q1 event so far: say 1, no material events
    assert first["say"] == 1.0 and math.isnan(first["do"]) and math.isnan(first["gap"])
    usa = gap.loc[("USA", T("2022-03-02"))]
    assert usa["say"] == 1.0 and math.isnan(usa["do"]) and math.isnan(usa["gap"])
    assert len(gap) == 9  # one row per actor and event day


def test_say_do_gap_window_rolls() -> None:
    rows = [ev(date=d, quad_class=q) for d, q in zip(days("2022-03-01", 8), QUADS, strict=True)]
    rows.append(ev(date="2022-01-20", quad_class=2))  # 40 days before 2022-03-01: out of every later window
    gap = signals.say_do_gap(signals.frame(rows))
    early = gap.loc[("RUS", T("2022-01-20"))]
    assert math.isnan(early["say"]) and early["do"] == 1.0
    last = gap.loc[("RUS", T("2022-03-08"))]
    assert last["q2"] == pytest.approx(1.0) and last["gap"] == pytest.approx(0.5)  # unchanged


def test_say_do_gap_by_dyad() -> None:
    rows = [ev(date="2022-03-01", quad_class=1), ev(date="2022-03-02", quad_class=4)]
    rows += [ev(date="2022-03-02", quad_class=2, recipient_country="CHN", recipient_name="China")]
    gap = signals.say_do_gap(signals.frame(rows), by="dyad")
    assert list(gap.index) == [("RUS", "CHN", T("2022-03-02")), ("RUS", "UKR", T("2022-03-01")),
                               ("RUS", "UKR", T("2022-03-02"))]  # fmt: skip
    ukr = gap.loc[("RUS", "UKR", T("2022-03-02"))]
    assert (ukr["say"], ukr["do"], ukr["gap"]) == pytest.approx((1.0, 0.0, 1.0))  # 1/(1+0) - 0/(0+1)
    chn = gap.loc[("RUS", "CHN", T("2022-03-02"))]
    assert math.isnan(chn["say"]) and chn["do"] == 1.0


# --- contradictions and cluster_status --------------------------------------------------------------------------


def claim(**overrides: Any) -> dict[str, Any]:
    """RUS claims (asserts) its own retreat in story s1 on 2022-02-15."""
    retreat = {"event_type": "RETREAT", "quad_class": 2, "intensity": 2.0, "date": "2022-02-15", "modality": "claimed",
               "recipient_country": None, "recipient_name": None, "asserted_country": "RUS"}  # fmt: skip
    return ev(**{"id": "claim", "cluster_id": 10, **retreat, **overrides})


def denial(**overrides: Any) -> dict[str, Any]:
    """NATO, a day later in the same story, says Russia has not withdrawn."""
    return claim(**{"id": "denial", "cluster_id": 11, "polarity": "negated", "asserted_country": "NATO",
                    "date": "2022-02-16", "sentence": "NATO said Russian troops have not withdrawn from the border.",
                    "trigger": "withdraw", **overrides})  # fmt: skip


def test_contradiction_pairs_claim_and_denial() -> None:
    found = signals.contradictions(signals.frame([claim(), denial()]))
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["event_type"], row["actor"]) == ("RETREAT", "RUS")
    assert (row["claim_id"], row["claim_by"], row["denial_id"], row["denial_by"]) == ("claim", "RUS", "denial", "NATO")
    assert (row["claim_date"], row["denial_date"], row["claim_cluster"]) == (T("2022-02-15"), T("2022-02-16"), 10)
    assert (row["claim_sentence"], row["denial_cluster"]) == ("Russian troops attacked Ukraine.", 11)
    assert (row["denial_polarity"], row["denial_modality"]) == ("negated", "claimed")


def test_contradiction_names_the_outlet_and_unnamed_sources_never_nan() -> None:
    found = signals.contradictions(signals.frame([
        claim(asserted_country=None), denial(asserted_country=None, asserted_name="Western officials")
    ]))  # fmt: skip
    assert list(found["claim_by"]) == ["Alpha Wire"] and list(found["denial_by"]) == ["Western officials"]


@pytest.mark.parametrize(
    ("claimed", "denied", "found"),
    [
        ({}, {"polarity": "affirmed", "modality": "denied"}, True),  # reported as denied
        ({}, {"story_id": "s2"}, True),  # the same actor, in another story
        ({"mode": "troops"}, {"mode": None}, True),  # the denial's mode unknown
        ({"recipient_country": "UKR"}, {}, True),  # the denial names no recipient
        ({"date_precision": "month", "date": "2022-02-01"}, {}, True),  # "in February" overlaps the 16th
        ({}, {"date_precision": "fallback", "date": "2022-02-18"}, True),  # undated in a story of the 18th
        (
            {},
            {"sentence": "NATO denied that Russian troops withdrew.", "modality": "denied", "polarity": "affirmed"},
            True,
        ),
        ({}, {"date": "2022-02-25"}, False),  # 10 days later
        ({"date_precision": "month", "date": "2022-01-01"}, {}, False),  # "in January": not the 16th of February
        ({}, {"actor_country": None, "actor_name": None}, False),  # unstated actor: never matches
        ({}, {"sentence": "NATO has not explained why the troops were not withdrawn."}, False),  # not a denial
        ({}, {"sentence": "If they withdraw, we will not object, NATO said."}, False),  # a condition
        ({}, {"sentence": "NATO said it was a pause, not a withdrawal."}, False),  # a contrast
        ({}, {"sentence": "NATO said Russian troops withdrew."}, False),  # no negation in the sentence
        ({}, {"event_type": "ASSAULT"}, False),  # another type of event
        ({"mode": "troops"}, {"mode": "embassy"}, False),  # another kind of event within the type
        ({}, {"asserted_country": "RUS"}, False),  # the claimant denying itself
        ({}, {"asserted_country": None}, False),  # the outlet's own voice
        ({}, {"modality": "hypothetical"}, False),  # "if they do not withdraw": not a denial
        ({}, {"actor_country": "USA"}, False),  # a different country's retreat
        ({}, {"story_id": "s2", "actor_country": None, "actor_kb_id": "x"}, False),  # another actor (a KB id)
        ({"recipient_country": "UKR"}, {"recipient_country": "POL"}, False),  # another recipient
        ({"actor_country": None}, {}, False),  # a claim with no actor
    ],
)
def test_contradiction_rules(claimed: dict[str, Any], denied: dict[str, Any], found: bool) -> None:
    pairs = signals.contradictions(signals.frame([claim(**claimed), denial(**denied)]))
    assert list(zip(pairs["claim_id"], pairs["denial_id"], strict=True)) == ([("claim", "denial")] if found else [])


def test_cluster_status() -> None:
    rows = [
        ev(cluster_id=1, num_sources=2, num_mentions=2),
        ev(cluster_id=1, num_sources=2, num_mentions=2),  # two sources: corroborated
        ev(cluster_id=2),  # one source: unverified
        claim(cluster_id=3, num_sources=2),  # contradicted: disputed, though corroborated
        denial(cluster_id=4),  # the denial itself: unverified
    ]
    rows.append(ev(cluster_id=5, num_sources=2, well_formed=False))  # two sources on a malformed cluster
    status = signals.cluster_status(signals.frame(rows))
    assert dict(zip(status["cluster_id"], status["status"], strict=True)) == {
        1: "corroborated", 2: "unverified", 3: "disputed", 4: "unverified", 5: "unverified"
    }  # fmt: skip
    assert dict(zip(status["cluster_id"], status["num_sources"], strict=True)) == {1: 2, 2: 1, 3: 2, 4: 1, 5: 2}
    assert list(status.columns) == ["cluster_id", "event_type", "num_sources", "well_formed", "status"]


# --- alerts ----------------------------------------------------------------------------------------------------


def surge(counts: list[int], start: str = "2022-01-03", step: int = 7, tag: str = "p", **overrides: Any) -> list:
    """``counts[i]`` conflict events ``{tag}{i}-{k}`` in period i (``step`` days apart, Mon-Sat from ``start``)."""

    def day(i: int, k: int) -> str:
        return str((T(start) + pd.Timedelta(days=step * i + (k % 6 if step > 1 else 0))).date())

    return [ev(id=f"{tag}{i}-{k}", date=day(i, k), **overrides) for i, n in enumerate(counts) for k in range(n)]


def news(weeks: int, start: str = "2022-01-03") -> list[dict[str, Any]]:
    """One USA -> CHN meeting a week: the store has news in each of these weeks."""
    return [ev(id=f"n{i}", date=str((T(start) + pd.Timedelta(weeks=i)).date()), actor_country="USA",
               recipient_country="CHN", event_type="CONSULT", quad_class=1) for i in range(weeks)]  # fmt: skip


def test_tail_probability_is_the_negative_binomial_tail() -> None:
    # no history and a prior of one event per period worth one period (shape 1, rate 1): geometric, p = 1/2
    assert signals.tail_probability(0, 0, 0, 1.0, 1.0) == pytest.approx(1.0)
    assert signals.tail_probability(1, 0, 0, 1.0, 1.0) == pytest.approx(0.5)
    assert signals.tail_probability(3, 0, 0, 1.0, 1.0) == pytest.approx(0.125)
    # more quiet history makes the same count less likely; a busy history makes it likely
    quiet = signals.tail_probability(4, 0, 8, 0.5, 2.0)
    assert quiet < signals.tail_probability(4, 0, 2, 0.5, 2.0) and quiet < 0.001
    assert signals.tail_probability(4, 32, 8, 0.5, 2.0) > 0.3
    assert signals.tail_probability(2.5, 0, 8, 0.5, 2.0) == signals.tail_probability(3, 0, 8, 0.5, 2.0)


def test_weekly_alert_against_a_quiet_baseline() -> None:
    found = signals.alerts(signals.frame(surge([1, 0, 0, 1, 0, 5]) + news(6)), WEEKLY)
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["dyad"], row["actor"], row["recipient"], row["period"]) == ("RUS-UKR", "RUS", "UKR", T("2022-02-07"))
    assert row["observed"] == 5.0 and row["baseline_periods"] == 4
    assert row["expected"] == pytest.approx((0.5 * 2 + 1) / (2 + 4))  # prior 1 event in 2 periods, then 1 in 4
    assert 0 < row["probability"] < 0.01 and math.isfinite(row["probability"])
    assert row["event_ids"] == ["p5-0", "p5-1", "p5-2", "p5-3", "p5-4"]
    assert list(found.columns) == list(signals.ALERT_COLUMNS)


def test_no_alert_on_a_dyads_first_periods_or_a_busy_history() -> None:
    assert signals.alerts(signals.frame(surge([6])), WEEKLY).empty  # a first week: nothing to compare with
    assert signals.alerts(signals.frame(surge([0, 0, 6], start="2022-01-17") + surge([1], tag="o")), WEEKLY).empty
    assert signals.alerts(signals.frame(surge([4, 5, 4, 5, 6])), WEEKLY).empty  # as busy as usual


def test_alert_ignores_cooperation_and_weeks_without_news() -> None:
    rows = surge([1, 0, 0, 1, 5]) + surge([0, 0, 0, 0, 8], tag="c", quad_class=1, event_type="CONSULT") + news(5)
    found = signals.alerts(signals.frame(rows), WEEKLY)
    assert list(found["period"]) == [T("2022-01-31")] and found["observed"].iloc[0] == 5.0
    # the same surge after a gap of weeks with no dated event at all: the gap is not a quiet baseline
    gap = surge([1, 1]) + surge([5], start="2022-03-07", tag="late")
    assert signals.alerts(signals.frame(gap), WEEKLY).empty


def test_daily_and_monthly_alerts() -> None:
    daily = signals.AlertSettings(freq="D", baseline=6, min_periods=4)
    rows = surge([1, 1, 0, 0, 0, 1, 6], step=1, tag="d")
    rows += [ev(id=f"o{d}", date=d, actor_country="USA", quad_class=1) for d in days("2022-01-03", 7)]
    found = signals.alerts(signals.frame(rows), daily)
    assert list(found["period"]) == [T("2022-01-09")] and found["event_ids"].iloc[0][:2] == ["d6-0", "d6-1"]
    months = [ev(id=f"m{i}", date=f"2022-0{i}-20", actor_country="USA", quad_class=1) for i in range(1, 6)]
    monthly = signals.alerts(signals.frame(surge([1, 0, 1, 0, 6], start="2022-01-01", step=31) + months),
                             signals.AlertSettings(freq="M", baseline=4, min_periods=3))  # fmt: skip
    assert list(monthly["period"]) == [T("2022-05-01")]


def test_no_alert_below_min_events() -> None:
    few = signals.AlertSettings(freq="W", baseline=4, min_periods=3, min_events=6)
    assert signals.alerts(signals.frame(surge([0, 0, 0, 1, 5]) + news(5)), few).empty
    assert not signals.alerts(signals.frame(surge([0, 0, 0, 1, 5]) + news(5)), WEEKLY).empty


def test_series_count_the_events_left_out_for_lack_of_a_date() -> None:
    data = signals.frame(
        [*surge([2]), ev(id="u1", date=None), ev(id="u2", date=None), ev(id="neg", polarity="negated")]
    )
    series = signals.dyad_series(data)
    assert series.attrs["undated"] == 2 and series["mentions"].sum() == 2
    assert signals.actor_series(data).attrs["undated"] == 2
    assert signals.left_out(data, "RUS", "UKR") == {"total": 5, "undated": 2, "not_factual": 1}


# --- plots and the CLI ---------------------------------------------------------------------------------------------


def check_plots(files: list[Path], folder: Path, stem: str) -> None:
    names = {f"{stem}-{kind}.{suffix}" for kind in ("intensity", "quads", "say-do") for suffix in ("png", "svg")}
    assert {f.name for f in files} == names and {f.name for f in folder.iterdir()} == names
    for path in files:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        else:
            assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_plot_dyad_writes_png_and_svg(tmp_path: Path) -> None:
    rows = [*surge([1, 2, 1, 2, 4]), ev(date="2022-01-05", quad_class=1, event_type="CONSULT", intensity=1.0)]
    data = signals.frame(rows)
    files = signals.plot_dyad(data, "RUS", "UKR", tmp_path / "plots", settings=WEEKLY)
    check_plots(files, tmp_path / "plots", "RUS-UKR")
    with pytest.raises(ConfigError, match="no dated factual events from UKR to RUS"):
        signals.plot_dyad(data, "UKR", "RUS", tmp_path / "other")


STORIES = [
    {"id": "s1", "pub_date": "2022-02-15",
     "text": "Russian troops attacked Ukrainian forces near Kharkiv on Monday, officials in Kyiv said.\n\n"
             "Russia's defence ministry said Russian troops withdrew from the border."},
    {"id": "s2", "pub_date": "2022-02-16",
     "text": "NATO said Russia has not withdrawn troops from the border.\n\n"
             "Ukraine's foreign ministry condemned Russia for the attack."},
]  # fmt: skip


def test_cli_signals_on_a_coded_store(tmp_path: Path, write_jsonl) -> None:  # type: ignore[no-untyped-def]
    from tocsin.pipeline import run

    db = str(tmp_path / "signals.db")
    assert run([write_jsonl("stories.jsonl", STORIES)], Settings(db=db)).ok == 2
    result = CliRunner().invoke(cli, ["signals", "--db", db, "--plots", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    assert "Contradictions (claims against denials): 1" in result.output
    assert "RETREAT by RUS: claimed by RUS" in result.output and "denied by NATO" in result.output
    check_plots([p for p in (tmp_path / "plots").iterdir()], tmp_path / "plots", "RUS-UKR")


def test_cli_signals_on_an_empty_store(tmp_path: Path) -> None:
    from tocsin.pipeline import run

    db = str(tmp_path / "empty.db")
    run([], Settings(db=db))
    result = CliRunner().invoke(cli, ["signals", "--db", db, "--plots", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    assert "no dated factual events between two actors" in result.output
    assert not (tmp_path / "plots").exists()


def _boxes_overlap(a: Any, b: Any) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize(("freq", "start", "step"), [("D", "2025-03-01", 1), ("W", "2024-01-01", 7),
                                                     ("M", "2021-01-01", 31)])  # fmt: skip
def test_plots_are_readable(freq: str, start: str, step: int, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    counts = [1, 0, 2, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 0, 1, 0, 7, 1, 0, 1, 0, 1, 2]
    rows = surge(counts, start=start, step=step) + surge(counts, start=start, step=step, tag="v", quad_class=1,
                                                          event_type="CONSULT", intensity=1.0)  # fmt: skip
    rows += [ev(id="undated", date=None), ev(id="negated", polarity="negated")]
    rows += [ev(id=f"bg{i}", date=str((T(start) + pd.Timedelta(days=step * i)).date()), actor_country="USA")
             for i in range(len(counts))]  # fmt: skip
    settings = signals.AlertSettings(freq=freq, baseline=8, min_periods=4)
    assert len(signals.alerts(signals.frame(rows), settings)) >= 1
    figures = signals.dyad_figures(signals.frame(rows), "RUS", "UKR", freq=freq, settings=settings)
    assert list(figures) == list(signals.PLOT_KINDS)
    for kind, fig in figures.items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        (ax,) = fig.axes
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        assert len(labels) >= 3, (kind, [t.get_text() for t in labels])
        boxes = [t.get_window_extent(renderer) for t in labels]
        assert not any(_boxes_overlap(a, b) for a, b in itertools.combinations(boxes, 2)), kind
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert "1 without a date" in fig.get_supxlabel() and "1 not reported as fact" in fig.get_supxlabel()
        low, high = ax.get_xlim()
        y_low, y_high = ax.get_ylim()
        for patch in ax.patches:  # every bar inside the axes, and wider than a pixel
            x0, x1 = patch.get_x(), patch.get_x() + patch.get_width()
            assert low <= x0 and x1 <= high, kind
            top = patch.get_y() + patch.get_height()
            assert y_low <= min(patch.get_y(), top) and max(patch.get_y(), top) <= y_high, kind
            extent = patch.get_window_extent(renderer)
            assert extent.width >= 2 or patch.get_height() == 0, (kind, extent.width)
        for line in ax.lines:
            xs, ys = line.get_xydata().T  # axhline / axvline span the axes: [0, 1] in axes coordinates
            if list(xs) != [0.0, 1.0]:
                assert (xs >= low).all() and (xs <= high).all(), kind
            if list(ys) != [0.0, 1.0]:
                assert (ys >= y_low).all() and (ys <= y_high).all(), kind
        legend = ax.get_legend()
        if legend is not None:  # outside the data area
            assert not _boxes_overlap(legend.get_window_extent(renderer), ax.get_window_extent(renderer)), kind
        if kind != "say-do":
            assert any(t.get_text() for t in ax.texts), kind  # counts on the bars
        fig.savefig(tmp_path / f"{freq}-{kind}.png", dpi=80)
        plt.close(fig)
    assert (tmp_path / f"{freq}-intensity.png").read_bytes()[:4] == b"\x89PNG"
