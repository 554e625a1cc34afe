"""Tests for tocsin.readers: every input format, and every bad input as a Problem."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tocsin import readers
from tocsin.errors import InputError
from tocsin.readers import parse_date, read, read_stdin
from tocsin.records import Problem, Story

PARAGRAPH = (
    "Negotiators from both countries met in Geneva on Thursday to restart talks on a ceasefire. "
    "The envoys spent six hours in a closed room and agreed to meet again next week. "
    "Officials on both sides described the mood as cautious but constructive."
)
ARTICLE = f"""<!DOCTYPE html><html><head><title>Talks resume in Geneva</title>
<meta name="author" content="Ann Example">
<meta property="article:published_time" content="2024-05-02T09:00:00Z">
<meta property="og:site_name" content="Example Wire"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Talks resume in Geneva</h1>
<p>{PARAGRAPH}</p></article><footer>Contact us</footer></body></html>"""
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>
<link>http://example.org/</link><description>News</description>
<item><title>First</title><link>http://example.org/1</link><guid>urn:1</guid>
<pubDate>Tue, 15 Feb 2022 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Troops withdrew from the border town.&lt;/p&gt;</description></item>
<item><title>Second</title><link>http://example.org/2</link><pubDate>Wed, 16 Feb 2022 10:00:00 GMT</pubDate>
<description>Protesters marched in the capital.</description></item></channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Example Atom</title><id>urn:feed</id><updated>2022-02-15T10:00:00Z</updated>
<entry><title>Atom one</title><id>urn:a1</id><link href="http://example.org/a1"/>
<updated>2022-02-15T10:00:00Z</updated><author><name>Bo Example</name></author>
<content type="html">&lt;p&gt;Leaders signed a &lt;b&gt;trade&lt;/b&gt; pact.&lt;/p&gt;</content></entry></feed>"""
CURLY = "The envoy said “we will talk” on Tuesday. It’s a café in Zürich."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" * 8
LATIN1 = "Prices rose to £20 at the café, the señor said; it was très cher."

# read_json wraps the file in a TextIOWrapper it never closes (see test_readers_json_leaves_no_unclosed_file).


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def kinds(source: str | Path) -> list[tuple[str, object]]:
    """Read everything: ("story", id) for a Story, (reason, line) for a Problem."""
    return [(i.reason, i.line) if isinstance(i, Problem) else ("story", i.id) for i in read(source)]


def only_story(path: Path) -> Story:
    [story] = list(read(path))
    assert isinstance(story, Story)
    return story


def write_warc(path: Path, bodies: list[bytes], *, gz: bool) -> list[int]:
    """A request, an image response, then one HTML response per body; returns each record's end offset."""
    records = [("request", "http://example.org/", "", b"GET / HTTP/1.1\r\n\r\n")]
    records.append(("response", "http://example.org/logo.png", "image/png", b"\x89PNG"))
    records += [("response", f"http://example.org/{n}", "text/html; charset=utf-8", b) for n, b in enumerate(bodies)]
    ends = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for n, (kind, url, ctype, body) in enumerate(records):
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1") if ctype else None
            meta = {"WARC-Date": "2024-05-02T09:00:00Z", "WARC-Record-ID": f"<urn:uuid:{n:08d}-0-0-0-0>"}
            # length= keeps warcio from buffering in a SpooledTemporaryFile it never closes (ResourceWarning).
            record = writer.create_warc_record(
                url, kind, payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=meta
            )
            writer.write_record(record)
            ends.append(fh.tell())
    return ends


