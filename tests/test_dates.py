from __future__ import annotations

from datetime import date, timedelta

import pytest

from tocsin.dates import PRECISIONS, WEEKDAYS, date_precision, resolve_date, resolve_when
from tocsin.pipeline import code

PUB = date(2022, 2, 17)  # a Thursday


@pytest.mark.parametrize("weekday", [w.title() for w in WEEKDAYS])
def test_dates_past_weekday_is_latest_on_or_before_pub_date(weekday: str) -> None:
    day = resolve_date(f"on {weekday}", PUB)
    assert day is not None
    assert PUB - timedelta(days=6) <= day <= PUB
    assert day.strftime("%A") == weekday


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("next Monday", False, date(2022, 2, 21)),
        ("on Friday", True, date(2022, 2, 18)),
        ("tomorrow", False, date(2022, 2, 18)),
        ("in December", True, date(2022, 12, 1)),
    ],
)
def test_dates_future_expression_may_follow_pub_date(text: str, future: bool, expected: date) -> None:
    assert resolve_date(text, PUB, future=future) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2022, 2, 17)),
        ("yesterday", date(2022, 2, 16)),
        ("three days ago", date(2022, 2, 14)),
        ("Feb. 16", date(2022, 2, 16)),
        ("February 16", date(2022, 2, 16)),
        ("16 February 2022", date(2022, 2, 16)),
        ("Feb. 16, 2021", date(2021, 2, 16)),
    ],
)
def test_dates_day_expression_resolves_to_that_day(text: str, expected: date) -> None:
    assert resolve_date(text, PUB) == expected


@pytest.mark.parametrize(("text", "first", "last"), [("last week", date(2022, 2, 7), date(2022, 2, 13))])
def test_dates_last_week_falls_in_previous_week(text: str, first: date, last: date) -> None:
    day = resolve_date(text, PUB)
    assert day is not None and first <= day <= last


@pytest.mark.parametrize(
    ("text", "year", "months"),
    [
        ("in December", 2021, {12}),
        ("last spring", 2021, {3, 4, 5}),
        ("in 2014", 2014, set(range(1, 13))),
        ("two years ago", 2020, set(range(1, 13))),
    ],
)
def test_dates_coarse_expression_resolves_to_its_period(text: str, year: int, months: set[int]) -> None:
    day = resolve_date(text, PUB)
    assert day is not None and day.year == year and day.month in months


@pytest.mark.parametrize("text", ["in December", "last spring", "on Friday", "Sept. 3"])
def test_dates_past_event_is_never_after_pub_date(text: str) -> None:
    day = resolve_date(text, PUB)
    assert day is not None and day <= PUB


@pytest.mark.parametrize("text", ["eight years", "for eight years", "57", "Feb. 30", "the weekend", ""])
def test_dates_non_date_is_none(text: str) -> None:
    assert resolve_date(text, PUB) is None


@pytest.mark.parametrize(("text", "expected"), [("Monday, Jan. 10", date(2022, 1, 10))])
def test_dates_weekday_with_explicit_date_uses_the_date(text: str, expected: date) -> None:
    assert resolve_date(text, PUB) == expected


@pytest.mark.parametrize(
    ("text", "pub_date", "year"),
    [
        ("last summer", date(2022, 11, 10), 2022),
        ("last spring", date(2022, 7, 1), 2022),
        ("last spring", date(2022, 2, 17), 2021),
    ],
)
def test_dates_last_season_is_the_most_recent_one(text: str, pub_date: date, year: int) -> None:
    day = resolve_date(text, pub_date)
    assert day is not None and day.year == year


# --- through the pipeline ----------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("Russia attacked Ukraine on Tuesday.", date(2022, 2, 15))])
def test_dates_code_dates_event_to_named_weekday(text: str, expected: date) -> None:
    assert [e.date for e in code(text, pub_date=PUB)] == [expected]


@pytest.mark.parametrize("text", ["Russia attacked Ukraine on Tuesday."])
def test_dates_code_keeps_date_text(text: str) -> None:
    (event,) = code(text, pub_date=PUB)
    assert event.date_text is not None and "Tuesday" in event.date_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia will attack Ukraine on Friday.", date(2022, 2, 18)),
        ("Russia attacked Ukraine on Friday.", date(2022, 2, 11)),
    ],
)
def test_dates_code_tense_decides_weekday_direction(text: str, expected: date) -> None:
    assert {e.date for e in code(text, pub_date=PUB) if e.event_type == "ASSAULT"} == {expected}


