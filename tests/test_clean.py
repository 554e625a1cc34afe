from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.clean import (
    clean_text,
    comment_voice,
    is_credit_line,
    match_byline,
    parse_credit_line,
    split_reader_comments,
    strip_byline,
    strip_captions,
    strip_credit_lines,
    strip_dateline,
    strip_wire_footer,
)
from tocsin.pipeline import clean

BODY = (
    "The two governments agreed on Monday to reopen the border crossing for trucks carrying grain.\n\n"
    "Officials from both sides said the deal would be reviewed after three months, and that inspectors "
    "from a neutral country would monitor the crossing."
)


@pytest.mark.parametrize(
    ("text", "rest", "removed"),
    [
        ("MOSCOW — Troops returned.", "Troops returned.", "MOSCOW — "),
        ("KYIV, Ukraine (AP) — Sirens sounded.", "Sirens sounded.", "KYIV, Ukraine (AP) — "),
        ("WASHINGTON (Reuters) - Talks began.", "Talks began.", "WASHINGTON (Reuters) - "),
        ("Feb 15 (Reuters) - Talks began.", "Talks began.", "Feb 15 (Reuters) - "),
        ("NEW DELHI: Ministers met.", "Ministers met.", "NEW DELHI: "),
    ],
)
def test_clean_strip_dateline_removes_opening_dateline(text: str, rest: str, removed: str) -> None:
    cleaned, removals = strip_dateline(text)
    assert cleaned == rest
    assert [r.text for r in removals] == [removed]


@pytest.mark.parametrize(
    "text",
    [
        "Troops returned to base on Tuesday.",
        "NATO said on Tuesday it saw no withdrawal.",
        "U.S. officials - speaking anonymously - said so.",
        "A — dash in an odd place.",
    ],
)
def test_clean_strip_dateline_leaves_sentences_alone(text: str) -> None:
    assert strip_dateline(text) == (text, [])


@pytest.mark.parametrize(
    ("line", "authors", "org"),
    [
        ("By Jane Roe", ["Jane Roe"], None),
        ("By JANE ROE and JOHN DOE, Associated Press", ["JANE ROE", "JOHN DOE"], "Associated Press"),
        ("By Ann Writer, Ben Reporter and Cy Editor", ["Ann Writer", "Ben Reporter", "Cy Editor"], None),
        ("By Maria de la Cruz | Reuters", ["Maria de la Cruz"], "Reuters"),
    ],
)
def test_clean_match_byline_extracts_authors(line: str, authors: list[str], org: str | None) -> None:
    assert match_byline(line) == (authors, org)


@pytest.mark.parametrize(
    "line",
    ["By Tuesday the troops had left.", "by the end of the week.", "By contrast, the ministry disagreed."],
)
def test_clean_match_byline_rejects_sentences(line: str) -> None:
    assert match_byline(line) is None


def test_clean_strip_byline_only_near_top_or_last_line() -> None:
    text = "By Jane Roe\n\nFirst paragraph.\n\nBy Lake Tana lies a town.\n\nLast paragraph."
    cleaned, removals = strip_byline(text)
    assert [r.text for r in removals] == ["By Jane Roe"]
    assert "By Lake Tana" in cleaned


@pytest.mark.parametrize(
    ("line", "publisher", "authors"),
    [
        (
            "(c) 2022, The Washington Post · A. Author, B. Author {example.com}",
            "The Washington Post",
            ["A. Author", "B. Author"],
        ),
        ("© 2024 Example Wire. All rights reserved.", "Example Wire", []),
        ("Copyright 2023 The Associated Press. All rights reserved.", "The Associated Press", []),
        ("(C) 2021 Daily Example | Sam Smith", "Daily Example", ["Sam Smith"]),
    ],
)
def test_clean_parse_credit_line(line: str, publisher: str, authors: list[str]) -> None:
    assert is_credit_line(line)
    assert parse_credit_line(line) == (publisher, authors)


@pytest.mark.parametrize(
    "line",
    [
        "This article was originally published by Example News.",
        "Distributed by Example Content Agency.",
        "All rights reserved.",
    ],
)
def test_clean_strip_credit_lines_removes_syndication_notes(line: str) -> None:
    cleaned, removals = strip_credit_lines(f"{BODY}\n\n{line}")
    assert cleaned.strip() == BODY
    assert [r.text for r in removals] == [line]


@pytest.mark.parametrize(
    "line",
    [
        "Some information for this report came from AP and Reuters.",
        "Reporting by Ann Writer; Editing by Ben Reporter",
        "(Additional reporting by Cy Editor in Kyiv)",
        "Read more: What the sanctions mean",
        "Associated Press writer Dee Example in Geneva contributed to this report.",
        "Follow us on Twitter for updates",
        "Sign up for our morning newsletter",
    ],
)
def test_clean_strip_wire_footer(line: str) -> None:
    cleaned, removals = strip_wire_footer(f"{BODY}\n\n{line}")
    assert cleaned.strip() == BODY
    assert len(removals) == 1