# --- parse_date -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-14", date(2025, 3, 14)),
        ("2025-03-14T20:30:26+02:00", date(2025, 3, 14)),
        ("2025-03-14 20:30:26Z", date(2025, 3, 14)),
        ("Tue, 15 Feb 2022 10:00:00 GMT", date(2022, 2, 15)),
        ("February 15, 2022", date(2022, 2, 15)),
        (date(2021, 1, 2), date(2021, 1, 2)),
        (None, None),
        ("", None),
    ],
)
def test_readers_parse_date_reads_common_forms_and_missing(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["banana", "not a date at all", "2025-13-45", "0000-00-00"])
def test_readers_parse_date_garbage_raises_bad_date(value: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(value)
    assert info.value.reason == "bad-date"


# --- plain text ---------------------------------------------------------------------------

ENCODED = {
    "utf-8": (CURLY.encode(), CURLY),
    "utf-8-bom": (codecs.BOM_UTF8 + CURLY.encode(), CURLY),
    "utf-16-le-bom": (codecs.BOM_UTF16_LE + CURLY.encode("utf-16-le"), CURLY),
    "utf-16-be-bom": (codecs.BOM_UTF16_BE + CURLY.encode("utf-16-be"), CURLY),
    "utf-16-no-bom": (CURLY.encode("utf-16-le"), CURLY),
    "cp1252": (CURLY.encode("cp1252"), CURLY),
    "latin-1": (LATIN1.encode("latin-1"), LATIN1),
    "mojibake": ("Itâ€™s over.\r\n".encode(), "It’s over.\n"),
}


@pytest.mark.parametrize(("data", "expected"), ENCODED.values(), ids=ENCODED.keys())
def test_readers_txt_decodes_and_normalizes(tmp_path: Path, data: bytes, expected: str) -> None:
    path = write(tmp_path / "note.txt", data)
    assert only_story(path) == Story(id="note", text=expected, source=str(path))


@pytest.mark.parametrize("name", ["a.txt.gz", "a.TXT", "a.text", "a.Txt.GZ"])
def test_readers_txt_suffix_variants(tmp_path: Path, name: str) -> None:
    data = gzip.compress(CURLY.encode()) if name.lower().endswith(".gz") else CURLY.encode()
    story = only_story(write(tmp_path / name, data))
    assert (story.id, story.text) == ("a", CURLY)


# --- JSONL and JSON -------------------------------------------------------------------------

FEB15 = date(2022, 2, 15)


@pytest.mark.parametrize(
    ("record", "field", "expected"),
    [
        ({"text": "Rebels seized a town."}, "text", "Rebels seized a town."),
        ({"body": "Rebels seized a town."}, "text", "Rebels seized a town."),
        ({"event_text": "Rebels seized a town."}, "text", "Rebels seized a town."),
        ({"pub_date": "2022-02-15"}, "pub_date", FEB15),
        ({"published": "Tue, 15 Feb 2022 10:00:00 GMT"}, "pub_date", FEB15),
        ({"date": "February 15, 2022"}, "pub_date", FEB15),
        ({"id": "s1"}, "id", "s1"),
        ({"story_id": 7}, "id", "7"),
        ({"title": "Arrests"}, "title", "Arrests"),
        ({"url": "http://e.org/7"}, "url", "http://e.org/7"),
        ({"author": "Ann Lee"}, "authors", ("Ann Lee",)),
        ({"author": "Ann Lee and Bo Chan"}, "authors", ("Ann Lee", "Bo Chan")),
        ({"author": "Ann Lee; Bo Chan"}, "authors", ("Ann Lee", "Bo Chan")),
        ({"author": ["Ann Lee", " ", "Bo Chan"]}, "authors", ("Ann Lee", "Bo Chan")),
    ],
)
def test_readers_jsonl_field_variants(tmp_path: Path, record: dict[str, object], field: str, expected: object) -> None:
    # "content" is a lower-priority text field, so text/body/event_text in the record win over it.
    story = only_story(write(tmp_path / "a.jsonl", jsonl({"content": "Police arrested two men."} | record)))
    assert getattr(story, field) == expected


def test_readers_jsonl_fallback_id_is_stable_hash(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"text": "Met."}, {"text": "Met."}, {"text": "Others met."}))
    ids = [str(story_id) for _, story_id in kinds(path)]
    assert ids[0] == ids[1] != ids[2]
    assert len(ids[0]) == 12


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json\n", "bad-json"),
        ('{"id": "c", "text": "Cut\n', "bad-json"),
        ('["an", "array"]\n', "bad-json"),
        ('"a string"\n', "bad-json"),
        (jsonl({"id": "x", "title": "No body"}), "empty"),
        (jsonl({"id": "x", "text": "   "}), "empty"),
    ],
    ids=["malformed", "cut-off", "array", "string", "no-text-field", "blank-text"],
)
def test_readers_jsonl_bad_line_is_problem_and_rest_go_on(tmp_path: Path, bad: str, reason: str) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"id": "a", "text": "One."}) + bad + jsonl({"id": "z", "text": "Last."}))
    assert kinds(path) == [("story", "a"), (reason, 2), ("story", "z")]


