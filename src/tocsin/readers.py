"""Readers: files, directories, URLs and stdin to a stream of raw stories.

:func:`read` yields :class:`Story` records (raw text, not yet cleaned) and
:class:`Problem` records for documents it could not use. It never raises for a
bad document, and it streams: JSONL, JSON arrays, WARC and gzip are read
record by record, never whole.

Readers are chosen by file suffix from :data:`READERS`; ``.gz`` is unwrapped
first and the inner suffix decides.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import logging
import re
import stat
import sys
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from .errors import InputError
from .records import Problem, Story
from .text import decode, normalize, wide_encoding

log = logging.getLogger(__name__)

Item = Story | Problem
#: Largest document (one file, JSON record, HTML page or WARC record) read, in bytes.
MAX_BYTES = 10_000_000

_TEXT_FIELDS = ("text", "body", "event_text", "content", "article", "story")
_DATE_FIELDS = ("pub_date", "published", "date", "publish_date", "pubdate", "datetime")
_ID_FIELDS = ("id", "story_id", "doc_id", "article_id", "uid")


# --- dates ------------------------------------------------------------------


def parse_date(value: object) -> date | None:
    """Parse a publication date from common forms; None when it is missing.

    Accepts dates, datetimes, ISO strings, most written dates ("March 14, 2025")
    and Unix timestamps in seconds or milliseconds. A value that names no
    plausible publication date (``true``, ``0``, Go's zero time
    ``0001-01-01T00:00:00Z``, a year before 1800 or after 2200) is refused rather
    than read as 1970 or year 1.

    Example:
        >>> parse_date("2025-03-14 20:30:26Z")
        datetime.date(2025, 3, 14)

    Raises:
        InputError: reason ``bad-date`` when a value is present but unreadable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _plausible(value.date(), value)
    if isinstance(value, date):
        return _plausible(value, value)
    if isinstance(value, bool):
        raise InputError("bad-date", f"{value!r} is not a date")
    if isinstance(value, (int, float)):
        # seconds since 1970 from 1973 on, or milliseconds; 0 and small numbers are no dates
        seconds = value / 1000 if 1e11 <= value < 1e14 else value
        if not 1e8 <= seconds < 1e11:
            raise InputError("bad-date", f"the number {value!r} is not a plausible Unix timestamp")
        return _plausible(datetime.fromtimestamp(seconds, tz=UTC).date(), value)
    text = str(value).strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return _plausible(date(int(match[1]), int(match[2]), int(match[3])), text)
        except ValueError:
            pass
    import dateparser  # slow import; most inputs never get here

    try:
        parsed: datetime | None = dateparser.parse(text, languages=["en"], settings={"STRICT_PARSING": False})
    except (ValueError, OverflowError, TypeError, RecursionError):  # dateparser raises these on junk
        parsed = None
    if parsed is None:
        raise InputError("bad-date", f"cannot read the date {text[:60]!r}")
    return _plausible(parsed.date(), text)


def _plausible(day: date, value: object) -> date:
    if not 1800 < day.year < 2200:
        raise InputError("bad-date", f"{str(value)[:60]!r} is not a plausible publication date")
    return day


# --- building stories from records --------------------------------------------


