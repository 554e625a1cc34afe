"""Cleaning: take the non-article parts out of a story, and keep them.

Each rule is a small pure function ``text -> (text, [Removal])``; :data:`RULES`
is the whole list, in the order they run:

1. ``split_reader_comments`` first, because it uses the credit line and long
   blank gaps as its layout cues before they are removed.
2. ``strip_credit_lines``: copyright and syndication lines ("(c) 2022, The
   Post · A. Author {example.com}").
3. ``strip_wire_footer``: "Some information for this report came from ...",
   "Reporting by ...", "Read more", newsletter and social prompts.
4. ``strip_captions``: photo captions and credits ("(AP Photo/...)", "FILE -").
5. ``strip_byline``: "By Jane Roe, Associated Press" near the top.
6. ``strip_dateline``: "KYIV, Ukraine (AP) —" at the start of the text.

Removed text is kept in ``Story.removed`` (and credits and comments in their
own fields); publisher and authors found in credit lines and bylines go into
the record. Nothing is silently discarded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .records import Removal, Story

Rule = Callable[[str], tuple[str, list[Removal]]]


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    start: int


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append(_Line(line, pos))
        pos += len(line) + 1
    return out


def _drop_lines(text: str, rule: str, keep: Callable[[int, list[_Line]], bool]) -> tuple[str, list[Removal]]:
    """Remove whole lines for which ``keep(index, lines)`` is False."""
    lines = _lines(text)
    kept: list[str] = []
    removed: list[Removal] = []
    for i, line in enumerate(lines):
        if line.text.strip() and not keep(i, lines):
            removed.append(Removal(rule=rule, text=line.text, start=line.start))
        else:
            kept.append(line.text)
    return ("\n".join(kept), removed) if removed else (text, [])


# --- credit lines -----------------------------------------------------------

_CREDIT = re.compile(
    r"""^\s*(?:\(c\)|\(C\)|©|copyright\b)\s*(?:©\s*)?(?P<year>(?:19|20)\d\d)?[\s,.:-]*
        (?P<publisher>[^·|{}\n]*?)\s*
        (?:[·|•]\s*(?P<authors>[^{}\n]*?))?\s*
        (?:\{(?P<site>[^}\n]+)\})?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SYNDICATION = re.compile(
    r"""^\s*(?:this\ (?:article|story)\ (?:was\ |first\ |originally\ )*(?:published|appeared)\ (?:by|in|on)
        |(?:distributed|syndicated|republished)\ (?:by|with\ permission|under)
        |all\ rights\ reserved\.?\s*$)""",
    re.IGNORECASE | re.VERBOSE,
)
_RIGHTS = re.compile(r"\.?\s*all rights reserved\.?\s*$", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")


def _split_names(names: str) -> list[str]:
    return [n.strip(" .") for n in _NAME_SPLIT.split(names) if n.strip(" .")]


def is_credit_line(line: str) -> bool:
    """True for a copyright or syndication credit line.

    Example:
        >>> is_credit_line("(c) 2022, The Washington Post · A. Author {example.com}")
        True
    """
    line = line.strip()
    if not line or len(line) > 300:
        return False
    return bool(_CREDIT.match(line) or _SYNDICATION.match(line))


def parse_credit_line(line: str) -> tuple[str | None, list[str]]:
    """Return ``(publisher, authors)`` named in a credit line.

    Example:
        >>> parse_credit_line("(c) 2022, The Washington Post · A. Author, B. Author {example.com}")
        ('The Washington Post', ['A. Author', 'B. Author'])
    """
    match = _CREDIT.match(line.strip())
    if not match:
        return None, []
    publisher = _RIGHTS.sub("", match["publisher"] or "").strip(" ,.") or None
    return publisher, _split_names(match["authors"] or "")


def strip_credit_lines(text: str) -> tuple[str, list[Removal]]:
    """Remove copyright, syndication and "all rights reserved" lines."""
    return _drop_lines(text, "strip_credit_lines", lambda i, lines: not is_credit_line(lines[i].text))


# --- wire footers -----------------------------------------------------------

_FOOTER = re.compile(
    r"""^\s*\(?\s*(?:
        (?:additional\ )?reporting\ by\b | (?:writing|editing|compiled)\ by\b
      | some\ information\ (?:for|in)\ this\ (?:report|story)\ (?:came|comes|was)\ from
      | (?:read|see)\ more\b | related\s*: | click\ here\b | sign\ up\ for\b | subscribe\ to\b
      | follow\ (?:us|[A-Z]\w*)\ on\ (?:twitter|x|facebook|instagram|telegram)\b
      | share\ this\ (?:article|story)\b | (?:watch|listen)\s*:
      | this\ (?:story|article)\ has\ been\ (?:updated|corrected)\b
      | this\ (?:story|report|article)\ (?:originated|first\ appeared|was\ first\ published)\ (?:in|on|at)\b
      | [^.\n]{0,80}\bcontributed\ (?:reporting\ )?to\ this\ (?:report|story)\.?\s*\)?\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# The same credits run into the last paragraph when a body's whitespace was flattened.
_INLINE_FOOTER = re.compile(
    r"""(?<=[.!?”"’])[ ]+(?P<footer>(?:[A-Z][^.!?\n]{0,160}?\bcontributed\ (?:reporting\ )?to\ this\ (?:report|story)
        |Some\ information\ (?:for|in)\ this\ (?:report|story)\ (?:came|comes)\ from
        |This\ (?:story|report|article)\ (?:originated|first\ appeared|was\ first\ published)\ (?:in|on|at)\b)
        [^\n]{0,160}?[.)]?)[ ]*$""",
    re.VERBOSE,
)


def strip_wire_footer(text: str) -> tuple[str, list[Removal]]:
    """Remove wire-service footers, "Read more" links and social prompts:
    whole lines anywhere, or a credit sentence that ends the last paragraph."""

    def keep(i: int, lines: list[_Line]) -> bool:
        line = lines[i].text
        return len(line) > 300 or not _FOOTER.match(line)

    text, removals = _drop_lines(text, "strip_wire_footer", keep)
    stripped = text.rstrip()
    match = _INLINE_FOOTER.search(stripped)
    if match:
        removals.append(Removal(rule="strip_wire_footer", text=match["footer"], start=match.start("footer")))
        text = stripped[: match.start()]
    return text, removals


# --- captions ---------------------------------------------------------------

_CAPTION = re.compile(
    r"""(?:
        ^\s*(?:FILE(?:\ PHOTO)?\s*[-–—:]
             | (?i:(?:photo|image|picture|caption|photograph)\s*(?:credit|copyright|source)?\s*:)
             | (?i:image\ (?:copyright|source|caption))\b)
      | \((?:AP|AFP|EPA|Reuters|UPI)\ Photo(?:/[^)]*)?\)\s*$
      | (?:Getty\ Images|via\ Getty|Shutterstock|AFP/Getty|EPA-EFE/[^)\n]*|REUTERS/[^)\n]*)\)?\s*$
    )""",
    re.VERBOSE,
)


def strip_captions(text: str) -> tuple[str, list[Removal]]:
    """Remove photo captions and photo credits (whole lines)."""

    def keep(i: int, lines: list[_Line]) -> bool:
        line = lines[i].text
        return len(line) > 400 or not _CAPTION.search(line)

    return _drop_lines(text, "strip_captions", keep)


# --- bylines ----------------------------------------------------------------

_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al|bin|da|del|la|le)){0,4}"
_BYLINE = re.compile(
    rf"""^\s*(?:by|written\ by|from)\s+(?P<names>{_NAME}(?:\s*(?:,|\band\b|&)\s*{_NAME})*)
        \s*(?:[,|–—-]\s*(?P<org>[A-Z][\w .&'-]{{1,60}}))?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_AGENCIES = ("associated press", "reuters", "afp", "agence france-presse", "voa", "bloomberg")


def match_byline(line: str) -> tuple[list[str], str | None] | None:
    """Return ``(authors, organisation)`` for a byline, else None.

    Example:
        >>> match_byline("By Jane Roe and John Doe, Associated Press")
        (['Jane Roe', 'John Doe'], 'Associated Press')
    """
    line = line.strip()
    if len(line) > 150:
        return None
    match = _BYLINE.match(line)
    if not match:
        return None
    names = _split_names(match["names"])
    org = match["org"].strip() if match["org"] else None
    if org is None and names and names[-1].lower() in _AGENCIES:
        org = names.pop()
    # "By Tuesday ..." or "By the time ..." are sentences, not bylines.
    if not names or any(not n[0].isupper() for n in names) or line.endswith((".", "?", "!")):
        return None
    return names, org


def strip_byline(text: str) -> tuple[str, list[Removal]]:
    """Remove a byline in the first three non-empty lines, or on the last line."""
    lines = _lines(text)
    filled = [i for i, line in enumerate(lines) if line.text.strip()]
    bylines = {i for i in filled[:3] + filled[-1:] if match_byline(lines[i].text)}
    return _drop_lines(text, "strip_byline", lambda i, _: i not in bylines)


# --- datelines --------------------------------------------------------------

_DATELINE = re.compile(
    r"""^\s*(?:
        (?P<place>[A-Z][A-Z'./\-]+(?:\ [A-Z][A-Z'./\-]+){0,3}
                  (?:,\ [A-Z][A-Za-z'.\-]+(?:\ [A-Z][A-Za-z'.\-]+){0,3}){0,2})
        \s*(?:\((?P<agency>[A-Za-z .]{2,20})\))?
      | (?:[A-Z][a-z]{2,8}\.?\ \d{1,2}\ )?\((?P<agency2>Reuters|AP|AFP|VOA)\)
    )\s*(?:[-–—]{1,2}|:)\s+""",
    re.VERBOSE,
)


def match_dateline(text: str) -> re.Match[str] | None:
    """Match a dateline at the very start of ``text`` ("MOSCOW —", "KYIV, Ukraine (AP) —")."""
    match = _DATELINE.match(text)
    if match and match["place"] and sum(c.isupper() for c in match["place"].split(",")[0]) < 2:
        return None
    return match


def strip_dateline(text: str) -> tuple[str, list[Removal]]:
    """Remove a dateline that opens the story, keeping the rest of its line."""
    lead = len(text) - len(text.lstrip())
    match = match_dateline(text[lead:])
    if not match:
        return text, []
    end = lead + match.end()
    return text[:lead] + text[end:], [Removal(rule="strip_dateline", text=text[lead:end], start=lead)]


def dateline_place(removals: Iterable[Removal]) -> str | None:
    """The place named by a removed dateline ("KYIV, Ukraine"), if any."""
    for removal in removals:
        if removal.rule == "strip_dateline":
            match = match_dateline(removal.text + " ")
            if match and match["place"]:
                parts = [p.strip() for p in match["place"].split(",")]
                return ", ".join(p.title() if p.isupper() else p for p in parts)
    return None


# --- reader comments --------------------------------------------------------

_GAP = re.compile(r"\n[ ]*\n(?:[ ]*\n){2,}")  # three or more blank lines
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|me|my|mine|lol|imo|imho)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you’re|yours|u|ur)\b", re.IGNORECASE)
_INSULT = re.compile(
    r"\b(?:idiots?|stupid|morons?|dumb|clowns?|pathetic|lmao|rofl|wtf|smh|sheeple|losers?|"
    r"garbage|trash|disgusting|joke|shame on|fake news|wake up|brainwashed|puppets?)\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(
    r"^\s*(?:@\w+|\w[\w.-]{1,30}\s+(?:wrote|said|says):\s*$|reply\b|report abuse\b|\d+\s+(?:likes?|replies)\b)"
    r"|\b\d+\s+(?:minutes?|hours?|days?)\s+ago\b",
    re.IGNORECASE | re.MULTILINE,
)
_NEWS_VOICE = re.compile(r"\b(?:said|says|told|according to|reported|announced)\b")


def comment_voice(block: str) -> int:
    """Score how much a block reads like a reader's comment (0 = reads like news).

    Cues: first and second person outside quotation marks, exclamation marks,
    insults and internet slang, shouting in capitals, and comment-thread
    furniture (handles, "wrote:", "Reply", "3 hours ago").
    """
    unquoted = re.sub(r"[\"“][^\"”]*[\"”]", " ", block)
    score = 0
    score += bool(_FIRST_PERSON.search(unquoted))
    score += bool(_SECOND_PERSON.search(unquoted))
    score += "!" in unquoted or "?!" in unquoted
    score += bool(_INSULT.search(unquoted))
    score += 2 * bool(_HANDLE.search(block))
    score += len(re.findall(r"\b[A-Z]{4,}\b", unquoted)) >= 2
    if _NEWS_VOICE.search(unquoted) and score < 2:
        score = 0
    return score


def _blocks(text: str, offset: int) -> list[_Line]:
    """Split into paragraph blocks (separated by blank lines) with offsets."""
    out = []
    for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        out.append(_Line(match.group(), offset + match.start()))
    return out


# Comments can only follow some article: at least a sentence of it.
_MIN_ARTICLE = 40


def _comment_boundary(text: str) -> int | None:
    """Where a tail that may hold reader comments starts: after the last credit
    line that follows some article text, or after a long blank gap."""
    candidates = []
    for line in _lines(text):
        if line.start > _MIN_ARTICLE and is_credit_line(line.text):
            candidates.append(line.start + len(line.text))
    candidates += [m.end() for m in _GAP.finditer(text) if m.start() > _MIN_ARTICLE]
    for match in _HANDLE.finditer(text):
        # comment-thread furniture is itself a layout cue (no gap needed)
        start = text.rfind("\n", 0, match.start()) + 1
        if start > _MIN_ARTICLE:
            candidates.append(start)
    return min(candidates) if candidates else None


def split_reader_comments(text: str) -> tuple[str, list[Removal]]:
    """Split reader comments off the end of a story.

    A tail is treated as comments only when layout and voice agree: it follows
    a credit line, a gap of three or more blank lines, or comment-thread
    furniture; and most of its blocks read like comments (:func:`comment_voice`).
    Each comment block becomes one Removal; a trailing credit line is left
    for ``strip_credit_lines``.
    """
    boundary = _comment_boundary(text)
    if boundary is None:
        return text, []
    blocks = [b for b in _blocks(text[boundary:], boundary) if not is_credit_line(b.text)]
    if not blocks:
        return text, []
    voiced = sum(comment_voice(b.text) > 0 for b in blocks)
    if voiced * 2 < len(blocks):
        return text, []
    # Keep a credit line that sits in the tail: it is a credit, not a comment.
    kept_credits = [b.text for b in _blocks(text[boundary:], boundary) if is_credit_line(b.text)]
    head = text[:boundary].rstrip()
    if kept_credits:
        head += "\n" + "\n".join(kept_credits)
    return head, [Removal(rule="split_reader_comments", text=b.text, start=b.start) for b in blocks]


RULES: tuple[Rule, ...] = (
    split_reader_comments,
    strip_credit_lines,
    strip_wire_footer,
    strip_captions,
    strip_byline,
    strip_dateline,
)

_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_text(text: str, rules: Iterable[Rule] = RULES) -> tuple[str, list[Removal]]:
    """Run the cleaning rules over normalised text; return ``(cleaned, removals)``.

    Example:
        >>> clean_text("MOSCOW — Talks ended.\\n\\nRead more: example.com")[0]
        'Talks ended.'
    """
    removals: list[Removal] = []
    for rule in rules:
        text, removed = rule(text)
        removals += removed
    return _BLANK_RUNS.sub("\n\n", text).strip(), removals


def clean_story(story: Story, rules: Iterable[Rule] = RULES) -> Story:
    """Return a cleaned copy of ``story`` with what was removed kept in its fields."""
    text, removals = clean_text(story.text, rules)
    publisher, authors = story.publisher, list(story.authors)
    credits, comments = [], []
    for removal in removals:
        if removal.rule == "strip_credit_lines":
            credits.append(removal.text.strip())
            found_publisher, found_authors = parse_credit_line(removal.text)
            publisher = publisher or found_publisher
            authors += [a for a in found_authors if a not in authors]
        elif removal.rule == "split_reader_comments":
            comments.append(removal.text.strip())
        elif removal.rule == "strip_byline":
            byline = match_byline(removal.text)
            if byline:
                authors += [a for a in byline[0] if a not in authors]
                publisher = publisher or byline[1]
    return dataclasses.replace(
        story,
        text=text,
        publisher=publisher,
        authors=tuple(authors),
        dateline=story.dateline or dateline_place(removals),
        credits=story.credits + tuple(credits),
        comments=story.comments + tuple(comments),
        removed=story.removed + tuple(removals),
    )