def test_readers_jsonl_bad_date_warns_and_keeps_story(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", "\n" + jsonl({"id": "a", "text": "One.", "date": "sometime soon-ish"}))
    warning, story = read(path)
    assert isinstance(warning, Problem)
    assert (warning.reason, warning.fatal, warning.line) == ("bad-date", False, 2)
    assert isinstance(story, Story)
    assert (story.id, story.pub_date, story.source) == ("a", None, f"{path}:2")


def test_readers_jsonl_gzip_streams_records(tmp_path: Path) -> None:
    records = [{"id": f"g{i}", "text": f"Story {i} about a protest."} for i in range(50)]
    path = write(tmp_path / "a.jsonl.gz", gzip.compress(jsonl(*records).encode()))
    assert kinds(path) == [("story", f"g{i}") for i in range(50)]


def test_readers_jsonl_truncated_gzip_keeps_earlier_lines(tmp_path: Path) -> None:
    records = [{"id": f"g{i}", "text": f"Story {i} about a protest in the capital."} for i in range(300)]
    data = gzip.compress(jsonl(*records).encode())
    found = kinds(write(tmp_path / "a.jsonl.gz", data[: len(data) // 2]))
    assert found[-1] == ("truncated", None)
    assert found[:-1] == [("story", f"g{i}") for i in range(len(found) - 1)]
    assert len(found) > 10


@pytest.mark.parametrize(
    ("count", "shape"), [(1, "{}"), (1, "[{}]"), (3, "[{}]")], ids=["object", "array-1", "array-3"]
)
def test_readers_json_object_or_array(tmp_path: Path, count: int, shape: str) -> None:
    records = ", ".join(json.dumps({"id": f"j{n}", "text": "Met.", "date": "2022-02-15"}) for n in range(1, count + 1))
    path = write(tmp_path / "a.json", shape.replace("{}", records))
    got = [(s.id, s.pub_date, s.source) for s in read(path) if isinstance(s, Story)]
    assert got == [(f"j{n}", date(2022, 2, 15), f"{path}:{n}") for n in range(1, count + 1)]


def test_readers_json_large_array_yields_every_record(tmp_path: Path) -> None:
    records = [{"id": f"n{i}", "text": f"Story number {i} about talks."} for i in range(5000)]
    assert kinds(write(tmp_path / "big.json", json.dumps(records, indent=1))) == [
        ("story", f"n{i}") for i in range(5000)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[{"id": "a", "text": "1."}, {"id": "b", "text": "2."}', [("story", "a"), ("story", "b"), ("bad-json", 3)]),
        ('["just a string", {"id": "b", "text": "2."}]', [("bad-json", 1), ("story", "b")]),
        ('[{"id": "a", "text": "1."}, {"id": "b", "te', [("story", "a"), ("bad-json", 2)]),
    ],
    ids=["unclosed-array", "non-object-element", "cut-in-object"],
)
def test_readers_json_bad_content_is_problem(tmp_path: Path, text: str, expected: list[tuple[str, object]]) -> None:
    assert kinds(write(tmp_path / "a.json", text)) == expected


def test_readers_json_leaves_no_unclosed_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", json.dumps({"text": "One."}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(read(path))
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# --- HTML, feeds, WARC ------------------------------------------------------------------------
def test_readers_html_article_with_metadata(tmp_path: Path) -> None:
    story = only_story(write(tmp_path / "talks.html", ARTICLE))
    assert (story.id, story.title, story.text) == ("talks", "Talks resume in Geneva", PARAGRAPH)
    assert (story.pub_date, story.authors, story.publisher) == (date(2024, 5, 2), ("Ann Example",), "Example Wire")


@pytest.mark.parametrize("name", ["feed.rss", "feed.xml"])
def test_readers_rss_entries(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, RSS)
    got = [(s.id, s.title, s.url, s.publisher, s.text, s.pub_date, s.source) for s in read(path)]
    assert got == [
        ("urn:1", "First", "http://example.org/1", "Example Wire", "Troops withdrew from the border town.",
         date(2022, 2, 15), f"{path}:1"),
        ("http://example.org/2", "Second", "http://example.org/2", "Example Wire", "Protesters marched in the capital.",
         date(2022, 2, 16), f"{path}:2"),
    ]  # fmt: skip


def test_readers_atom_entries(tmp_path: Path) -> None:
    story = only_story(write(tmp_path / "feed.atom", ATOM))
    got = (story.id, story.title, story.url, story.authors, story.text, story.publisher, story.pub_date)
    assert got == ("urn:a1", "Atom one", "http://example.org/a1", ("Bo Example",), "Leaders signed a\n\ntrade\n\npact.",
                   "Example Atom", date(2022, 2, 15))  # fmt: skip


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_readers_warc_html_responses(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path, [ARTICLE.encode(), ARTICLE.replace("Geneva", "Vienna").encode()], gz=name.endswith(".gz"))
    assert [(s.url, s.source, s.title, s.text[:30]) for s in read(path)] == [
        ("http://example.org/0", f"{path}#3", "Talks resume in Geneva", PARAGRAPH[:30]),
        ("http://example.org/1", f"{path}#4", "Talks resume in Vienna", PARAGRAPH[:30]),
    ]


def test_readers_warc_gz_truncated_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    ends = write_warc(path, [ARTICLE.encode(), ARTICLE.replace("Geneva", "Vienna").encode()], gz=True)
    path.write_bytes(path.read_bytes()[: (ends[-2] + ends[-1]) // 2])
    assert [kind for kind, _ in kinds(path)] == ["story", "truncated"]


def test_readers_warc_gz_truncated_never_raises(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    ends = write_warc(path, [ARTICLE.encode()], gz=True)
    data = path.read_bytes()
    for cut in range(ends[-2], ends[-1], 5):
        list(read(write(path, data[:cut])))


# --- stdin, directories, URLs -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "texts"),
    [
        (jsonl({"id": "1", "text": "One."}, {"id": "2", "text": "Two."}).encode(), ["One.", "Two."]),
        (codecs.BOM_UTF8 + "Plain story “here”.\r\n".encode(), ["Plain story “here”.\n"]),
        (ARTICLE.encode(), [PARAGRAPH]),
        (b'[{"text": "One."}]', ["One."]),
        (RSS.encode(), ["Troops withdrew from the border town.", "Protesters marched in the capital."]),
    ],
    ids=["jsonl", "text", "html", "json", "rss"],
)
def test_readers_stdin_sniffs_format(data: bytes, texts: list[str]) -> None:
    assert [s.text for s in read_stdin(stream=io.BytesIO(data)) if isinstance(s, Story)] == texts


def test_readers_stdin_empty_is_problem() -> None:
    assert [(p.source, getattr(p, "reason", None)) for p in read_stdin(stream=io.BytesIO(b""))] == [("-", "empty")]


def test_readers_directory_recursive_sorted_hidden_skipped(tmp_path: Path) -> None:
    for name in ["b.txt", "a.txt", "sub/c.txt", "sub/deep/d.txt", ".secret.txt", ".git/e.txt", "sub/.f.txt"]:
        write(tmp_path / name, f"Story {name}.")
    assert kinds(tmp_path) == [("story", "a"), ("story", "b"), ("story", "c"), ("story", "d")]


def test_readers_directory_continues_past_bad_files(tmp_path: Path) -> None:
    files = {"1.txt": "One.", "2.txt": "", "3.txt": PNG, "4.jsonl": "{oops\n", "5.html": "<p></p>", "6.docx": "x"}
    for name, data in {**files, "7": "No suffix.", "8.txt": "Eight."}.items():
        write(tmp_path / name, data)
    assert kinds(tmp_path) == [
        ("story", "1"), ("empty", None), ("binary", None), ("bad-json", 1), ("no-article", None),
        ("unsupported", None), ("unsupported", None), ("story", "8"),
    ]  # fmt: skip


@pytest.mark.parametrize("source", ["nope.txt", "nope/"])
def test_readers_missing_path_is_unreadable(tmp_path: Path, source: str) -> None:
    assert kinds(tmp_path / source) == [("unreadable", None)]


def test_readers_unreachable_url_is_problem() -> None:
    assert kinds("http://127.0.0.1:9/x") == [("unreachable", None)]


# --- bad documents -----------------------------------------------------------------------------

NAV_ONLY = "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("a.txt", b"", "empty", id="empty-txt"),
        pytest.param("a.txt", b" \n\t\n", "empty", id="whitespace-txt"),
        pytest.param("a.html", b"", "empty", id="empty-html"),
        pytest.param("a.txt.gz", gzip.compress(b""), "empty", id="empty-txt-gz"),
        pytest.param("a.txt", codecs.BOM_UTF8, "empty", id="bom-only-txt"),
        pytest.param("a.jsonl", b"", "empty", id="empty-jsonl"),
        pytest.param("a.json", b"", "empty", id="empty-json"),
        pytest.param("a.rss", b"", "empty", id="empty-rss"),
        pytest.param("a.txt", PNG, "binary", id="binary-txt"),
        pytest.param("a.html", PNG, "binary", id="binary-html"),
        pytest.param("a.txt.gz", gzip.compress(PARAGRAPH.encode() * 20)[:40], "truncated", id="truncated-txt-gz"),
        pytest.param("a.htm", "<body></body>", "no-article", id="html-empty-body"),
        pytest.param("a.htm", "<form><button>Sign in</button></form>", "no-article", id="html-form"),
        pytest.param("a.htm", "<ul><li><a href='/a'>World</a></li></ul>", "no-article", id="html-menu"),
        pytest.param("a.htm", "<script>var x = 1;</script>", "no-article", id="html-script"),
        pytest.param("a.htm", NAV_ONLY, "no-article", id="html-nav-only"),
        pytest.param("a.xml", "<rss><channel><title>W</title></channel></rss>", "no-article", id="feed-no-items"),
    ],
)  # fmt: skip
def test_readers_bad_file_is_one_problem(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    assert kinds(write(tmp_path / name, data)) == [(reason, None)]


JSONL_BIG = jsonl({"text": PARAGRAPH}, {"id": "b", "text": "Short."})


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("a.txt", PARAGRAPH, [("too-large", None)]),
        ("a.txt.gz", PARAGRAPH, [("too-large", None)]),
        ("a.html", ARTICLE, [("too-large", None)]),
        ("a.rss", RSS, [("too-large", None)]),
        ("a.jsonl", JSONL_BIG, [("too-large", 1), ("story", "b")]),
        pytest.param("a.json", f"[{JSONL_BIG.replace(chr(10), ',', 1).rstrip()}]", [("too-large", 1), ("story", "b")]),
    ],
    ids=["txt", "txt-gz", "html", "rss", "jsonl-line", "json-record"],
)  # fmt: skip
def test_readers_document_over_limit_is_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str, expected: list[tuple[str, object]]
) -> None:
    monkeypatch.setattr(readers, "MAX_BYTES", 200)
    path = write(tmp_path / name, gzip.compress(body.encode()) if name.endswith(".gz") else body)
    assert kinds(path) == expected


# --- issue #13: what users hand over never stops a batch ---------------------------------------------------

GOOD = {"id": "good", "text": "Putin met Scholz in Moscow on Tuesday.", "pub_date": "2022-02-17"}
NESTED = '{"text": "x", "a": ' + "[" * 1000 + "]" * 1000 + "}"


def _summary(items: list[Story | Problem]) -> list[tuple[str, str]]:
    return [("story", i.id) if isinstance(i, Story) else (i.reason, i.detail) for i in items]


def test_readers_jsonl_deeply_nested_line_is_a_problem_and_the_rest_go_on(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(NESTED + "\n" + json.dumps(GOOD) + "\n")
    items = list(read(path))
    assert [(type(i).__name__, getattr(i, "reason", None), getattr(i, "line", None)) for i in items] == [
        ("Problem", "bad-json", 1),
        ("Story", None, None),
    ]
    assert "nested too deeply" in items[0].detail  # type: ignore[union-attr]


def test_readers_json_deeply_nested_element_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(f"[{json.dumps(GOOD)}, {NESTED}]")
    assert _summary(list(read(path))) == [("story", "good"), ("bad-json", "JSON nested too deeply to read")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_readers_json_in_utf16_and_utf32_with_or_without_bom(tmp_path: Path, encoding: str, suffix: str) -> None:
    records = [GOOD, {"id": "second", "text": "Die Außenminister — “we met” — in Zürich."}]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) if suffix == ".jsonl" else None
    path = tmp_path / f"stories{suffix}"
    path.write_bytes((body or json.dumps(records, ensure_ascii=False)).encode(encoding))
    items = list(read(path))
    assert [(s.id, s.text, s.pub_date) for s in items if isinstance(s, Story)] == [
        ("good", GOOD["text"], date(2022, 2, 17)),
        ("second", records[1]["text"], None),
    ]


def test_readers_stdin_utf16_jsonl_is_sniffed_as_jsonl() -> None:
    data = (json.dumps(GOOD) + "\n").encode("utf-16")
    assert _summary(list(read_stdin(io.BytesIO(data)))) == [("story", "good")]


@pytest.mark.parametrize(
    "value", [True, False, 0, 12, -5, "0001-01-01T00:00:00Z", "9999-12-31", date(1, 1, 1), float("nan")]
)
def test_readers_parse_date_refuses_values_that_name_no_publication_date(value: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(value)
    assert caught.value.reason == "bad-date"


def test_readers_parse_date_reads_unix_seconds_and_milliseconds() -> None:
    assert parse_date(1_645_056_000) == date(2022, 2, 17)
    assert parse_date(1_645_056_000_000) == date(2022, 2, 17)


def test_readers_go_zero_time_warns_and_keeps_the_story(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps({"id": "g", "text": "Putin met Scholz.", "published": "0001-01-01T00:00:00Z"}) + "\n")
    problem, story = list(read(path))
    assert isinstance(problem, Problem) and problem.reason == "bad-date" and not problem.fatal
    assert isinstance(story, Story) and story.pub_date is None


def test_readers_txt_headline_is_the_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Putin meets Scholz in Moscow\n\nRussian President Vladimir Putin met Scholz.\n")
    (tmp_path / "b.txt").write_text("Putin met Scholz.\nThey talked for hours.\n")
    (tmp_path / "c.txt").write_text("By Ann Writer\n\nGENEVA — Talks resumed.\n")
    a, b, c = (s for s in read(tmp_path) if isinstance(s, Story))
    assert (a.title, a.text.strip()) == ("Putin meets Scholz in Moscow", "Russian President Vladimir Putin met Scholz.")
    assert (b.title, b.text.strip()) == (None, "Putin met Scholz.\nThey talked for hours.")
    assert c.title is None and c.text.startswith("By Ann Writer")  # a byline is left to cleaning


@pytest.fixture
def awkward_tree(tmp_path: Path) -> Path:
    """A folder with one good story and every kind of entry that cannot be read."""
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("Putin met Scholz in Moscow on Tuesday.")
    (root / "sub" / "b.txt").write_text("Macron met Scholz in Paris on Monday.")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "self").symlink_to(root / "self")
    os.mkfifo(root / "pipe.jsonl")
    return root


def test_readers_directory_reports_every_entry_it_cannot_read(awkward_tree: Path) -> None:
    items = list(read(awkward_tree))
    found = sorted((Path(i.source).name, i.reason) if isinstance(i, Problem) else ("story", i.id) for i in items)
    assert found == [
        ("dangling.txt", "unreadable"),
        ("loop", "unreadable"),
        ("pipe.jsonl", "unsupported"),
        ("self", "unreadable"),
        ("story", "a"),
        ("story", "b"),
    ]
    details = {Path(i.source).name: i.detail for i in items if isinstance(i, Problem)}
    assert "broken symbolic link" in details["dangling.txt"] and "loop" in details["self"]
    assert "FIFO" in details["pipe.jsonl"]


@pytest.mark.parametrize("name", ["pipe.jsonl", "dangling.txt", "self"])
def test_readers_special_path_given_directly_is_a_problem_and_never_hangs(awkward_tree: Path, name: str) -> None:
    code = f"from tocsin.readers import read; print([p.reason for p in read({str(awkward_tree / name)!r})])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == ("['unsupported']" if name == "pipe.jsonl" else "['unreadable']"), result.stderr


def unprivileged(argv: list[str]) -> list[str]:
    """``argv`` run without the right to read every file: as root, the file-permission capabilities are dropped
    (a non-root user could not run the venv's Python here), so chmod 000 means unreadable as for anyone."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *argv]


def test_readers_unreadable_file_and_unlistable_folder_are_reported(awkward_tree: Path) -> None:
    (awkward_tree / "locked").mkdir()
    (awkward_tree / "locked" / "c.txt").write_text("Inside a folder nobody may list.")
    (awkward_tree / "noperm.txt").write_text("A file nobody may read.")
    (awkward_tree / "locked").chmod(0)
    (awkward_tree / "noperm.txt").chmod(0)
    try:
        code = f"from tocsin.readers import read; [print(p) for p in read({str(awkward_tree)!r})]"
        result = subprocess.run(unprivileged([sys.executable, "-c", code]), capture_output=True, text=True, timeout=60)
    finally:
        (awkward_tree / "locked").chmod(0o755)
    assert f"{awkward_tree / 'locked'}: skipped (unreadable) cannot list the directory: Permission denied" in (
        result.stdout
    ), result.stderr
    assert f"{awkward_tree / 'noperm.txt'}: skipped (unreadable) Permission denied" in result.stdout
    assert "c.txt" not in result.stdout


def test_readers_estimate_never_raises_or_blocks(awkward_tree: Path) -> None:
    (awkward_tree / "two.jsonl").write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    assert readers.estimate([str(awkward_tree)]) == 4  # a.txt, b.txt, two lines; no FIFO opened
    assert readers.estimate([str(awkward_tree / "pipe.jsonl"), str(awkward_tree / "missing")]) == 0
    assert readers.estimate(["-"]) is None
