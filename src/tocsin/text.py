"""Text hygiene: bytes to clean Unicode, and which language it is.

The steps, in order, and why:

1. :func:`decode` picks the encoding: a byte-order mark wins (UTF-8, UTF-16,
   UTF-32); then strict UTF-8; then UTF-16 without a mark (news exports from
   Windows tools); then charset-normalizer's best guess, which covers cp1252
   and Latin-1. Bytes that look like a binary file are refused.
2. :func:`normalize` repairs mojibake (``â€™`` → ``’``) with ftfy, applies NFC,
   and evens out line breaks and odd spaces. It keeps curly quotes: quotation
   extraction later needs to tell ``“`` from ``”``.
3. :func:`detect_language` names the language with py3langid, whose model ships
   inside the package (no download at run time).
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

import charset_normalizer
import ftfy

from .errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters that never occur in text files (NUL aside, which UTF-16 has).
_BINARY_BYTES = bytes(range(9)) + b"\x0e\x0f" + bytes(range(0x10, 0x1B))

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, normalization="NFC", fix_latin_ligatures=True)

# Zero-width characters and the BOM carry nothing and break regexes and offsets.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Spaces that are not plain spaces (no-break, thin, ideographic...) become " ".
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_TRAILING_SPACES = re.compile(r"[ ]+\n")


def _looks_like_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when every other byte is mostly NUL."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def wide_encoding(head: bytes) -> str | None:
    """The encoding of a UTF-16 or UTF-32 document from its first bytes, else None.

    Line-by-line readers need it before splitting: in these encodings a line
    break is not the byte ``\\n`` alone.

    Example:
        >>> wide_encoding("{}\\n".encode("utf-16"))
        'utf-16'
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return None if encoding == "utf-8-sig" else encoding
    return _looks_like_utf16(head)


def decode(data: bytes) -> str:
    """Decode bytes of a text document, guessing the encoding.

    Example:
        >>> decode("caf\\u00e9".encode("cp1252"))
        'café'

    Raises:
        InputError: reason ``empty`` for no bytes, ``binary`` for a binary
            file, ``bad-encoding`` when no encoding fits.
    """
    if not data.strip():
        raise InputError("empty", "the document is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError("bad-encoding", f"byte-order mark says {encoding}: {exc}") from exc
            if not text.strip():
                raise InputError("empty", "the document holds only a byte-order mark and whitespace")
            return text
    utf16 = _looks_like_utf16(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = ""
        if text.strip():
            return text
        if text:
            raise InputError("empty", "the document holds only whitespace")
    sample = data[:65536]
    if b"\x00" in sample or sum(sample.count(bytes([b])) for b in _BINARY_BYTES) > len(sample) // 100:
        raise InputError("binary", "this looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _legacy(data)
    if not text.strip():
        raise InputError("empty", "the document holds only whitespace")
    return text


def _legacy(data: bytes) -> str:
    """Decode non-UTF-8 bytes. Western text (cp1252, a superset of Latin-1's
    printable range) is tried first: charset detectors often rank other
    single-byte code pages level with it on short texts and pick wrongly. It is
    kept when most letters are plain ASCII, as in any Western European language;
    Cyrillic or Greek bytes read as cp1252 come out almost all accented."""
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        letters = [c for c in text[:20000] if c.isalpha()]
        if letters and sum(not c.isascii() for c in letters) <= len(letters) * 0.3:
            return text
    best = charset_normalizer.from_bytes(data).best()
    # Latin-1 maps every byte, so it is a last resort rather than a failure.
    return str(best) if best is not None else data.decode("latin-1")


def normalize(text: str) -> str:
    """Repair mojibake and normalise Unicode, keeping curly quotes distinct.

    Example:
        >>> normalize("It\\u00e2\\u20ac\\u2122s \\u201cfine\\u201d\\r\\n")
        'It’s “fine”\\n'
    """
    # Paragraph separators first: ftfy would turn U+2029 into a single line break.
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n")
    text = ftfy.fix_text(text, config=_FTFY)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _TRAILING_SPACES.sub("\n", text)
    return unicodedata.normalize("NFC", text)


@functools.cache
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, min_confidence: float = 0.9) -> tuple[str, float]:
    """Return ``(iso639-1 code, probability)`` for the text's language.

    Short or mixed texts give low probabilities; callers should treat a text as
    foreign only when the probability is high (see ``min_confidence``).
    ``"und"`` is returned when the identifier is not confident, except for a text
    written mostly in a non-Latin script (Chinese, Cyrillic, Arabic...): whatever
    its exact language, it is not English, so the identifier's best guess is
    returned even when unsure.

    Example:
        >>> detect_language("The ministers met in Geneva on Tuesday to discuss a ceasefire.")[0]
        'en'
    """
    sample = text[:2000]
    letters = [ch for ch in sample if ch.isalpha()]
    non_latin = sum(not unicodedata.name(ch, "LATIN").startswith("LATIN") for ch in letters) > len(letters) / 2
    if len(letters) < 20 and not non_latin:
        return "und", 0.0
    lang, prob = _identifier().classify(sample)  # type: ignore[attr-defined]
    if non_latin and lang == "en":
        return "und-nonlatin", float(prob)  # an unsure "en" for a text in another script
    return (str(lang), float(prob)) if prob >= min_confidence or non_latin else ("und", float(prob))
