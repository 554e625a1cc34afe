"""De-duplication and corroboration.

**Near-duplicate stories** (syndicated copies, updated versions) are found with
MinHash and locality-sensitive hashing: a story's word 5-shingles are hashed with
128 seeded hash functions; the signature is cut into 32 bands of 4 rows, and
stories sharing a band's bucket are candidates, kept when their estimated
Jaccard similarity is at least 0.7. The bands live in the store (``lsh`` table),
so de-duplication is incremental across runs and survives a crash. (datasketch
would give the same signatures but pulls scipy, 136 MB, into the core install,
and its LSH index lives in memory.)

**Event clusters** group mentions of one event across stories. Two mentions join
one cluster only when they have the same type, mode and stance (polarity, and
modality unless it is actual or claimed: a demand that an army withdraws does not
corroborate a report that it did), the same actor (its country, else its KB id),
the same recipient (country, KB id, else name; a missing recipient matches only a
missing one, and then only for the same trigger word), and date ranges that
overlap (:func:`date_range`: "on Tuesday" is a day, "in March" a month, an
undated mention in a story of that day the few days before it). A cluster keeps
the intersection of its members' ranges, so it never drifts along a long crisis.
A mention without an actor country or KB id, or without a date, is *not
well-formed*: it stays in a cluster of its own.

A cluster counts its mentions (events), its stories, where syndicated copies of
one article count once, and its sources: the independent outlets (publisher, else
the URL's host, else the file it was read from) of those stories. Unlike GDELT's
NumSources, a wire story reprinted by ten sites is one source, and ten stories of
one outlet are one source too. A cluster is *corroborated* when it is well-formed
and has two or more sources.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.7
SLACK_DAYS = 1  # a said day may be a day off: time zones, "yesterday" in a story filed after midnight
FALLBACK_DAYS = 3  # an undated mention happened, at most, this many days before its story's publication
_PRIME = (1 << 61) - 1
_MAX = (1 << 32) - 1
_rng = np.random.default_rng(20221115)  # fixed seed: signatures must be the same in every process and run
_A = _rng.integers(1, _PRIME, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, NUM_PERM, dtype=np.uint64)


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Overlapping word n-grams of the lower-cased text."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def signature(text: str) -> np.ndarray:
    """The MinHash signature (``NUM_PERM`` uint32 values) of a text."""
    grams = shingles(text)
    if not grams:
        return np.full(NUM_PERM, _MAX, dtype=np.uint32)
    hashes = np.array(
        [int.from_bytes(hashlib.blake2b(g, digest_size=4).digest(), "little") for g in grams], dtype=np.uint64
    )
    # (a * h + b) mod p, truncated to 32 bits, for every permutation and shingle; the minimum per permutation
    values = (np.outer(_A, hashes) + _B[:, None]) % np.uint64(_PRIME) & np.uint64(_MAX)
    minimum: np.ndarray = values.min(axis=1).astype(np.uint32)
    return minimum


def bands(sig: np.ndarray) -> list[tuple[int, str]]:
    """``(band, bucket)`` keys of a signature for the LSH table."""
    rows = sig.reshape(BANDS, ROWS)
    return [(i, hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()) for i, row in enumerate(rows)]


def similarity(a: np.ndarray | bytes, b: np.ndarray | bytes) -> float:
    """Estimated Jaccard similarity of two signatures (arrays or their bytes)."""
    left = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes) else a
    right = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes) else b
    return float(np.mean(left == right))


def signature_from_bytes(data: bytes) -> np.ndarray:
    """A signature stored as bytes, back as an array."""
    return np.frombuffer(data, dtype=np.uint32)


def date_range(day: date | None, precision: str | None) -> tuple[date, date] | None:
    """The days an event may have happened on, given its date and its precision.

    ``day``: that day give or take :data:`SLACK_DAYS`; ``week``: its calendar week;
    ``month``, ``season`` (three months), ``year``: the whole period; ``fallback``
    (no date said; ``day`` is the publication date): the :data:`FALLBACK_DAYS`
    before it. None when there is no date.

    Example:
        >>> date_range(date(2024, 3, 5), "month")
        (datetime.date(2024, 3, 1), datetime.date(2024, 3, 31))
    """
    if day is None:
        return None
    if precision == "fallback":
        return _shift(day, -FALLBACK_DAYS), day
    if precision == "week":
        monday = _shift(day, -day.weekday())
        return monday, _shift(monday, 6)
    if precision in ("month", "season"):
        start = day.replace(day=1)
        index = start.year * 12 + start.month - 1 + (3 if precision == "season" else 1)
        end = date(index // 12, index % 12 + 1, 1) if index // 12 <= date.max.year else date.max
        return start, _shift(end, -1) if end != date.max else end
    if precision == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return _shift(day, -SLACK_DAYS), _shift(day, SLACK_DAYS)  # "day", or an old record with no precision


def _shift(day: date, days: int) -> date:
    """``day`` moved by ``days``, held at the ends of the calendar (year 1, year 9999)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def actor_key(country: str | None, name: str | None, kb_id: str | None) -> str | None:
    """How the actors table identifies an actor: country, else KB id, else name."""
    return country or kb_id or name


