"""Quotations: direct quotes inside quotation marks, and indirect "X said (that) ..." reports.

Direct quotes are found in the text itself: curly quotes pair “ with ”, straight
quotes pair in order, and a quote left open at the end of a paragraph continues
when the next paragraph opens with a quotation mark (the newspaper convention).
Their speaker is the subject of a reporting verb outside the marks in the same
sentence (“...,” he said), else in the sentence just before that ends with a
colon or just after ("He added."), else the speaker of the quote immediately
before (a quote continued after "he said").

Indirect quotes are reporting verbs with a clausal complement ("Russia said its
troops were returning") and "according to X".
"""

from __future__ import annotations

import bisect
import sys

from spacy.tokens import Doc, Span, Token

from .actors import REPORTING, Context, mentions, resolve, speaker_of
from .records import Actor, Quote, Story

_OPEN, _CLOSE = "“", "”"


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of direct quotations (without the marks).

    One quotation is open at a time: “ or " opens it, ” or " closes it, so
    stories that mix straight and curly marks still pair up. A quotation still
    open at a paragraph break continues only if the next paragraph opens with a
    quotation mark (the newspaper convention); otherwise it is dropped.

    Example:
        >>> text = "“We will not retreat,” he said."
        >>> [text[s:e] for s, e in quote_spans(text)]
        ['We will not retreat,']
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, ch in enumerate(text):
        if start is None and ch in (_OPEN, '"'):
            start = i + 1
        elif start is not None and ch in (_CLOSE, '"'):
            spans.append((start, i))
            start = None
        elif start is not None and ch == _OPEN:
            start = i + 1  # an opening mark inside an open quote: the earlier one was never closed
        elif start is not None and ch == "\n" and text[i : i + 2] == "\n\n":
            if text[i + 2 : i + 3] in (_OPEN, '"'):
                spans.append((start, i))  # continues in the next paragraph, which opens anew
            start = None
    return spans


def inside(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The quote span containing ``[start, end)``, if any.

    ``spans`` are sorted and disjoint, as :func:`quote_spans` gives them, so a binary
    search finds the only candidate: scanning every quotation of the story for every
    token made coding quadratic in story length.
    """
    i = bisect.bisect_right(spans, (start, sys.maxsize)) - 1  # the last span opening at or before start
    if i >= 0 and end <= spans[i][1]:
        return spans[i]
    return None


def starting_in(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The quote spans (sorted and disjoint) that open inside ``[start, end)``."""
    i = bisect.bisect_left(spans, (start, -1))
    found = []
    while i < len(spans) and spans[i][0] < end:
        found.append(spans[i])
        i += 1
    return found


def reporting_verb(sent: Span, spans: list[tuple[int, int]]) -> Token | None:
    """The reporting verb of a sentence that stands outside any quotation."""
    for token in sent:
        if (
            token.lemma_ in REPORTING
            and token.pos_ in ("VERB", "AUX")
            and not inside(spans, token.idx, token.idx + 1)
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)
        ):
            return token
    return None


