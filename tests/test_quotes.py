"""Quotations: quote marks, speakers of direct and indirect quotes, and the `tocsin quotes` command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tocsin.cli import cli
from tocsin.pipeline import quotes
from tocsin.quotes import inside, quote_spans, starting_in
from tocsin.records import Quote

DAY = date(2022, 2, 15)


def spans(text: str) -> list[str]:
    return [text[start:end] for start, end in quote_spans(text)]


def only(text: str) -> Quote:
    found = quotes(text, pub_date=DAY)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "text",
    ["“We will not retreat,” he said.", '"We will not retreat," he said.', '“We will not retreat," he said.'],
    ids=["curly", "straight", "curly-open-straight-close"],
)
def test_quotes_quote_spans_pair_marks(text: str) -> None:
    assert spans(text) == ["We will not retreat,"]


def test_quotes_quote_spans_two_quotes_in_one_sentence() -> None:
    assert spans("“We are ready,” he said, “to defend every ally.”") == ["We are ready,", "to defend every ally."]


def test_quotes_quote_spans_continue_into_next_paragraph() -> None:
    text = "“We will stay here.\n\n“We will not retreat,” he said."
    assert spans(text) == ["We will stay here.", "We will not retreat,"]


def test_quotes_quote_spans_unclosed_quote_is_dropped() -> None:
    assert spans("“We will stay here.\n\nHe left the room.") == []


def test_quotes_quote_spans_no_marks_no_spans() -> None:
    assert spans("He said nothing at all.") == []


def test_quotes_attribution_after_quote() -> None:
    quote = only("“The alliance stands united,” Stoltenberg said.")
    assert quote.speaker is not None
    assert (quote.speaker.country, quote.speaker.kb_id) == ("NATO", "jens-stoltenberg")
    assert quote.text == "The alliance stands united,"


@pytest.mark.parametrize("text", ["“We are ready,” said Stoltenberg.", "Stoltenberg said: “We are ready.”"])
def test_quotes_attribution_inverted_or_before_with_colon(text: str) -> None:
    quote = only(text)
    assert quote.speaker is not None and quote.speaker.kb_id == "jens-stoltenberg"


def test_quotes_attribution_in_the_paragraph_before_a_colon() -> None:
    quote = only("Stoltenberg said on Monday:\n\n“We are ready.”")
    assert quote.speaker is not None and quote.speaker.kb_id == "jens-stoltenberg"


@pytest.mark.parametrize(
    ("text", "kb_id"),
    [
        ("NATO Secretary General Jens Stoltenberg arrived in Brussels. “We are ready,” he said.", "jens-stoltenberg"),
        ("Putin met Scholz. “We stand with Ukraine,” he said.", "vladimir-putin"),
    ],
)
def test_quotes_pronoun_speaker_is_the_named_person(text: str, kb_id: str) -> None:
    quote = only(text)
    assert quote.speaker is not None and quote.speaker.kb_id == kb_id


def test_quotes_she_speaker_is_the_named_woman() -> None:
    found = [q for q in quotes("Liz Truss visited Kyiv. “We stand with Ukraine,” she said.", pub_date=DAY) if q.direct]
    assert found[0].speaker is not None and found[0].speaker.kb_id == "liz-truss"


def test_quotes_direct_quote_is_not_repeated_as_indirect() -> None:
    found = quotes("Liz Truss visited Kyiv. “We stand with Ukraine,” she said.", pub_date=DAY)
    assert [q.direct for q in found] == [True]


def test_quotes_paragraphs_keep_each_speaker() -> None:
    text = "Scholz arrived in Kyiv.\n\n“We are ready,” he said.\n\nLater, Putin spoke.\n\n“We are not,” he said."
    found = quotes(text, pub_date=DAY)
    assert [q.speaker.kb_id if q.speaker else None for q in found] == ["olaf-scholz", "vladimir-putin"]


def test_quotes_continued_quote_keeps_the_speaker() -> None:
    _, second = quotes("“We are ready,” Stoltenberg said. “We will defend every ally.”", pub_date=DAY)
    assert second.text == "We will defend every ally."
    assert second.speaker is not None and second.speaker.kb_id == "jens-stoltenberg"
    assert second.direct


def test_quotes_continued_quote_across_paragraphs_keeps_the_speaker() -> None:
    text = "Stoltenberg spoke to reporters.\n\n“We are ready,” he said. “We will defend every ally.\n\n“No doubt.”"
    found = quotes(text, pub_date=DAY)
    assert [q.text for q in found][-1] == "No doubt."
    assert {q.speaker.kb_id if q.speaker else None for q in found} == {"jens-stoltenberg"}


def test_quotes_continuation_stops_at_a_new_person() -> None:
    text = "“We do not want war,” Putin said. Scholz disagreed. “Nobody threatens Russia.”"
    last = quotes(text, pub_date=DAY)[-1]
    assert last.speaker is None or last.speaker.kb_id != "vladimir-putin"


def test_quotes_indirect_report() -> None:
    quote = only("The Kremlin said its troops were leaving.")
    assert not quote.direct
    assert quote.speaker is not None and quote.speaker.country == "RUS"
    assert "troops were leaving" in quote.text


def test_quotes_indirect_told_reporters() -> None:
    quote = only("Scholz told reporters that the talks had been useful.")
    assert (quote.direct, quote.cue) == (False, "told")
    assert quote.speaker is not None and quote.speaker.kb_id == "olaf-scholz"


@pytest.mark.parametrize(
    "text",
    [
        "Some troops were leaving the border, according to Ukraine's defence ministry.",
        "According to Ukraine's defence ministry, some troops were leaving.",
    ],
)
def test_quotes_according_to(text: str) -> None:
    quote = only(text)
    assert (quote.direct, quote.cue) == (False, "according to")
    assert quote.speaker is not None and quote.speaker.country == "UKR"


def test_quotes_told_reporters_direct() -> None:
    text = "“We stand with Ukraine,” Scholz told reporters in Berlin."
    quote = only(text)
    assert (quote.direct, quote.cue) == (True, "told")
    assert quote.speaker is not None and quote.speaker.kb_id == "olaf-scholz"
    assert quote.cue_start == text.index("told")


def test_quotes_direct_quote_has_cue_and_offsets() -> None:
    text = "Russian President Vladimir Putin met Scholz. “We do not want war,” Putin said."
    quote = only(text)
    assert (quote.direct, quote.cue) == (True, "said")
    assert text[quote.start : quote.end] == quote.text == "We do not want war,"
    assert quote.date == DAY


def test_quotes_partial_quote_inside_a_report_is_direct_too() -> None:
    found = quotes("The Kremlin said the West was “lying” about the troops.", pub_date=DAY)
    assert sorted(q.direct for q in found) == [False, True]
    assert {q.speaker.country if q.speaker else None for q in found} == {"RUS"}


def test_quotes_unattributed_quote_has_no_speaker() -> None:
    quote = only("“We are ready,” he said.")
    assert quote.speaker is None


def test_quotes_cli_prints_jsonl_with_speaker(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Russian President Vladimir Putin spoke to reporters in Moscow on Tuesday.\n\n"
        "“We do not want a war in Europe,” Putin said.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["quotes", str(story)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    direct = [r for r in records if r["direct"]]
    assert direct[0]["text"] == "We do not want a war in Europe,"
    assert direct[0]["speaker"]["kb_id"] == "vladimir-putin"
    assert direct[0]["cue"] == "said"
    assert "1 ok" in result.stderr


# Issue #13: quotation lookups are binary searches (a scan per token made coding quadratic); they must
# find what a scan over every span finds.
@given(st.lists(st.sampled_from(["“", "”", '"', "a", " ", "\n\n", "b."]), max_size=60).map("".join))
@hypothesis_settings(max_examples=200, deadline=None)
def test_quotes_span_lookups_match_a_scan(text: str) -> None:
    spans = quote_spans(text)
    for start in range(len(text) + 1):
        for end in range(start, min(len(text), start + 3) + 1):
            assert inside(spans, start, end) == next((s for s in spans if s[0] <= start and end <= s[1]), None)
            assert starting_in(spans, start, end) == [s for s in spans if start <= s[0] < end]


STORY = (
    "“Russian troops shelled Kharkiv again. They attacked our positions at dawn,” Ukraine's defence minister said.\n\n"
    "Moscow denied the claim. “We did not attack anyone,” the Kremlin said, adding that its forces had withdrawn."
)


def test_quotes_speakers_and_asserted_by_come_from_one_attribution_pass() -> None:
    from tocsin.nlp import parse
    from tocsin.pipeline import analyse, clean
    from tocsin.settings import Settings

    story = clean(STORY, pub_date="2024-03-01")
    ((story, doc),) = parse([story])
    coded = analyse(story, doc, Settings())
    direct = [q for q in coded.quotes if q.direct]
    quoted = [e for e in coded.events if e.quote]
    assert len(quoted) >= 3, "the story's quoted events were coded"
    for event in quoted:
        (around,) = [q for q in direct if q.start < event.span[1] and event.span[0] < q.end]
        assert around.speaker is not None and event.asserted_by is not None, event.explain
        assert (event.asserted_by.country, event.asserted_by.text) == (around.speaker.country, around.speaker.text)


def test_quotes_an_unnamed_source_is_the_speaker_the_events_are_asserted_by() -> None:
    from tocsin.pipeline import code

    text = "Kenya mourned its soldiers in Kenya. Security sources said rebels killed five soldiers in Garissa."
    (said,) = [q for q in quotes(text, pub_date=date(2024, 3, 1)) if not q.direct]
    assert said.speaker is not None and said.speaker.text == "Security sources"
    (killing,) = [e for e in code(text, pub_date=date(2024, 3, 1)) if e.event_type == "ASSAULT"]
    assert killing.asserted_by is not None and killing.asserted_by.text == "Security sources"
    assert killing.asserted_by.country == "KEN"  # an unnamed official source, placed by the story
