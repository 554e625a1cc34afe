"""Tests for tocsin.text: decoding bytes, normalising Unicode, naming the language."""

from __future__ import annotations

import codecs

import pytest

from tocsin.errors import InputError
from tocsin.text import decode, detect_language, normalize, wide_encoding

CURLY = "The envoy said “we will talk” on Tuesday. It’s a café in Zürich."
LATIN1 = "Prices rose to £20 at the café, the señor said; it was très cher."

ENGLISH = (
    "The ministers met in Geneva on Tuesday to discuss a ceasefire. "
    "Both sides agreed to release prisoners next week. "
    "Observers called the talks a modest step forward."
)
GERMAN = (
    "Die Minister trafen sich am Dienstag in Genf, um über eine Waffenruhe zu sprechen. "
    "Beide Seiten wollen nächste Woche Gefangene freilassen. "
    "Beobachter nannten die Gespräche einen kleinen Fortschritt."
)
FRENCH = (
    "Les ministres se sont réunis mardi à Genève pour discuter d'un cessez-le-feu. "
    "Les deux camps vont libérer des prisonniers la semaine prochaine. "
    "Les observateurs ont salué un petit progrès."
)


# --- decode -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(CURLY.encode("utf-8"), CURLY, id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + CURLY.encode("utf-8"), CURLY, id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + CURLY.encode("utf-16-le"), CURLY, id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + CURLY.encode("utf-16-be"), CURLY, id="utf-16-be-bom"),
        pytest.param(CURLY.encode("utf-16-le"), CURLY, id="utf-16-le-no-bom"),
        pytest.param(CURLY.encode("utf-16-be"), CURLY, id="utf-16-be-no-bom"),
        pytest.param(CURLY.encode("cp1252"), CURLY, id="cp1252-curly-quotes"),
        pytest.param(LATIN1.encode("latin-1"), LATIN1, id="latin-1"),
    ],
)
def test_text_decode_detects_encoding(data: bytes, expected: str) -> None:
    assert decode(data) == expected


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le ministre a déclaré à Genève que la réunion était très importante.", "latin-1"),
        ("The mayor of São Paulo met the envoy on Monday. Señor Peña said the talks went well.", "latin-1"),
        ("The café in Zürich served crème brûlée for £5.", "latin-1"),
        ("The envoy said “we will talk” on Tuesday.", "cp1252"),
        ("Talks “resumed” today — officials said.", "cp1252"),
    ],
    ids=["latin1-french", "latin1-portuguese-spanish", "latin1-pound", "cp1252-quotes", "cp1252-dash"],
)
def test_text_decode_western_single_byte_text(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)) == text


def test_text_decode_leaves_mojibake_for_normalize() -> None:
    assert decode("Itâ€™s".encode()) == "Itâ€™s"


@pytest.mark.parametrize("data", [b"", b" ", b"\n\t\r\n  "], ids=["no-bytes", "space", "mixed-whitespace"])
def test_text_decode_empty_raises_empty(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode(data)
    assert info.value.reason == "empty"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b" \n",
        codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"),
        "   ".encode("utf-16-le"),
    ],
    ids=["utf-8-bom", "utf-8-bom-space", "utf-16-bom-space", "utf-16-space"],
)
def test_text_decode_bom_and_whitespace_raises_empty(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode(data)
    assert info.value.reason == "empty"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" * 4,
        b"text\x00more text\x00and more\x00",
        b"%PDF-1.4\n\x00\x00stream\x01\x02\x03",
        b"\x01\x02\x03\x04\x05\x06\x07\x08 no NUL but control bytes",
    ],
    ids=["png", "nul-separated", "pdf", "control-bytes"],
)
def test_text_decode_binary_raises_binary(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode(data)
    assert info.value.reason == "binary"


# --- normalize ----------------------------------------------------------------


def test_text_normalize_keeps_curly_quotes_distinct() -> None:
    text = "“Double” and ‘single’ quotes"
    assert normalize(text) == text


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [("Itâ€™s fine", "It’s fine"), ("â€œHelloâ€\x9d", "“Hello”"), ("cafÃ©", "café")],
)
def test_text_normalize_repairs_mojibake(broken: str, fixed: str) -> None:
    assert normalize(broken) == fixed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\n\r\nb", "a\n\nb"), ("a\u2028b", "a\nb")],
    ids=["crlf", "cr", "crlf-blank-line", "line-separator"],
)
def test_text_normalize_line_breaks(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_text_normalize_paragraph_separator_becomes_blank_line() -> None:
    assert normalize("One.\u2029Two.") == "One.\n\nTwo."


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_text_normalize_removes_invisible_characters(char: str) -> None:
    assert normalize(f"cease{char}fire") == "ceasefire"


@pytest.mark.parametrize("char", ["\u00a0", "\u202f", "\u2009", "\u3000", "\t"])
def test_text_normalize_odd_spaces_become_spaces(char: str) -> None:
    assert normalize(f"10{char}km") == "10 km"


def test_text_normalize_strips_spaces_before_newline() -> None:
    assert normalize("first line   \nsecond") == "first line\nsecond"


def test_text_normalize_composes_nfc() -> None:
    assert normalize("cafe\u0301") == "café"


def test_text_normalize_is_idempotent() -> None:
    once = normalize("Itâ€™s\u00a0“here”\r\n\u200b")
    assert normalize(once) == once


# --- detect_language ----------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr")], ids=["en", "de", "fr"])
def test_text_detect_language_names_language(text: str, code: str) -> None:
    lang, prob = detect_language(text)
    assert lang == code
    assert prob >= 0.9


@pytest.mark.parametrize("text", ["", "Hi there", "12345 67890 2025-03-14 99.5%", "!!! ??? ..."])
def test_text_detect_language_und_for_short_or_numeric(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_text_detect_language_und_below_min_confidence() -> None:
    lang, prob = detect_language(ENGLISH, min_confidence=1.01)
    assert lang == "und"
    assert 0.9 < prob <= 1.0


# --- issue #13: an unsure language in a non-Latin script is not English -------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("俄罗斯总统普京周二在莫斯科会见了德国总理朔尔茨，双方讨论了乌克兰局势和能源合作问题。", "zh"),  # p = 0.55
        ("普京会见朔尔茨", "zh"),  # fewer than 20 letters
        ("Путин встретился с Шольцем в Москве во вторник.", "ru"),  # p = 0.89
    ],
)
def test_text_unsure_non_latin_text_is_not_english(text: str, language: str) -> None:
    assert detect_language(text)[0] == language


def test_text_short_latin_text_stays_undetermined() -> None:
    assert detect_language("Putin met Scholz")[0] == "und"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("utf-32", "utf-32"),
     ("utf-8", None), ("utf-8-sig", None)],
)  # fmt: skip
def test_text_wide_encoding_from_the_first_bytes(encoding: str, expected: str | None) -> None:
    assert wide_encoding('{"text": "Talks"}\n'.encode(encoding)) == expected
