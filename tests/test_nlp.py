from __future__ import annotations

from typing import Any

import pytest

from tocsin.errors import ConfigError
from tocsin.nlp import load, parse, sentences
from tocsin.records import Story


@pytest.mark.parametrize("n_sentences", [3])
def test_nlp_sentences_index_into_story_text(nlp: object, n_sentences: int) -> None:
    story = Story(id="s", text="Putin met Scholz in Moscow.  They talked for hours.\n\nNo deal was reached.")
    ((parsed_story, doc),) = parse([story])
    found = sentences(parsed_story, doc)
    assert len(found) == n_sentences
    assert all(story.text[s.start : s.end] == s.text for s in found)
    assert [s.index for s in found] == list(range(n_sentences))


def test_nlp_parse_keeps_input_order_and_streams(nlp: object) -> None:
    stories = (Story(id=str(i), text=f"Story number {i} is short.") for i in range(50))
    assert [story.id for story, _ in parse(stories, batch_size=7)] == [str(i) for i in range(50)]


def test_nlp_missing_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="pip install"):
        load("no_such_model_package")


def test_nlp_entities_in_a_sentence_match_spacy(nlp: Any) -> None:
    """entities_in (IOB tags, linear) finds what Span.ents (every entity of the doc, per call) finds."""
    from tocsin.nlp import entities_in

    doc = nlp(
        "Russian President Vladimir Putin met German Chancellor Olaf Scholz in Moscow on Tuesday. "
        "NATO said on Feb. 16 that the United States and the European Union would respond. "
        "Nothing else happened. Last week, Xi Jinping visited Paris."
    )
    for sent in doc.sents:
        assert [(e.start, e.end, e.label_) for e in entities_in(sent)] == [
            (e.start, e.end, e.label_) for e in sent.ents
        ]
    assert entities_in(doc[3:5]) == [e for e in doc.ents if e.start >= 3 and e.end <= 5]


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        # an inline subheading glued to the next sentence starts a sentence of its own
        ("The talks ended. Fresh fighting Since the weekend, rebels have shelled Goma.", "Since the weekend"),
        ("Aid arrived. Border crossings The convoy entered at dawn.", "The convoy"),
        ("Kenya sent envoys to The Hague.", None),  # no subheading before a title
    ],
)
def test_nlp_an_inline_subheading_ends_before_a_clause_opener(nlp: Any, text: str, starts: str | None) -> None:
    sents = [s.text for s in load()(text).sents]
    if starts is None:
        assert not any(s.startswith("The Hague") for s in sents)
    else:
        assert any(s.startswith(starts) for s in sents)
