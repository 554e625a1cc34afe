from __future__ import annotations

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