def side_key(actor: dict[str, Any] | None, *, names: bool) -> str | None:
    """The key a cluster matches one side of an event on: its country, else ``kb:`` its KB
    id, else (when ``names``) ``name:`` its lower-cased name; "" for a missing side;
    None when the side is there but cannot be identified."""
    if not actor:
        return ""
    if actor.get("country"):
        return str(actor["country"])
    if actor.get("kb_id"):
        return f"kb:{actor['kb_id']}"
    name = actor.get("name") or actor.get("text")
    return f"name:{name.lower()}"[:240] if names and name else None


@dataclass(frozen=True, slots=True)
class ClusterKey:
    """What an event is clustered on; ``span`` is None for a mention that is not well-formed."""

    event_type: str
    mode: str
    stance: str
    actor_key: str
    recipient_key: str
    span: tuple[date, date] | None


def cluster_key(record: dict[str, Any]) -> ClusterKey:
    """The cluster key of an event record (``Event.to_dict()`` or a stored record).

    Example:
        >>> key = cluster_key(event.to_dict())
        >>> key.span is None   # no actor country or KB id, or no date: a cluster of its own
    """
    polarity, modality = record.get("polarity") or "affirmed", record.get("modality") or "actual"
    # a demand, plan or guess that Russia withdraws does not corroborate a report that it did
    stance = polarity if modality in ("actual", "claimed") else f"{polarity}:{modality}"
    actor = side_key(record.get("actor"), names=False)
    recipient = side_key(record.get("recipient"), names=True)
    if recipient == "":
        # no recipient: only the same action can tell two mentions apart ("rejected questions" is not "opposes")
        recipient = "~" + trigger_stem(record.get("trigger"))
    day = record.get("date")
    day = date.fromisoformat(day) if isinstance(day, str) else day
    span = date_range(day, record.get("date_precision"))
    well_formed = bool(actor) and recipient is not None and span is not None
    return ClusterKey(
        event_type=record["event_type"],
        mode=record.get("mode") or "",
        stance=stance,
        actor_key=actor or "",
        recipient_key=recipient or "",
        span=span if well_formed else None,
    )


def trigger_stem(trigger: str | None) -> str:
    """A crude stem of a trigger's first word ("threatened", "threatening" -> "threa")."""
    words = re.findall(r"[a-z]+", (trigger or "").lower())
    return words[0][:5] if words else ""


def outlet(publisher: str | None, url: str | None, source: str | None, story_id: str) -> str:
    """The outlet a story counts as for ``num_sources``: its publisher, else its URL's host
    (without ``www.``), else the file it was read from, else the story itself."""
    if publisher and publisher.strip():
        return publisher.strip()[:200]
    host = urlsplit(url).hostname if url and "://" in url else None
    if host:
        return host.removeprefix("www.")[:200]
    if source and source != "-":
        return source.rsplit(":", 1)[0] if source.rsplit(":", 1)[-1].isdigit() else source
    return story_id