@pytest.mark.parametrize(
    "line",
    [
        "FILE - Soldiers walk past a damaged building. (AP Photo/Example Person)",
        "Photo: Example Agency",
        "Protesters gather in the square. (Photo by A. Person/Getty Images)",
        "Image caption: Firefighters at the scene",
        "Rescue workers search rubble. REUTERS/Example Person",
    ],
)
def test_clean_strip_captions(line: str) -> None:
    cleaned, removals = strip_captions(f"{BODY}\n\n{line}")
    assert cleaned.strip() == BODY
    assert [r.text for r in removals] == [line]


@pytest.mark.parametrize(
    ("block", "voiced"),
    [
        ("I can't believe anyone falls for this!", True),
        ("You people are idiots.", True),
        ("What a JOKE. TOTAL DISASTER.", True),
        ("reader99 wrote:\nThey never learn", True),
        ("The minister said the talks would resume on Friday.", False),
        ("Ministers from both countries will meet again next month in Geneva.", False),
    ],
)
def test_clean_comment_voice(block: str, voiced: bool) -> None:
    assert (comment_voice(block) > 0) is voiced


def test_clean_syndicated_story_with_credit_and_two_comments() -> None:
    raw = (
        f"{BODY}\n\n(c) 2022, The Example Post · A. Author, B. Author {{example.com}}\n\n\n\n"
        "Great, more talks. I'm sure THIS time it will work!\n\n"
        "You people are so naive, wake up."
    )
    story = clean(raw)
    assert story.text == BODY
    assert story.publisher == "The Example Post"
    assert story.authors == ("A. Author", "B. Author")
    assert story.credits == ("(c) 2022, The Example Post · A. Author, B. Author {example.com}",)
    assert story.comments == (
        "Great, more talks. I'm sure THIS time it will work!",
        "You people are so naive, wake up.",
    )


def test_clean_comments_after_blank_gap_without_credit() -> None:
    raw = f"{BODY}\n\n\n\n\nlol you believe this?\n\nMy cousin lives there and it's nonsense!"
    story = clean(raw)
    assert story.text == BODY
    assert len(story.comments) == 2


def test_clean_news_after_blank_gap_is_kept() -> None:
    later = "The ministry said a second round of talks would take place in March."
    story = clean(f"{BODY}\n\n\n\n\n{later}")
    assert story.comments == ()
    assert later in story.text


def test_clean_comments_without_layout_cue_are_kept() -> None:
    # Voice alone is not enough: a quoted first-person paragraph is article text.
    text = f"{BODY}\n\nI will not resign, the minister told reporters on Friday!"
    assert split_reader_comments(text) == (text, [])


def test_clean_removed_parts_are_kept_rule_by_rule() -> None:
    raw = "By Jane Roe\n\nLONDON — Talks began.\n\nFILE - A photo. (AP Photo/X Y)\n\nRead more: example"
    story = clean(raw)
    assert story.text == "Talks began."
    assert [r.rule for r in story.removed] == ["strip_wire_footer", "strip_captions", "strip_byline", "strip_dateline"]
    assert story.dateline == "London"


def test_clean_text_collapses_blank_runs() -> None:
    assert clean_text("One.\n\n\n\n\nTwo.") == ("One.\n\nTwo.", [])


# --- properties ----------------------------------------------------------------

WORDS = ["the", "ministers", "talks", "border", "government", "agreed", "troops", "officials", "capital", "monday"]
NAMES = ["Geneva", "Russia", "Ukraine", "Kenya", "Brazil", "Asha", "Omar", "Lena"]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS + NAMES), min_size=4, max_size=18))
    verb = draw(st.sampled_from(["said", "met", "announced", "rejected", "visited"]))
    sentence = " ".join([words[0].capitalize(), verb, *words[1:]])
    return sentence + draw(st.sampled_from([".", ".", "?"]))


@st.composite
def articles(draw: st.DrawFn) -> str:
    paragraphs = draw(st.lists(st.lists(sentences(), min_size=1, max_size=4), min_size=1, max_size=6))
    return "\n\n".join(" ".join(p) for p in paragraphs)


@settings(max_examples=150, deadline=None)
@given(articles())
def test_clean_never_removes_a_sentence_of_a_plain_article(article: str) -> None:
    cleaned, removals = clean_text(article)
    assert removals == []
    assert cleaned == article.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_clean_never_crashes_and_keeps_what_it_removes(text: str) -> None:
    cleaned, removals = clean_text(text)
    kept = len(cleaned.replace("\n", "").replace(" ", ""))
    removed = sum(len(r.text.replace("\n", "").replace(" ", "")) for r in removals)
    assert kept + removed <= len(text.replace("\n", "").replace(" ", ""))
    assert all(r.text in text for r in removals)


@pytest.mark.parametrize(
    "footer",
    [
        "Ann Writer and Ben Reporter contributed to this report.",
        "Cy Editor of the Example Service contributed to this report from Kabul.",
        "This story originated in the Example Service.",
        "Some information for this report came from Example Wire.",
    ],
)
def test_clean_strip_wire_footer_inline_at_end(footer: str) -> None:
    text = f"Ministers met on Monday. “We agreed,” one said. {footer}"
    cleaned, removals = strip_wire_footer(text)
    assert cleaned == "Ministers met on Monday. “We agreed,” one said."
    assert [r.text for r in removals] == [footer]


def test_clean_strip_wire_footer_inline_only_at_end() -> None:
    text = "Two reporters contributed to this report on Monday, the editor said. Talks went on."
    assert strip_wire_footer(text) == (text, [])
