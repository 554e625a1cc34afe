"""Event dates: date expressions resolved against the story's publication date.

Handles weekdays ("on Tuesday"), "today", "yesterday", "tomorrow", "last/this/next
week|month|year", "N days/weeks/months/years ago", explicit dates ("Feb. 16",
"16 February 2022"), months ("in December"), seasons ("last spring") and years
("in 2014"). A past-tense event is never dated after publication: a weekday or a
month without a year falls back to the most recent one on or before pub_date.
Durations ("for eight years") are not dates and are ignored.

:func:`resolve_when` also says how much of the date the text gives (:data:`PRECISIONS`):
"in 2014" is the year 2014, dated 2014-01-01 with precision ``year``, not
January 1st.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_NUMBERS = {w: i + 1 for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split())}
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}


#: How much of an event's date the text says, finest first. ``fallback`` (no date in
#: the text: the publication date stands in) is set by the coder, not here.
PRECISIONS = ("day", "week", "month", "season", "year")


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def resolve_when(text: str, pub_date: date, *, future: bool = False) -> tuple[date, str] | None:
    """Resolve a date expression to ``(date, precision)``; None when it is not a date.

    The date is the first day of the period the text names (a week's Monday, a
    month's 1st, a season's first month, a year's January 1st) and the precision
    (one of :data:`PRECISIONS`) says how long that period is.

    Example:
        >>> resolve_when("in 2014", date(2022, 2, 17))
        (datetime.date(2014, 1, 1), 'year')
        >>> resolve_when("last month", date(2022, 2, 17))
        (datetime.date(2022, 1, 1), 'month')
    """
    day = resolve_date(text, pub_date, future=future)
    return None if day is None else (day, date_precision(text))


def date_precision(text: str) -> str:
    """How much of a date an expression that :func:`resolve_date` resolves says:
    ``day``, ``week``, ``month``, ``season`` or ``year``."""
    words = [w for w in re.sub(r"[.,]", " ", text.lower()).split() if w not in _FILLER]
    joined = " ".join(words)
    if any(w in WEEKDAYS for w in words) or joined in _DAY_WORDS:
        return "day"
    relative = re.fullmatch(r"\S+ (day|week|month|year)s?(?: ago)?", joined)
    if relative:
        return relative[1]
    if any(w in SEASONS for w in words):
        return "season"
    numbers = [int(w.rstrip("stndrh")) for w in words if re.fullmatch(r"\d{1,4}(?:st|nd|rd|th)?", w)]
    if any(w in MONTHS for w in words):
        return "day" if any(1 <= n <= 31 for n in numbers) else "month"
    return "year"


def resolve_date(text: str, pub_date: date, *, future: bool = False) -> date | None:
    """Resolve one date expression against ``pub_date``; None when it is not a date.

    Never raises: near the ends of the calendar (a pub_date of 0001-01-01, Go's zero
    time, or of 9999-12-31) an expression whose date would fall outside years
    1-9999 resolves to None.

    ``future`` says the event is reported as still to come (will, plan to), which
    allows dates after publication for weekdays and months.

    Example:
        >>> resolve_date("on Tuesday", date(2022, 2, 17))
        datetime.date(2022, 2, 15)
        >>> resolve_date("Feb. 16", date(2022, 2, 17))
        datetime.date(2022, 2, 16)
    """
    try:
        return _resolve(text, pub_date, future)
    except (OverflowError, ValueError):  # date arithmetic past year 1 or 9999
        return None


def _resolve(text: str, pub_date: date, future: bool) -> date | None:
    low = re.sub(r"[.,]", " ", text.lower()).split()
    low = [w for w in low if w not in ("on", "in", "the", "of", "during", "since", "by", "at", "early", "late")]
    if not low:
        return None
    joined = " ".join(low)
    if joined in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return pub_date
    if joined in ("yesterday", "last night"):
        return pub_date - timedelta(days=1)
    if joined == "tomorrow":
        return pub_date + timedelta(days=1)
    if any(w in MONTHS for w in low) and any(w[:1].isdigit() for w in low):
        return _calendar(low, pub_date, future)  # "Monday, Jan. 10": the explicit date wins
    for i, word in enumerate(low):
        if word in WEEKDAYS:
            wanted = WEEKDAYS.index(word)
            back = (pub_date.weekday() - wanted) % 7
            if "next" in low[:i] or (future and back):
                return pub_date + timedelta(days=(wanted - pub_date.weekday()) % 7 or 7)
            if "last" in low[:i] and back == 0:
                back = 7
            return pub_date - timedelta(days=back)
    match = re.fullmatch(r"(last|this|next|past) (week|month|year)", joined)
    if match:
        step = {"last": -1, "past": -1, "this": 0, "next": 1}[match[1]]
        if match[2] == "week":
            return pub_date - timedelta(days=pub_date.weekday()) + timedelta(weeks=step)
        if match[2] == "month":
            return _shift_months(pub_date, step)
        return date(pub_date.year + step, 1, 1)
    match = re.fullmatch(
        r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (day|week|month|year)s? ago", joined
    )
    if match:
        count = 1 if match[1] in ("a", "an") else int(match[1]) if match[1].isdigit() else _NUMBERS[match[1]]
        if match[2] == "month":
            return _shift_months(pub_date, -count)
        if match[2] == "year":
            return date(pub_date.year - count, pub_date.month, 1)
        return pub_date - timedelta(days=count * _UNITS[match[2]])
    match = re.fullmatch(r"(last|this|next)? ?(spring|summer|autumn|fall|winter)(?: (\d{4}))?", joined)
    if match:
        year = int(match[3]) if match[3] else pub_date.year
        candidate = date(year, SEASONS[match[2]], 1)
        if match[3]:
            return candidate
        if match[1] == "last":
            # the most recent season that has ended: "last summer" said in November is this year's
            ended = _shift_months(candidate, 3) <= pub_date
            return candidate if ended else date(year - 1, SEASONS[match[2]], 1)
        if candidate > pub_date and not future:
            return date(year - 1, SEASONS[match[2]], 1)
        return candidate
    return _calendar(low, pub_date, future)


_FILLER = frozenset(("on", "in", "the", "of", "during", "since", "by", "at", "early", "late"))
_DAY_WORDS = frozenset(
    ("today", "tonight", "this morning", "this afternoon", "this evening", "yesterday", "last night", "tomorrow")
)


def _calendar(words: list[str], pub_date: date, future: bool) -> date | None:
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    numbers = [int(w.rstrip("stndrh")) for w in words if re.fullmatch(r"\d{1,4}(?:st|nd|rd|th)?", w)]
    year = next((n for n in numbers if 1900 <= n <= 2100), None)
    day = next((n for n in numbers if 1 <= n <= 31), None)
    if month is None:
        return date(year, 1, 1) if year and len(words) == 1 else None
    try:
        candidate = date(year or pub_date.year, month, day or 1)
    except ValueError:
        return None
    if year is None and candidate > pub_date and not future:
        candidate = candidate.replace(year=candidate.year - 1)
    return candidate