def _first(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _string(record: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """The first of these fields that holds a string (a "source" list of actors is not a publisher)."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _authors(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(a.strip() for a in re.split(r",|;|\band\b", value) if a.strip())
    if isinstance(value, list):
        return tuple(str(a).strip() for a in value if str(a).strip())
    return ()


def _fallback_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def story_from_record(
    record: dict[str, Any], source: str, line: int | None = None, default_id: str | None = None
) -> Iterator[Item]:
    """Yield a Story from a JSON-like record (and a warning Problem for a bad date).

    A record without an id field gets ``default_id``, else a hash of its text.
    """
    where = f"{source}:{line}" if line else source
    text = _first(record, _TEXT_FIELDS)
    if not isinstance(text, str) or not text.strip():
        yield Problem(source=source, line=line, reason="empty", detail="the record has no text field")
        return
    text = normalize(text)
    try:
        pub_date = parse_date(_first(record, _DATE_FIELDS))
    except InputError as exc:
        yield Problem(source=source, line=line, reason=exc.reason, detail=exc.detail, fatal=False)
        pub_date = None
    story_id = _first(record, _ID_FIELDS)
    yield Story(
        id=str(story_id) if story_id is not None else default_id or _fallback_id(text),
        text=text,
        pub_date=pub_date,
        title=_string(record, ("title", "headline")),
        url=_string(record, ("url", "link", "source_url")),
        publisher=_string(record, ("publisher", "source", "site", "outlet")),
        authors=_authors(_first(record, ("author", "authors", "byline"))),
        source=where,
    )


# --- one reader per format ----------------------------------------------------


def _read_limited(stream: IO[bytes], source: str) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError("too-large", f"larger than the {MAX_BYTES:,}-byte limit per document")
    return data


#: A first line that is a headline: short, on its own, not a sentence, not a byline.
_HEADLINE = re.compile(r"[ \t]*(?!by\s)(?P<title>[^\n]{1,200}?[^\s.,;:!?\"”’—–-])[ \t]*\n\s*\S", re.IGNORECASE)


def headline(text: str) -> tuple[str | None, str]:
    """Split a plain-text story into its headline and body, when its first line is one.

    A headline is a first line of at most 200 characters that does not end like a
    sentence (".", "!", "?", ":", a closing quote or a dash) and is not a byline;
    text follows it.

    Example:
        >>> headline("Putin meets Scholz in Moscow\\n\\nRussian President Vladimir Putin met ...")
        ('Putin meets Scholz in Moscow', 'Russian President Vladimir Putin met ...')
    """
    match = _HEADLINE.match(text)
    if match is None:
        return None, text
    return match["title"].strip(), text[match.end() - 1 :]


def read_txt(stream: IO[bytes], source: str) -> Iterator[Item]:
    """One story per file; the id is the file name without its suffixes; a first line
    that is a headline becomes the title (see :func:`headline`)."""
    title, text = headline(normalize(decode(_read_limited(stream, source))))
    yield Story(id=Path(source).name.split(".")[0] or _fallback_id(text), text=text, title=title, source=source)


def _peeked(stream: IO[bytes]) -> tuple[IO[bytes], bytes]:
    """The stream (made peekable if it is not) and its first bytes, not consumed."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        buffered = io.BufferedReader(stream)  # type: ignore[type-var]
        return buffered, buffered.peek(4096)[:4096]
    return stream, bytes(peek(4096)[:4096])


def _lines(stream: IO[bytes]) -> Iterator[bytes | str]:
    """The lines of a stream: bytes, or text for UTF-16 and UTF-32, whose line breaks
    are not a lone ``\\n`` byte (splitting their bytes at ``\\n`` garbles every line)."""
    stream, head = _peeked(stream)
    encoding = wide_encoding(head)
    if encoding is None:
        yield from stream
        return
    reader = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        yield from reader
    finally:
        reader.detach()  # the caller owns and closes the underlying file


def read_jsonl(stream: IO[bytes], source: str) -> Iterator[Item]:
    """One JSON object per line (UTF-8, UTF-16 or UTF-32); a bad line is a Problem and the rest go on."""
    seen = False
    for number, raw in enumerate(_lines(stream), start=1):
        blank = raw.strip(" \t\r\n\ufeff") if isinstance(raw, str) else raw.strip(b" \t\r\n\xef\xbb\xbf")
        if not blank:
            continue
        seen = True
        if len(raw) > MAX_BYTES:
            yield Problem(source=source, line=number, reason="too-large", detail="line over the size limit")
            continue
        try:
            record = json.loads(raw.lstrip("\ufeff") if isinstance(raw, str) else decode(raw))
        except (json.JSONDecodeError, InputError) as exc:
            yield Problem(source=source, line=number, reason="bad-json", detail=str(exc))
            continue
        except RecursionError:
            yield Problem(source=source, line=number, reason="bad-json", detail="JSON nested too deeply to read")
            continue
        if not isinstance(record, dict):
            yield Problem(source=source, line=number, reason="bad-json", detail="the line is not a JSON object")
            continue
        yield from story_from_record(record, source, number)
    if not seen:
        yield Problem(source=source, reason="empty", detail="the file holds no JSON lines")


def _json_values(stream: IO[bytes]) -> Iterator[tuple[Any, int]]:
    """Stream ``(element, size in characters)`` of a top-level JSON array (or one value)."""
    decoder = json.JSONDecoder()
    stream, head = _peeked(stream)
    encoding = wide_encoding(head) or "utf-8-sig"
    reader = io.TextIOWrapper(stream, encoding=encoding, errors="strict")
    try:
        yield from _json_chunks(reader, decoder)
    finally:
        reader.detach()  # the caller owns and closes the underlying file


def _json_chunks(reader: io.TextIOWrapper, decoder: json.JSONDecoder) -> Iterator[tuple[Any, int]]:
    buffer, in_array, done = "", False, False
    while not done:
        chunk = reader.read(1 << 16)
        done = not chunk
        buffer += chunk
        while True:
            buffer = buffer.lstrip()
            if not in_array and buffer.startswith("["):
                in_array, buffer = True, buffer[1:]
                continue
            if in_array and buffer.startswith(","):
                buffer = buffer[1:]
                continue
            if in_array and buffer.startswith("]"):
                return
            if not buffer:
                break
            try:
                value, end = decoder.raw_decode(buffer)
            except json.JSONDecodeError:
                if done or len(buffer) > MAX_BYTES:
                    raise
                break
            yield value, end
            buffer = buffer[end:]
            if not in_array:
                return
    if in_array:
        raise json.JSONDecodeError("the array is not closed", buffer, 0)


def read_json(stream: IO[bytes], source: str) -> Iterator[Item]:
    """A JSON object, or an array of objects, streamed element by element."""
    index = 0
    try:
        for index, (value, size) in enumerate(_json_values(stream), start=1):
            if size > MAX_BYTES:
                yield Problem(source=source, line=index, reason="too-large", detail="record over the size limit")
            elif isinstance(value, dict):
                yield from story_from_record(value, source, index)
            else:
                yield Problem(source=source, line=index, reason="bad-json", detail="the element is not an object")
    except RecursionError:
        yield Problem(source=source, line=index + 1, reason="bad-json", detail="JSON nested too deeply to read")
        return
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if index == 0 and isinstance(exc, json.JSONDecodeError) and not exc.doc.strip():
            yield Problem(source=source, reason="empty", detail="the file holds no JSON")
        else:
            yield Problem(source=source, line=index + 1, reason="bad-json", detail=str(exc).splitlines()[0])
        return
    if index == 0:
        yield Problem(source=source, reason="empty", detail="the file holds no JSON")


def story_from_html(html: str, source: str, url: str | None = None, story_id: str | None = None) -> Iterator[Item]:
    """Extract the main text and metadata of an HTML page with trafilatura."""
    import trafilatura

    try:
        extracted = trafilatura.extract(html, output_format="json", with_metadata=True, url=url, favor_precision=True)
    except Exception as exc:  # trafilatura and lxml raise many types on junk markup
        yield Problem(source=source, reason="no-article", detail=f"HTML could not be parsed: {exc}")
        return
    data = json.loads(extracted) if extracted else {}
    body = str(data.get("text") or "")
    # trafilatura falls back to any text at all: navigation links are not an article
    if len(body.split()) < 8 and not re.search(r"[.!?]", body):
        yield Problem(source=source, reason="no-article", detail="no article text found in the page")
        return
    text = data["text"]
    title = data.get("title")
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1 :]  # trafilatura repeats the headline as the first line
    record = {
        "id": story_id or _fallback_id(url or text),
        "text": text,
        "title": data.get("title"),
        "url": url or data.get("source"),
        "publisher": data.get("sitename") or data.get("source-hostname"),
        "author": data.get("author"),
        "date": data.get("date"),
    }
    yield from story_from_record(record, source)


def read_html(stream: IO[bytes], source: str) -> Iterator[Item]:
    """One HTML page per file."""
    yield from story_from_html(decode(_read_limited(stream, source)), source, story_id=Path(source).name.split(".")[0])


def _entry_text(entry: Any) -> str:
    """The longest text of a feed entry (content, else summary), tags removed."""
    candidates = [c.get("value", "") for c in entry.get("content", [])] + [entry.get("summary", "")]
    html = max(candidates, key=len, default="")
    if "<" not in html:
        return str(html)
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises several types for junk markup
        return re.sub(r"<[^>]+>", " ", html)
    return "\n\n".join(p.strip() for p in root.itertext() if p.strip())


def read_feed_bytes(data: bytes, source: str) -> Iterator[Item]:
    """RSS or Atom: one story per entry."""
    import feedparser

    if not data.strip():
        yield Problem(source=source, reason="empty", detail="the feed file is empty")
        return
    feed = feedparser.parse(data)
    if not feed.entries:
        yield Problem(source=source, reason="no-article", detail="the feed has no entries")
        return
    publisher = feed.feed.get("title")
    for number, entry in enumerate(feed.entries, start=1):
        record = {
            "id": entry.get("id") or entry.get("link") or None,
            "text": _entry_text(entry),
            "title": entry.get("title"),
            "url": entry.get("link"),
            "publisher": publisher,
            "author": entry.get("author"),
            "date": entry.get("published") or entry.get("updated"),
        }
        yield from story_from_record(record, source, number)


def read_feed(stream: IO[bytes], source: str) -> Iterator[Item]:
    """An RSS or Atom feed file."""
    yield from read_feed_bytes(_read_limited(stream, source), source)


def read_warc(stream: IO[bytes], source: str) -> Iterator[Item]:
    """HTML response records of a WARC or WARC.gz file, streamed."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        for number, record in enumerate(ArchiveIterator(stream), start=1):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            body = record.content_stream().read(MAX_BYTES + 1)
            where = f"{source}#{number}"
            if len(body) <= MAX_BYTES and getattr(record.raw_stream, "limit", 0) > 0:
                # bytes the record header promised never came: the file was cut here
                yield Problem(source=where, reason="truncated", detail=f"{url}: the record is cut short")
                return
            if len(body) > MAX_BYTES:
                yield Problem(source=where, reason="too-large", detail=f"{url}: record over the size limit")
                continue
            try:
                yield from story_from_html(decode(body), where, url)
            except InputError as exc:
                yield Problem(source=where, reason=exc.reason, detail=f"{url}: {exc.detail}")
    except (ArchiveLoadFailed, EOFError, zlib.error, OSError, AttributeError, ValueError) as exc:
        # warcio raises AttributeError when a file is cut inside a record header
        yield Problem(source=source, line=number or None, reason="truncated", detail=f"WARC ends early: {exc}")


READERS: dict[str, Callable[[IO[bytes], str], Iterator[Item]]] = {
    ".txt": read_txt,
    ".text": read_txt,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".html": read_html,
    ".htm": read_html,
    ".rss": read_feed,
    ".atom": read_feed,
    ".xml": read_feed,
    ".warc": read_warc,
}


def _reader_for(name: str) -> tuple[Callable[[IO[bytes], str], Iterator[Item]] | None, bool]:
    """The reader for a file name, and whether it is gzipped."""
    suffixes = [s.lower() for s in Path(name).suffixes]
    gzipped = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    if gzipped:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] == ".warc":
        return read_warc, False  # warcio unwraps gzip itself, record by record
    return (READERS.get(suffixes[-1]) if suffixes else None), gzipped


def read_file(path: Path) -> Iterator[Item]:
    """Yield stories and problems from one file."""
    source = str(path)
    reader, gzipped = _reader_for(path.name)
    if reader is None:
        yield Problem(
            source=source,
            reason="unsupported",
            detail=f"no reader for {''.join(path.suffixes) or 'files without a suffix'}",
        )
        return
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):  # opening a FIFO would wait for a writer forever
            yield _special(path, mode)
            return
        with path.open("rb") as raw:
            stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if gzipped else raw  # type: ignore[assignment]
            yield from _guarded(reader(stream, source), source)
    except OSError as exc:
        yield Problem(source=source, reason="unreadable", detail=exc.strerror or str(exc))


def _guarded(items: Iterator[Item], source: str) -> Iterator[Item]:
    """Turn errors raised inside a reader into Problems."""
    try:
        yield from items
    except InputError as exc:
        yield Problem(source=source, reason=exc.reason, detail=exc.detail)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Problem(source=source, reason="truncated", detail=f"compressed file ends early or is corrupt: {exc}")


def _entries(path: Path) -> Iterator[Path | Problem]:
    """Every regular file below ``path`` in name order (hidden names skipped), and a
    Problem for each entry that cannot be read: an unlistable directory, a symbolic
    link that is broken or loops, a FIFO, socket or device (opening one would hang)."""
    seen: set[tuple[int, int]] = set()

    def walk(folder: Path) -> Iterator[Path | Problem]:
        try:
            info = folder.stat()
            children = sorted(folder.iterdir())
        except OSError as exc:
            yield _unreadable(folder, exc, "cannot list the directory")
            return
        if (info.st_dev, info.st_ino) in seen:
            detail = "already read through another path: a symbolic link loops or repeats it"
            yield Problem(source=str(folder), reason="unreadable", detail=detail)
            return
        seen.add((info.st_dev, info.st_ino))
        for child in children:
            if child.name.startswith("."):
                continue
            try:
                mode = child.stat().st_mode
            except OSError as exc:
                yield _unreadable(child, exc, "cannot read")
                continue
            if stat.S_ISDIR(mode):
                yield from walk(child)
            elif stat.S_ISREG(mode):
                yield child
            else:
                yield _special(child, mode)

    yield from walk(path)


def _unreadable(path: Path, exc: OSError, doing: str) -> Problem:
    if path.is_symlink() and isinstance(exc, FileNotFoundError):
        return Problem(source=str(path), reason="unreadable", detail="broken symbolic link: its target does not exist")
    if isinstance(exc, FileNotFoundError):
        return Problem(source=str(path), reason="unreadable", detail="no such file or directory")
    if exc.errno == errno.ELOOP:
        return Problem(source=str(path), reason="unreadable", detail="symbolic link loop")
    return Problem(source=str(path), reason="unreadable", detail=f"{doing}: {exc.strerror or exc}")


def _special(path: Path, mode: int) -> Problem:
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return Problem(source=str(path), reason="unsupported", detail=f"{kind}, not a regular file")


def read_directory(path: Path) -> Iterator[Item]:
    """Every file below ``path``, recursively, in name order; hidden files skipped.

    Entries that cannot be read (unlistable directories, broken or looping links,
    FIFOs, sockets, devices) become Problems, so they are reported and counted.
    """
    for entry in _entries(path):
        if isinstance(entry, Problem):
            yield entry
        else:
            yield from read_file(entry)


def estimate(sources: Iterable[str]) -> int | None:
    """A quick count of the stories in local sources (JSONL lines, other files), for a
    progress bar; None when a source is a URL or stdin. Never raises, never blocks."""
    total = 0
    for source in sources:
        if source == "-" or re.match(r"https?://", source):
            return None
        path = Path(source)
        try:
            files = [e for e in _entries(path) if isinstance(e, Path)] if path.is_dir() else [path]
            for file in files:
                if not stat.S_ISREG(file.stat().st_mode):
                    continue
                if file.suffix.lower() in (".jsonl", ".ndjson"):
                    with file.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                else:
                    total += 1
        except OSError:
            continue  # reading it will report the problem
    return total


def read_url(url: str, timeout: float = 20.0) -> Iterator[Item]:
    """Fetch a URL: a feed gives its entries, a page gives its article."""
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "tocsin"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = _read_limited(response, url)
            ctype = response.headers.get("Content-Type", "")
    except InputError as exc:
        yield Problem(source=url, reason=exc.reason, detail=exc.detail)
        return
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        yield Problem(source=url, reason="unreachable", detail=f"cannot fetch (is the network reachable?): {reason}")
        return
    head = data[:1024].lower()
    if any(t in ctype for t in ("rss", "atom")) or b"<rss" in head or b"<feed" in head:
        yield from read_feed_bytes(data, url)
    else:
        yield from _guarded(story_from_html(decode(data), url, url), url)


def read_stdin(stream: IO[bytes] | None = None) -> Iterator[Item]:
    """Standard input, sniffed: JSONL when it starts with "{", a JSON array with "[",
    a feed or HTML page with "<", otherwise one plain-text story."""
    raw = stream if stream is not None else sys.stdin.buffer
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]
    head = buffered.peek(1024)[:1024]
    wide = wide_encoding(head)
    if wide:  # UTF-16 or UTF-32: sniff the characters, not the bytes
        head = head[: len(head) // 4 * 4].decode(wide, errors="ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    reader: Callable[[IO[bytes], str], Iterator[Item]]
    if head.startswith(b"{"):
        reader = read_jsonl
    elif head.startswith(b"["):
        reader = read_json
    elif b"<rss" in head or b"<feed" in head:
        reader = read_feed
    elif head.startswith(b"<"):
        reader = read_html
    else:
        reader = read_txt
    yield from _guarded(reader(buffered, "-"), "-")


def read(source: str | Path) -> Iterator[Item]:
    """Yield stories from a file, directory, URL or ``-`` (stdin). Never raises for a bad document.

    Example:
        >>> stories = [s for s in read("src/tocsin/data/demo") if isinstance(s, Story)]

    Each bad document becomes a :class:`Problem` naming the source (and line).
    """
    text = str(source)
    if text == "-":
        yield from read_stdin()
    elif re.match(r"https?://", text):
        yield from read_url(text)
    else:
        path = Path(text)
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except OSError as exc:
            yield _unreadable(path, exc, "cannot read")
            return
        yield from (read_directory(path) if is_dir else read_file(path))