def subject_of(verb: Token) -> Token | None:
    """The subject of a verb, following conjoined verbs back to a shared subject."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
        return subject_of(verb.head)
    return None


def according_to(sent: Span) -> Token | None:
    """The X of "according to X" in a sentence."""
    for token in sent:
        if token.lower_ == "according":
            for prep in token.children:
                if prep.lower_ == "to":
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            return obj
    return None


def speaker(token: Token | None, ctx: Context) -> Actor | None:
    """Resolve a speaker token (a subject, or the X of "according to X")."""
    return speaker_of(token, ctx) if token is not None else None


def _sentence_at(sents: list[Span], starts: list[int], offset: int) -> int | None:
    """The index of the sentence holding character ``offset`` (``starts``: the sentences' first offsets)."""
    i = bisect.bisect_right(starts, offset) - 1
    return i if i >= 0 and offset <= sents[i].end_char else None


def _speaker_token(sent: Span, spans: list[tuple[int, int]]) -> tuple[Token | None, Token | None]:
    verb = reporting_verb(sent, spans)
    return (subject_of(verb), verb) if verb is not None else (None, None)


def set_speaker(sent: Span, quotes: list[tuple[int, int]], ctx: Context) -> None:
    """Who speaks the quotation in this sentence, for "we" and "I": the subject of a reporting
    verb outside the marks; a sentence wholly inside a quote keeps the last speaker."""
    verb = reporting_verb(sent, quotes)
    if verb is not None:
        subject = subject_of(verb)
        if subject is not None and subject.lower_ not in ("i", "we"):
            ctx.memory.speaker = resolve(subject, ctx) or ctx.memory.speaker
    elif not starting_in(quotes, sent.start_char, sent.end_char) and not inside(
        quotes, sent.start_char + 1, sent.start_char + 2
    ):
        ctx.memory.speaker = None  # no quotation here: "we" is nobody we know


def extract_quotes(story: Story, doc: Doc, ctx: Context) -> list[Quote]:
    """Every direct and indirect quotation of a parsed story, in order, with speakers.

    Example:
        >>> # tocsin.quotes("“We will not retreat,” the minister said.")[0].cue
        >>> # 'said'
    """
    spans = quote_spans(story.text)
    sents = [s for s in doc.sents if s.text.strip()]
    starts = [s.start_char for s in sents]
    found: list[Quote] = []
    last: Actor | None = None
    last_sentence = -10
    for i, sent in enumerate(sents):
        set_speaker(sent, spans, ctx)
        mentions(sent, ctx)  # in reading order, so pronouns see earlier mentions and "we" the speaker
        subject, verb = _speaker_token(sent, spans)
        said_by = speaker(subject, ctx)
        for start, end in starting_in(spans, sent.start_char, sent.end_char):
            who, cue = said_by, verb.text if verb is not None else None
            cue_start = verb.idx if verb is not None else None
            closing = _sentence_at(sents, starts, end)
            if who is None and closing is not None and closing > i:
                # “... Several sentences ...,” the minister said: the verb where the quotation closes
                end_subject, end_verb = _speaker_token(sents[closing], spans)
                if end_verb is not None and end_subject is not None:
                    who, cue, cue_start = speaker(end_subject, ctx), end_verb.text, end_verb.idx
            if who is None and i > 0 and sents[i - 1].text.rstrip().endswith(":"):
                prev_subject, prev_verb = _speaker_token(sents[i - 1], spans)
                who = speaker(prev_subject, ctx)
                cue = prev_verb.text if prev_verb is not None else cue
                cue_start = prev_verb.idx if prev_verb is not None else cue_start
            if who is None and i + 1 < len(sents) and "\n\n" not in story.text[sent.end_char : sents[i + 1].start_char]:
                next_subject, next_verb = _speaker_token(sents[i + 1], spans)
                if next_verb is not None and not any(c.dep_ == "ccomp" for c in next_verb.children):
                    who, cue = speaker(next_subject, ctx), next_verb.text
                    cue_start = next_verb.idx
            if who is None and last is not None and i - last_sentence <= 1:
                who, cue = last, cue or "(continued)"  # only when no other sentence came between
            if who is None and ctx.memory.speaker is not None:
                who, cue = ctx.memory.speaker, cue or "(continued)"  # a quotation running over sentences
            found.append(
                Quote(
                    story_id=story.id,
                    speaker=who,
                    cue=cue,
                    text=story.text[start:end].strip(),
                    start=start,
                    end=end,
                    direct=True,
                    date=story.pub_date,
                    cue_start=cue_start,
                )
            )
            last, last_sentence = who, i
        for token in sent:
            if (
                token.lemma_ not in REPORTING
                or token.pos_ not in ("VERB", "AUX")
                or inside(spans, token.idx, token.idx + 1)
            ):
                continue
            for child in token.children:
                clause = doc[child.left_edge.i : child.right_edge.i + 1]
                words = [t for t in clause if not t.is_punct]
                # a clause wholly inside quotation marks is the direct quote, already found;
                # one that only quotes a word ("said the West was “lying”") is reported speech
                whole = inside(spans, words[0].idx, words[-1].idx + len(words[-1])) if words else True
                if child.dep_ == "ccomp" and not whole:
                    who_token = subject_of(token)
                    found.append(
                        Quote(
                            story_id=story.id,
                            speaker=speaker(who_token, ctx),
                            cue=token.text,
                            text=clause.text,
                            start=clause.start_char,
                            end=clause.end_char,
                            direct=False,
                            date=story.pub_date,
                            cue_start=token.idx,
                        )
                    )
        source = according_to(sent)
        if source is not None:
            found.append(
                Quote(
                    story_id=story.id,
                    speaker=speaker(source, ctx),
                    cue="according to",
                    text=sent.text,
                    start=sent.start_char,
                    end=sent.end_char,
                    direct=False,
                    date=story.pub_date,
                    cue_start=source.head.head.idx,  # according → to → X
                )
            )
    return sorted(found, key=lambda q: q.start)
