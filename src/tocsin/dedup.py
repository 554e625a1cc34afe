"""De-duplication and corroboration.

**Near-duplicate stories** (syndicated copies, updated versions) are found with
MinHash and locality-sensitive hashing: a story's word 5-shingles are hashed with
128 seeded hash functions; the signature is cut into 32 bands of 4 rows, and
stories sharing a band's bucket are candidates, kept when their estimated
Jaccard similarity is at least 0.7. The bands live in the store (``lsh`` table),
so de-duplication is incremental across runs and survives a crash. (datasketch
would give the same signatures but pulls scipy, 136 MB, into the core install,
and its LSH index lives in memory.)

**Event clusters** group events across stories: same type, actor, recipient and
polarity (and modality, unless it is actual or claimed: a demand that an army
withdraws does not corroborate a report that it did), dated within
:data:`WINDOW_DAYS` of the cluster. A cluster counts its
mentions (events), its stories, where syndicated copies of one article count
once, and its sources (publishers of those independent stories) — unlike
GDELT's NumSources, a wire story reprinted by ten sites is one source.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.7
WINDOW_DAYS = 2
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


def actor_key(country: str | None, name: str | None, kb_id: str | None) -> str | None:
    """How clusters and the actors table identify an actor: country, else KB id, else name."""
    return country or kb_id or name


def signature_from_bytes(data: bytes) -> np.ndarray:
    """A signature stored as bytes, back as an array."""
    return np.frombuffer(data, dtype=np.uint32)