@pytest.mark.parametrize(("text", "expected"), [("Russia attacked Ukraine on Monday, Jan. 10.", date(2022, 1, 10))])
def test_dates_code_uses_explicit_date_after_weekday(text: str, expected: date) -> None:
    assert [e.date for e in code(text, pub_date=PUB)] == [expected]


@pytest.mark.parametrize("text", ["Russia attacked Ukraine.", "Russia has occupied Crimea for eight years."])
def test_dates_code_without_date_expression_uses_pub_date(text: str) -> None:
    assert [(e.date, e.date_text) for e in code(text, pub_date=PUB)] == [(PUB, None)]


@pytest.mark.parametrize("text", ["Russia attacked Ukraine on Tuesday.", "Russia attacked Ukraine."])
def test_dates_code_without_pub_date_has_no_date(text: str) -> None:
    assert [(e.date, e.pub_date) for e in code(text)] == [(None, None)]


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("on Tuesday", date(2022, 2, 15), "day"),
        ("yesterday", date(2022, 2, 16), "day"),
        ("Feb. 16, 2021", date(2021, 2, 16), "day"),
        ("three days ago", date(2022, 2, 14), "day"),
        ("last week", date(2022, 2, 7), "week"),
        ("two weeks ago", date(2022, 2, 3), "week"),
        ("in December", date(2021, 12, 1), "month"),
        ("March 2014", date(2014, 3, 1), "month"),
        ("last month", date(2022, 1, 1), "month"),
        ("last spring", date(2021, 3, 1), "season"),
        ("in the summer of 2019", date(2019, 6, 1), "season"),
        ("in 2014", date(2014, 1, 1), "year"),
        ("last year", date(2021, 1, 1), "year"),
        ("two years ago", date(2020, 2, 1), "year"),
    ],
)
def test_dates_resolve_when_gives_the_precision(text: str, expected: date, precision: str) -> None:
    assert resolve_when(text, PUB) == (expected, precision)
    assert date_precision(text) == precision and precision in PRECISIONS


def test_dates_resolve_when_none_for_non_dates() -> None:
    assert resolve_when("for eight years", PUB) is None


def test_dates_events_carry_precision_and_fall_back_to_pub_date() -> None:
    text = "Russian troops attacked Kharkiv in 2014. Ukraine accused Russia of the attack."
    events = code(text, pub_date=PUB)
    by_type = {e.event_type: e for e in events}
    assert (by_type["ASSAULT"].date, by_type["ASSAULT"].date_precision) == (date(2014, 1, 1), "year")
    assert (by_type["ACCUSE"].date, by_type["ACCUSE"].date_precision, by_type["ACCUSE"].date_text) == (
        PUB,
        "fallback",
        None,
    )
    assert by_type["ACCUSE"].to_dict()["date_precision"] == "fallback"
    undated = code(text)  # no publication date: no date, no precision
    assert {(e.date, e.date_precision) for e in undated} == {(None, None)}


# --- issue #13: the ends of the calendar never raise ---------------------------------------------------------

EXPRESSIONS = ["yesterday", "tomorrow", "last week", "next week", "last month", "next month", "last year",
               "next year", "on Tuesday", "next Tuesday", "Feb. 16", "in December", "last spring", "this winter",
               "three years ago", "99999999 days ago", "2 months ago", "in 2014", "today"]  # fmt: skip


@pytest.mark.parametrize("pub_date", [date(1, 1, 1), date(1, 1, 2), date(9999, 12, 31), date(9999, 12, 1)])
@pytest.mark.parametrize("future", [False, True])
def test_dates_extreme_pub_date_never_raises(pub_date: date, future: bool) -> None:
    for text in EXPRESSIONS:
        resolved = resolve_date(text, pub_date, future=future)
        assert resolved is None or isinstance(resolved, date)
    assert resolve_date("yesterday", date(1, 1, 1)) is None
    assert resolve_date("yesterday", date(9999, 12, 31)) == date(9999, 12, 30)
